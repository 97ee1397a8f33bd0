// SchemaDiff rules for combined (allOf/anyOf/oneOf), object and array schemas, including the
// open / closed / partially-open content models that decide whether adding or removing a
// property or tuple item is compatible.

extension SchemaDiff {
    static func compareCombined(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) throws {
        let originalSingleton = original.subschemas.count == 1
        let updateSingleton = update.subschemas.count == 1
        let criterionChange: JSONSchemaChangeType?
        if original.criterion == update.criterion {
            criterionChange = nil
        } else if update.criterion == .anyOf || (originalSingleton && updateSingleton)
            || (originalSingleton && update.criterion == .oneOf)
            || (updateSingleton && original.criterion == .allOf) {
            criterionChange = .combinedTypeExtended
        } else {
            criterionChange = .combinedTypeChanged
        }
        if let criterionChange { context.add(criterionChange) }
        if criterionChange == .combinedTypeChanged { return }

        let originals = deduplicated(original.subschemas)
        let updates = deduplicated(update.subschemas)
        if originals.count < updates.count {
            context.add(update.criterion == .allOf ? .productTypeExtended : .sumTypeExtended)
        } else if originals.count > updates.count {
            context.add(original.criterion == .allOf ? .productTypeNarrowed : .sumTypeNarrowed)
        }
        var edges: [[(update: Int, changes: [RelativeChange])]] = []
        for (index, originalSubschema) in originals.enumerated() {
            var compatibleUpdates: [(update: Int, changes: [RelativeChange])] = []
            try context.within(original.criterion.rawValue, String(index)) { context in
                for (updateIndex, updateSubschema) in updates.enumerated() {
                    var branch = context.subcontext()
                    try compare(&branch, originalSubschema, updateSubschema)
                    if branch.isCompatible { compatibleUpdates.append((updateIndex, branch.changes)) }
                }
            }
            edges.append(compatibleUpdates)
        }
        let matching = maximumMatching(edges, updateCount: updates.count)
        for (originalIndex, updateIndex) in matching.sorted(by: { $0.key < $1.key }) {
            if let edge = edges[originalIndex].first(where: { $0.update == updateIndex }) {
                context.add(contentsOf: edge.changes)
            }
        }
        if matching.count < min(originals.count, updates.count) { context.add(.combinedTypeSubschemasChanged) }
    }

    private static func deduplicated(_ schemas: [DiffSchema]) -> [DiffSchema] {
        var seen: Set<String> = []
        return schemas.filter { seen.insert($0.canonical).inserted }
    }

    /// Maximum bipartite matching (augmenting paths): original index → update index.
    static func maximumMatching(_ edges: [[(update: Int, changes: [RelativeChange])]], updateCount: Int) -> [Int: Int] {
        var matchedOriginal = [Int?](repeating: nil, count: updateCount)
        func augment(_ original: Int, _ visited: inout [Bool]) -> Bool {
            for edge in edges[original] where !visited[edge.update] {
                visited[edge.update] = true
                if let current = matchedOriginal[edge.update] {
                    if !augment(current, &visited) { continue }
                }
                matchedOriginal[edge.update] = original
                return true
            }
            return false
        }
        for original in edges.indices {
            var visited = [Bool](repeating: false, count: updateCount)
            _ = augment(original, &visited)
        }
        var result: [Int: Int] = [:]
        for (update, original) in matchedOriginal.enumerated() {
            if let original { result[original] = update }
        }
        return result
    }

    // MARK: Objects

    static func isOpenContentModel(_ schema: DiffSchema) -> Bool {
        guard schema.permitsAdditionalProperties, schema.additionalProperties == nil,
              schema.patternProperties.isEmpty else { return false }
        return schema.unevaluatedProperties.map { $0.resolved.kind == .empty } ?? true
    }

    static func schemaFromPartiallyOpenContentModel(_ schema: DiffSchema, property: String) -> DiffSchema? {
        for (source, patternSchema) in schema.patternProperties where Pattern(source)?.matches(property) == true {
            return patternSchema
        }
        if let additional = schema.additionalProperties { return additional }
        if schema.permitsAdditionalProperties, let unevaluated = schema.unevaluatedProperties,
           ![.falseSchema, .empty].contains(unevaluated.resolved.kind) {
            return unevaluated
        }
        return nil
    }

    static func compareObject(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) throws {
        context.within("required") { context in
            for (name, _) in original.properties {
                guard let updateProperty = update.property(name) else { continue }
                context.within(name) { context in
                    let wasRequired = original.required.contains(name)
                    let isRequired = update.required.contains(name)
                    if wasRequired && !isRequired {
                        context.add(.requiredAttributeRemoved)
                    } else if !wasRequired && isRequired {
                        context.add(hasDefault(updateProperty) ? .requiredAttributeWithDefaultAdded : .requiredAttributeAdded)
                    }
                }
            }
        }
        try context.within("properties") { context in
            var names = original.properties.map(\.0)
            for (name, _) in update.properties where original.property(name) == nil { names.append(name) }
            for name in names {
                try context.within(name) { context in
                    try compareProperty(&context, name, original, update)
                }
            }
        }
        try compareDependencies(&context, original, update)
        try context.within("additionalProperties") { context in
            if original.permitsAdditionalProperties != update.permitsAdditionalProperties {
                context.add(update.permitsAdditionalProperties ? .additionalPropertiesAdded : .additionalPropertiesRemoved)
            } else if original.additionalProperties == nil && update.additionalProperties != nil {
                context.add(.additionalPropertiesNarrowed)
            } else if original.additionalProperties != nil && update.additionalProperties == nil {
                context.add(.additionalPropertiesExtended)
            } else {
                try compare(&context, original.additionalProperties, update.additionalProperties)
            }
        }
        try compareUnevaluated(
            &context, "unevaluatedProperties", original.unevaluatedProperties, update.unevaluatedProperties,
            added: .unevaluatedPropertiesAdded, removed: .unevaluatedPropertiesRemoved,
            extended: .unevaluatedPropertiesExtended, narrowed: .unevaluatedPropertiesNarrowed)
        compareLimit(&context, "maxProperties", original.maxProperties, update.maxProperties,
                     added: .maxPropertiesAdded, removed: .maxPropertiesRemoved,
                     increased: .maxPropertiesIncreased, decreased: .maxPropertiesDecreased)
        compareLimit(&context, "minProperties", original.minProperties, update.minProperties,
                     added: .minPropertiesAdded, removed: .minPropertiesRemoved,
                     increased: .minPropertiesIncreased, decreased: .minPropertiesDecreased)
    }

    private static func hasDefault(_ schema: DiffSchema) -> Bool { schema.hasDefault || schema.resolved.hasDefault }

    private static func compareProperty(
        _ context: inout DiffContext, _ name: String, _ original: DiffSchema, _ update: DiffSchema
    ) throws {
        let originalProperty = original.property(name)
        let updateProperty = update.property(name)
        if let originalProperty, updateProperty == nil {
            // Removing is judged by the update's content model: will it still accept the property?
            if isOpenContentModel(update) {
                context.add(.propertyRemovedFromOpenContentModel)
            } else if let covering = schemaFromPartiallyOpenContentModel(update, property: name) {
                var branch = context.subcontext()
                try compare(&branch, originalProperty, covering)
                context.add(contentsOf: branch.changes)
                context.add(branch.isCompatible
                    ? .propertyRemovedIsCoveredByPartiallyOpenContentModel
                    : .propertyRemovedNotCoveredByPartiallyOpenContentModel)
            } else {
                context.add(originalProperty.resolved.kind == .falseSchema
                    ? .propertyWithFalseRemovedFromClosedContentModel : .propertyRemovedFromClosedContentModel)
            }
        } else if originalProperty == nil, let updateProperty {
            // Adding is judged by the original's content model: what could old data hold there?
            if isOpenContentModel(original) {
                if updateProperty.resolved.kind == .empty {
                    context.add(.propertyWithEmptySchemaAddedToOpenContentModel)
                } else if update.required.contains(name) {
                    context.add(hasDefault(updateProperty)
                        ? .requiredPropertyWithDefaultAddedToOpenContentModel : .requiredPropertyAddedToOpenContentModel)
                } else {
                    context.add(.optionalPropertyAddedToOpenContentModel)
                }
            } else {
                if let covering = schemaFromPartiallyOpenContentModel(original, property: name) {
                    var branch = context.subcontext()
                    try compare(&branch, covering, updateProperty)
                    context.add(contentsOf: branch.changes)
                    context.add(branch.isCompatible
                        ? .propertyAddedIsCoveredByPartiallyOpenContentModel
                        : .propertyAddedNotCoveredByPartiallyOpenContentModel)
                }
                if update.required.contains(name) {
                    context.add(hasDefault(updateProperty)
                        ? .requiredPropertyWithDefaultAddedToUnopenContentModel : .requiredPropertyAddedToUnopenContentModel)
                } else {
                    context.add(.optionalPropertyAddedToUnopenContentModel)
                }
            }
        } else {
            try compare(&context, originalProperty, updateProperty)
        }
    }

    private static func compareDependencies(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) throws {
        try context.within("dependencies") { context in
            let names = Set(original.propertyDependencies.keys).union(update.propertyDependencies.keys).sorted()
            for name in names {
                context.within(name) { context in
                    switch (original.propertyDependencies[name], update.propertyDependencies[name]) {
                    case (_, nil): context.add(.dependencyArrayRemoved)
                    case (nil, _): context.add(.dependencyArrayAdded)
                    case (let old?, let new?) where old != new:
                        context.add(new.isSuperset(of: old) ? .dependencyArrayExtended
                            : old.isSuperset(of: new) ? .dependencyArrayNarrowed : .dependencyArrayChanged)
                    default: break
                    }
                }
            }
            let schemaNames = Set(original.schemaDependencies.keys).union(update.schemaDependencies.keys).sorted()
            for name in schemaNames {
                try context.within(name) { context in
                    switch (original.schemaDependencies[name], update.schemaDependencies[name]) {
                    case (_, nil): context.add(.dependencySchemaRemoved)
                    case (nil, _): context.add(.dependencySchemaAdded)
                    case (let old?, let new?): try compare(&context, old, new)
                    }
                }
            }
        }
    }

    static func compareUnevaluated(
        _ context: inout DiffContext, _ keyword: String, _ original: DiffSchema?, _ update: DiffSchema?,
        added: JSONSchemaChangeType, removed: JSONSchemaChangeType,
        extended: JSONSchemaChangeType, narrowed: JSONSchemaChangeType
    ) throws {
        if original == nil && update == nil { return }
        try context.within(keyword) { context in
            let originalKind = original?.resolved.kind
            let updateKind = update?.resolved.kind
            if original == nil {
                context.add(updateKind == .falseSchema ? removed : narrowed)
            } else if update == nil {
                context.add(originalKind == .falseSchema ? added : extended)
            } else if originalKind == .falseSchema && updateKind != .falseSchema {
                context.add(added)
            } else if originalKind != .falseSchema && updateKind == .falseSchema {
                context.add(removed)
            } else if originalKind == .empty && updateKind != .empty {
                context.add(narrowed)
            } else if originalKind != .empty && updateKind == .empty {
                context.add(extended)
            } else {
                try compare(&context, original, update)
            }
        }
    }
}
