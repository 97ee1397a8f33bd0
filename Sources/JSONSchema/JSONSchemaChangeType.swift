// The kinds of change the JSON Schema compatibility checker reports, named exactly as Confluent
// Schema Registry names them (json-schema-provider `Difference.Type`), and which of them each
// compatibility policy accepts. A change is "compatible" when every document valid under the
// original schema stays valid under the update (that is the BACKWARD direction).

/// One kind of schema change. An extensible struct rather than an enum so new kinds break nobody.
public struct JSONSchemaChangeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let idChanged = JSONSchemaChangeType(rawValue: "ID_CHANGED")
    public static let descriptionChanged = JSONSchemaChangeType(rawValue: "DESCRIPTION_CHANGED")
    public static let titleChanged = JSONSchemaChangeType(rawValue: "TITLE_CHANGED")
    public static let defaultChanged = JSONSchemaChangeType(rawValue: "DEFAULT_CHANGED")
    public static let schemaAdded = JSONSchemaChangeType(rawValue: "SCHEMA_ADDED")
    public static let schemaRemoved = JSONSchemaChangeType(rawValue: "SCHEMA_REMOVED")
    public static let typeExtended = JSONSchemaChangeType(rawValue: "TYPE_EXTENDED")
    public static let typeNarrowed = JSONSchemaChangeType(rawValue: "TYPE_NARROWED")
    public static let typeChanged = JSONSchemaChangeType(rawValue: "TYPE_CHANGED")
    public static let maxLengthAdded = JSONSchemaChangeType(rawValue: "MAX_LENGTH_ADDED")
    public static let maxLengthRemoved = JSONSchemaChangeType(rawValue: "MAX_LENGTH_REMOVED")
    public static let maxLengthIncreased = JSONSchemaChangeType(rawValue: "MAX_LENGTH_INCREASED")
    public static let maxLengthDecreased = JSONSchemaChangeType(rawValue: "MAX_LENGTH_DECREASED")
    public static let minLengthAdded = JSONSchemaChangeType(rawValue: "MIN_LENGTH_ADDED")
    public static let minLengthRemoved = JSONSchemaChangeType(rawValue: "MIN_LENGTH_REMOVED")
    public static let minLengthIncreased = JSONSchemaChangeType(rawValue: "MIN_LENGTH_INCREASED")
    public static let minLengthDecreased = JSONSchemaChangeType(rawValue: "MIN_LENGTH_DECREASED")
    public static let patternAdded = JSONSchemaChangeType(rawValue: "PATTERN_ADDED")
    public static let patternRemoved = JSONSchemaChangeType(rawValue: "PATTERN_REMOVED")
    public static let patternChanged = JSONSchemaChangeType(rawValue: "PATTERN_CHANGED")
    public static let maximumAdded = JSONSchemaChangeType(rawValue: "MAXIMUM_ADDED")
    public static let maximumRemoved = JSONSchemaChangeType(rawValue: "MAXIMUM_REMOVED")
    public static let maximumIncreased = JSONSchemaChangeType(rawValue: "MAXIMUM_INCREASED")
    public static let maximumDecreased = JSONSchemaChangeType(rawValue: "MAXIMUM_DECREASED")
    public static let minimumAdded = JSONSchemaChangeType(rawValue: "MINIMUM_ADDED")
    public static let minimumRemoved = JSONSchemaChangeType(rawValue: "MINIMUM_REMOVED")
    public static let minimumIncreased = JSONSchemaChangeType(rawValue: "MINIMUM_INCREASED")
    public static let minimumDecreased = JSONSchemaChangeType(rawValue: "MINIMUM_DECREASED")
    public static let exclusiveMaximumAdded = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MAXIMUM_ADDED")
    public static let exclusiveMaximumRemoved = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MAXIMUM_REMOVED")
    public static let exclusiveMaximumIncreased = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MAXIMUM_INCREASED")
    public static let exclusiveMaximumDecreased = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MAXIMUM_DECREASED")
    public static let exclusiveMinimumAdded = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MINIMUM_ADDED")
    public static let exclusiveMinimumRemoved = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MINIMUM_REMOVED")
    public static let exclusiveMinimumIncreased = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MINIMUM_INCREASED")
    public static let exclusiveMinimumDecreased = JSONSchemaChangeType(rawValue: "EXCLUSIVE_MINIMUM_DECREASED")
    public static let multipleOfAdded = JSONSchemaChangeType(rawValue: "MULTIPLE_OF_ADDED")
    public static let multipleOfRemoved = JSONSchemaChangeType(rawValue: "MULTIPLE_OF_REMOVED")
    public static let multipleOfExpanded = JSONSchemaChangeType(rawValue: "MULTIPLE_OF_EXPANDED")
    public static let multipleOfReduced = JSONSchemaChangeType(rawValue: "MULTIPLE_OF_REDUCED")
    public static let multipleOfChanged = JSONSchemaChangeType(rawValue: "MULTIPLE_OF_CHANGED")
    public static let requiredAttributeAdded = JSONSchemaChangeType(rawValue: "REQUIRED_ATTRIBUTE_ADDED")
    public static let requiredAttributeWithDefaultAdded = JSONSchemaChangeType(rawValue: "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED")
    public static let requiredAttributeRemoved = JSONSchemaChangeType(rawValue: "REQUIRED_ATTRIBUTE_REMOVED")
    public static let maxPropertiesAdded = JSONSchemaChangeType(rawValue: "MAX_PROPERTIES_ADDED")
    public static let maxPropertiesRemoved = JSONSchemaChangeType(rawValue: "MAX_PROPERTIES_REMOVED")
    public static let maxPropertiesIncreased = JSONSchemaChangeType(rawValue: "MAX_PROPERTIES_INCREASED")
    public static let maxPropertiesDecreased = JSONSchemaChangeType(rawValue: "MAX_PROPERTIES_DECREASED")
    public static let minPropertiesAdded = JSONSchemaChangeType(rawValue: "MIN_PROPERTIES_ADDED")
    public static let minPropertiesRemoved = JSONSchemaChangeType(rawValue: "MIN_PROPERTIES_REMOVED")
    public static let minPropertiesIncreased = JSONSchemaChangeType(rawValue: "MIN_PROPERTIES_INCREASED")
    public static let minPropertiesDecreased = JSONSchemaChangeType(rawValue: "MIN_PROPERTIES_DECREASED")
    public static let additionalPropertiesAdded = JSONSchemaChangeType(rawValue: "ADDITIONAL_PROPERTIES_ADDED")
    public static let additionalPropertiesRemoved = JSONSchemaChangeType(rawValue: "ADDITIONAL_PROPERTIES_REMOVED")
    public static let additionalPropertiesExtended = JSONSchemaChangeType(rawValue: "ADDITIONAL_PROPERTIES_EXTENDED")
    public static let additionalPropertiesNarrowed = JSONSchemaChangeType(rawValue: "ADDITIONAL_PROPERTIES_NARROWED")
    public static let dependencyArrayAdded = JSONSchemaChangeType(rawValue: "DEPENDENCY_ARRAY_ADDED")
    public static let dependencyArrayRemoved = JSONSchemaChangeType(rawValue: "DEPENDENCY_ARRAY_REMOVED")
    public static let dependencyArrayExtended = JSONSchemaChangeType(rawValue: "DEPENDENCY_ARRAY_EXTENDED")
    public static let dependencyArrayNarrowed = JSONSchemaChangeType(rawValue: "DEPENDENCY_ARRAY_NARROWED")
    public static let dependencyArrayChanged = JSONSchemaChangeType(rawValue: "DEPENDENCY_ARRAY_CHANGED")
    public static let dependencySchemaAdded = JSONSchemaChangeType(rawValue: "DEPENDENCY_SCHEMA_ADDED")
    public static let dependencySchemaRemoved = JSONSchemaChangeType(rawValue: "DEPENDENCY_SCHEMA_REMOVED")
    public static let propertyAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let requiredPropertyAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let requiredPropertyWithDefaultAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let optionalPropertyAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let propertyWithEmptySchemaAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let requiredPropertyAddedToUnopenContentModel = JSONSchemaChangeType(rawValue: "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
    public static let requiredPropertyWithDefaultAddedToUnopenContentModel = JSONSchemaChangeType(rawValue: "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL")
    public static let optionalPropertyAddedToUnopenContentModel = JSONSchemaChangeType(rawValue: "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
    public static let propertyRemovedFromOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL")
    public static let propertyWithFalseRemovedFromClosedContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
    public static let propertyRemovedFromClosedContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL")
    public static let propertyRemovedIsCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let propertyRemovedNotCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let propertyAddedIsCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let propertyAddedNotCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let reservedPropertyRemoved = JSONSchemaChangeType(rawValue: "RESERVED_PROPERTY_REMOVED")
    public static let reservedPropertyConflictsWithProperty = JSONSchemaChangeType(rawValue: "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY")
    public static let unevaluatedPropertiesAdded = JSONSchemaChangeType(rawValue: "UNEVALUATED_PROPERTIES_ADDED")
    public static let unevaluatedPropertiesRemoved = JSONSchemaChangeType(rawValue: "UNEVALUATED_PROPERTIES_REMOVED")
    public static let unevaluatedPropertiesExtended = JSONSchemaChangeType(rawValue: "UNEVALUATED_PROPERTIES_EXTENDED")
    public static let unevaluatedPropertiesNarrowed = JSONSchemaChangeType(rawValue: "UNEVALUATED_PROPERTIES_NARROWED")
    public static let maxItemsAdded = JSONSchemaChangeType(rawValue: "MAX_ITEMS_ADDED")
    public static let maxItemsRemoved = JSONSchemaChangeType(rawValue: "MAX_ITEMS_REMOVED")
    public static let maxItemsIncreased = JSONSchemaChangeType(rawValue: "MAX_ITEMS_INCREASED")
    public static let maxItemsDecreased = JSONSchemaChangeType(rawValue: "MAX_ITEMS_DECREASED")
    public static let minItemsAdded = JSONSchemaChangeType(rawValue: "MIN_ITEMS_ADDED")
    public static let minItemsRemoved = JSONSchemaChangeType(rawValue: "MIN_ITEMS_REMOVED")
    public static let minItemsIncreased = JSONSchemaChangeType(rawValue: "MIN_ITEMS_INCREASED")
    public static let minItemsDecreased = JSONSchemaChangeType(rawValue: "MIN_ITEMS_DECREASED")
    public static let maxContainsAdded = JSONSchemaChangeType(rawValue: "MAX_CONTAINS_ADDED")
    public static let maxContainsRemoved = JSONSchemaChangeType(rawValue: "MAX_CONTAINS_REMOVED")
    public static let maxContainsIncreased = JSONSchemaChangeType(rawValue: "MAX_CONTAINS_INCREASED")
    public static let maxContainsDecreased = JSONSchemaChangeType(rawValue: "MAX_CONTAINS_DECREASED")
    public static let minContainsAdded = JSONSchemaChangeType(rawValue: "MIN_CONTAINS_ADDED")
    public static let minContainsRemoved = JSONSchemaChangeType(rawValue: "MIN_CONTAINS_REMOVED")
    public static let minContainsIncreased = JSONSchemaChangeType(rawValue: "MIN_CONTAINS_INCREASED")
    public static let minContainsDecreased = JSONSchemaChangeType(rawValue: "MIN_CONTAINS_DECREASED")
    public static let uniqueItemsAdded = JSONSchemaChangeType(rawValue: "UNIQUE_ITEMS_ADDED")
    public static let uniqueItemsRemoved = JSONSchemaChangeType(rawValue: "UNIQUE_ITEMS_REMOVED")
    public static let additionalItemsAdded = JSONSchemaChangeType(rawValue: "ADDITIONAL_ITEMS_ADDED")
    public static let additionalItemsRemoved = JSONSchemaChangeType(rawValue: "ADDITIONAL_ITEMS_REMOVED")
    public static let additionalItemsExtended = JSONSchemaChangeType(rawValue: "ADDITIONAL_ITEMS_EXTENDED")
    public static let additionalItemsNarrowed = JSONSchemaChangeType(rawValue: "ADDITIONAL_ITEMS_NARROWED")
    public static let unevaluatedItemsAdded = JSONSchemaChangeType(rawValue: "UNEVALUATED_ITEMS_ADDED")
    public static let unevaluatedItemsRemoved = JSONSchemaChangeType(rawValue: "UNEVALUATED_ITEMS_REMOVED")
    public static let unevaluatedItemsExtended = JSONSchemaChangeType(rawValue: "UNEVALUATED_ITEMS_EXTENDED")
    public static let unevaluatedItemsNarrowed = JSONSchemaChangeType(rawValue: "UNEVALUATED_ITEMS_NARROWED")
    public static let itemAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let itemWithEmptySchemaAddedToOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
    public static let itemAddedToClosedContentModel = JSONSchemaChangeType(rawValue: "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL")
    public static let itemRemovedFromOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL")
    public static let itemWithFalseRemovedFromClosedContentModel = JSONSchemaChangeType(rawValue: "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
    public static let itemRemovedFromClosedContentModel = JSONSchemaChangeType(rawValue: "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL")
    public static let itemRemovedIsCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let itemRemovedNotCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let itemAddedIsCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let itemAddedNotCoveredByPartiallyOpenContentModel = JSONSchemaChangeType(rawValue: "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
    public static let enumArrayExtended = JSONSchemaChangeType(rawValue: "ENUM_ARRAY_EXTENDED")
    public static let enumArrayNarrowed = JSONSchemaChangeType(rawValue: "ENUM_ARRAY_NARROWED")
    public static let enumArrayChanged = JSONSchemaChangeType(rawValue: "ENUM_ARRAY_CHANGED")
    public static let combinedTypeExtended = JSONSchemaChangeType(rawValue: "COMBINED_TYPE_EXTENDED")
    public static let combinedTypeChanged = JSONSchemaChangeType(rawValue: "COMBINED_TYPE_CHANGED")
    public static let productTypeExtended = JSONSchemaChangeType(rawValue: "PRODUCT_TYPE_EXTENDED")
    public static let productTypeNarrowed = JSONSchemaChangeType(rawValue: "PRODUCT_TYPE_NARROWED")
    public static let sumTypeExtended = JSONSchemaChangeType(rawValue: "SUM_TYPE_EXTENDED")
    public static let sumTypeNarrowed = JSONSchemaChangeType(rawValue: "SUM_TYPE_NARROWED")
    public static let combinedTypeSubschemasChanged = JSONSchemaChangeType(rawValue: "COMBINED_TYPE_SUBSCHEMAS_CHANGED")
    public static let notTypeExtended = JSONSchemaChangeType(rawValue: "NOT_TYPE_EXTENDED")
    public static let notTypeNarrowed = JSONSchemaChangeType(rawValue: "NOT_TYPE_NARROWED")

    /// Every kind Confluent defines, in its declaration order.
    public static let all: [JSONSchemaChangeType] = [
        .idChanged, .descriptionChanged, .titleChanged, .defaultChanged, .schemaAdded, .schemaRemoved,
        .typeExtended, .typeNarrowed, .typeChanged, .maxLengthAdded, .maxLengthRemoved, .maxLengthIncreased,
        .maxLengthDecreased, .minLengthAdded, .minLengthRemoved, .minLengthIncreased, .minLengthDecreased,
        .patternAdded, .patternRemoved, .patternChanged, .maximumAdded, .maximumRemoved, .maximumIncreased,
        .maximumDecreased, .minimumAdded, .minimumRemoved, .minimumIncreased, .minimumDecreased,
        .exclusiveMaximumAdded, .exclusiveMaximumRemoved, .exclusiveMaximumIncreased,
        .exclusiveMaximumDecreased, .exclusiveMinimumAdded, .exclusiveMinimumRemoved,
        .exclusiveMinimumIncreased, .exclusiveMinimumDecreased, .multipleOfAdded, .multipleOfRemoved,
        .multipleOfExpanded, .multipleOfReduced, .multipleOfChanged, .requiredAttributeAdded,
        .requiredAttributeWithDefaultAdded, .requiredAttributeRemoved, .maxPropertiesAdded,
        .maxPropertiesRemoved, .maxPropertiesIncreased, .maxPropertiesDecreased, .minPropertiesAdded,
        .minPropertiesRemoved, .minPropertiesIncreased, .minPropertiesDecreased, .additionalPropertiesAdded,
        .additionalPropertiesRemoved, .additionalPropertiesExtended, .additionalPropertiesNarrowed,
        .dependencyArrayAdded, .dependencyArrayRemoved, .dependencyArrayExtended, .dependencyArrayNarrowed,
        .dependencyArrayChanged, .dependencySchemaAdded, .dependencySchemaRemoved,
        .propertyAddedToOpenContentModel, .requiredPropertyAddedToOpenContentModel,
        .requiredPropertyWithDefaultAddedToOpenContentModel, .optionalPropertyAddedToOpenContentModel,
        .propertyWithEmptySchemaAddedToOpenContentModel, .requiredPropertyAddedToUnopenContentModel,
        .requiredPropertyWithDefaultAddedToUnopenContentModel, .optionalPropertyAddedToUnopenContentModel,
        .propertyRemovedFromOpenContentModel, .propertyWithFalseRemovedFromClosedContentModel,
        .propertyRemovedFromClosedContentModel, .propertyRemovedIsCoveredByPartiallyOpenContentModel,
        .propertyRemovedNotCoveredByPartiallyOpenContentModel,
        .propertyAddedIsCoveredByPartiallyOpenContentModel,
        .propertyAddedNotCoveredByPartiallyOpenContentModel, .reservedPropertyRemoved,
        .reservedPropertyConflictsWithProperty, .unevaluatedPropertiesAdded, .unevaluatedPropertiesRemoved,
        .unevaluatedPropertiesExtended, .unevaluatedPropertiesNarrowed, .maxItemsAdded, .maxItemsRemoved,
        .maxItemsIncreased, .maxItemsDecreased, .minItemsAdded, .minItemsRemoved, .minItemsIncreased,
        .minItemsDecreased, .maxContainsAdded, .maxContainsRemoved, .maxContainsIncreased,
        .maxContainsDecreased, .minContainsAdded, .minContainsRemoved, .minContainsIncreased,
        .minContainsDecreased, .uniqueItemsAdded, .uniqueItemsRemoved, .additionalItemsAdded,
        .additionalItemsRemoved, .additionalItemsExtended, .additionalItemsNarrowed, .unevaluatedItemsAdded,
        .unevaluatedItemsRemoved, .unevaluatedItemsExtended, .unevaluatedItemsNarrowed,
        .itemAddedToOpenContentModel, .itemWithEmptySchemaAddedToOpenContentModel,
        .itemAddedToClosedContentModel, .itemRemovedFromOpenContentModel,
        .itemWithFalseRemovedFromClosedContentModel, .itemRemovedFromClosedContentModel,
        .itemRemovedIsCoveredByPartiallyOpenContentModel, .itemRemovedNotCoveredByPartiallyOpenContentModel,
        .itemAddedIsCoveredByPartiallyOpenContentModel, .itemAddedNotCoveredByPartiallyOpenContentModel,
        .enumArrayExtended, .enumArrayNarrowed, .enumArrayChanged, .combinedTypeExtended,
        .combinedTypeChanged, .productTypeExtended, .productTypeNarrowed, .sumTypeExtended, .sumTypeNarrowed,
        .combinedTypeSubschemasChanged, .notTypeExtended, .notTypeNarrowed,
    ]

    /// Changes accepted under the STRICT policy (Confluent's default).
    public static let compatibleUnderStrict: Set<JSONSchemaChangeType> = [
        .idChanged, .descriptionChanged, .titleChanged, .defaultChanged, .schemaRemoved, .typeExtended,
        .maxLengthIncreased, .maxLengthRemoved, .minLengthDecreased, .minLengthRemoved, .patternRemoved,
        .maximumIncreased, .maximumRemoved, .minimumDecreased, .minimumRemoved, .exclusiveMaximumIncreased,
        .exclusiveMaximumRemoved, .exclusiveMinimumDecreased, .exclusiveMinimumRemoved, .multipleOfReduced,
        .multipleOfRemoved, .requiredAttributeWithDefaultAdded, .requiredAttributeRemoved,
        .dependencyArrayNarrowed, .dependencyArrayRemoved, .dependencySchemaRemoved, .maxPropertiesIncreased,
        .maxPropertiesRemoved, .minPropertiesDecreased, .minPropertiesRemoved, .additionalPropertiesAdded,
        .additionalPropertiesExtended, .unevaluatedPropertiesAdded, .unevaluatedPropertiesExtended,
        .propertyWithEmptySchemaAddedToOpenContentModel,
        .requiredPropertyWithDefaultAddedToUnopenContentModel, .optionalPropertyAddedToUnopenContentModel,
        .propertyWithFalseRemovedFromClosedContentModel, .propertyRemovedFromOpenContentModel,
        .propertyAddedIsCoveredByPartiallyOpenContentModel,
        .propertyRemovedIsCoveredByPartiallyOpenContentModel, .maxItemsIncreased, .maxItemsRemoved,
        .minItemsDecreased, .minItemsRemoved, .maxContainsIncreased, .maxContainsRemoved,
        .minContainsDecreased, .minContainsRemoved, .uniqueItemsRemoved, .additionalItemsAdded,
        .additionalItemsExtended, .unevaluatedItemsAdded, .unevaluatedItemsExtended,
        .itemWithEmptySchemaAddedToOpenContentModel, .itemAddedToClosedContentModel,
        .itemWithFalseRemovedFromClosedContentModel, .itemRemovedFromOpenContentModel,
        .itemAddedIsCoveredByPartiallyOpenContentModel, .itemRemovedIsCoveredByPartiallyOpenContentModel,
        .enumArrayExtended, .combinedTypeExtended, .productTypeNarrowed, .sumTypeExtended, .notTypeNarrowed,
    ]

    /// LENIENT additionally accepts changes to open/closed content models that STRICT rejects.
    public static let compatibleUnderLenient: Set<JSONSchemaChangeType> = compatibleUnderStrict.union([
        .additionalPropertiesNarrowed, .additionalPropertiesRemoved, .unevaluatedPropertiesNarrowed,
        .unevaluatedPropertiesRemoved, .requiredPropertyWithDefaultAddedToOpenContentModel,
        .optionalPropertyAddedToOpenContentModel, .propertyRemovedFromOpenContentModel,
        .propertyRemovedFromClosedContentModel, .propertyAddedNotCoveredByPartiallyOpenContentModel,
        .propertyRemovedNotCoveredByPartiallyOpenContentModel,
    ])
}
