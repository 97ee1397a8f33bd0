// Table-driven tests for the JSON Schema compatibility checker: each row is an original schema,
// an update, the exact changes expected (type and path) and whether the update is BACKWARD
// compatible under the STRICT policy. Further tests cover levels, transitivity and recursion.
import JSONSchema
import Testing

struct ChangeCase: CustomTestStringConvertible, Sendable {
    let name: String
    let original: String
    let update: String
    let changes: [String]
    let compatible: Bool
    var testDescription: String { name }
}

private let changeCases: [ChangeCase] = [
    ChangeCase(name: "no change", original: #"{"type":"string"}"#, update: #"{"type":"string"}"#, changes: [], compatible: true),
    ChangeCase(name: "anything to empty schema", original: #"{"type":"string","maxLength":3}"#, update: "{}",
               changes: [], compatible: true),
    ChangeCase(name: "type changed", original: #"{"type":"string"}"#, update: #"{"type":"boolean"}"#,
               changes: ["TYPE_CHANGED #/"], compatible: false),
    ChangeCase(name: "integer to number extends", original: #"{"type":"integer"}"#, update: #"{"type":"number"}"#,
               changes: ["TYPE_EXTENDED #/"], compatible: true),
    ChangeCase(name: "number to integer narrows", original: #"{"type":"number"}"#, update: #"{"type":"integer"}"#,
               changes: ["TYPE_NARROWED #/"], compatible: false),
    ChangeCase(name: "title and description", original: #"{"type":"string","title":"a","description":"x"}"#,
               update: #"{"type":"string","title":"b","description":"y"}"#,
               changes: ["TITLE_CHANGED #/", "DESCRIPTION_CHANGED #/"], compatible: true),
    ChangeCase(name: "maxLength added", original: #"{"type":"string"}"#, update: #"{"type":"string","maxLength":5}"#,
               changes: ["MAX_LENGTH_ADDED #/maxLength"], compatible: false),
    ChangeCase(name: "maxLength increased", original: #"{"type":"string","maxLength":5}"#,
               update: #"{"type":"string","maxLength":9}"#, changes: ["MAX_LENGTH_INCREASED #/maxLength"], compatible: true),
    ChangeCase(name: "maxLength decreased", original: #"{"type":"string","maxLength":5}"#,
               update: #"{"type":"string","maxLength":2}"#, changes: ["MAX_LENGTH_DECREASED #/maxLength"], compatible: false),
    ChangeCase(name: "maxLength removed", original: #"{"type":"string","maxLength":5}"#, update: #"{"type":"string"}"#,
               changes: ["MAX_LENGTH_REMOVED #/maxLength"], compatible: true),
    ChangeCase(name: "minLength increased", original: #"{"type":"string","minLength":1}"#,
               update: #"{"type":"string","minLength":2}"#, changes: ["MIN_LENGTH_INCREASED #/minLength"], compatible: false),
    ChangeCase(name: "minLength removed", original: #"{"type":"string","minLength":1}"#, update: #"{"type":"string"}"#,
               changes: ["MIN_LENGTH_REMOVED #/minLength"], compatible: true),
    ChangeCase(name: "pattern added", original: #"{"type":"string"}"#, update: #"{"type":"string","pattern":"^a"}"#,
               changes: ["PATTERN_ADDED #/pattern"], compatible: false),
    ChangeCase(name: "pattern changed", original: #"{"type":"string","pattern":"^a"}"#,
               update: #"{"type":"string","pattern":"^b"}"#, changes: ["PATTERN_CHANGED #/pattern"], compatible: false),
    ChangeCase(name: "pattern removed", original: #"{"type":"string","pattern":"^a"}"#, update: #"{"type":"string"}"#,
               changes: ["PATTERN_REMOVED #/pattern"], compatible: true),
    ChangeCase(name: "maximum increased", original: #"{"type":"number","maximum":10}"#,
               update: #"{"type":"number","maximum":11.5}"#, changes: ["MAXIMUM_INCREASED #/maximum"], compatible: true),
    ChangeCase(name: "minimum increased", original: #"{"type":"number","minimum":1}"#,
               update: #"{"type":"number","minimum":2}"#, changes: ["MINIMUM_INCREASED #/minimum"], compatible: false),
    ChangeCase(name: "exclusiveMinimum decreased", original: #"{"type":"number","exclusiveMinimum":3}"#,
               update: #"{"type":"number","exclusiveMinimum":1}"#,
               changes: ["EXCLUSIVE_MINIMUM_DECREASED #/exclusiveMinimum"], compatible: true),
    ChangeCase(name: "multipleOf reduced", original: #"{"type":"number","multipleOf":10}"#,
               update: #"{"type":"number","multipleOf":5}"#, changes: ["MULTIPLE_OF_REDUCED #/multipleOf"], compatible: true),
    ChangeCase(name: "multipleOf expanded", original: #"{"type":"number","multipleOf":0.5}"#,
               update: #"{"type":"number","multipleOf":10}"#, changes: ["MULTIPLE_OF_EXPANDED #/multipleOf"], compatible: false),
    ChangeCase(name: "required attribute added",
               original: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
               update: #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
               changes: ["REQUIRED_ATTRIBUTE_ADDED #/required/a"], compatible: false),
    ChangeCase(name: "required attribute with default added",
               original: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
               update: #"{"type":"object","properties":{"a":{"type":"string","default":"x"}},"required":["a"]}"#,
               changes: ["REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED #/required/a", "DEFAULT_CHANGED #/properties/a"],
               compatible: true),
    ChangeCase(name: "required attribute removed",
               original: #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
               update: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
               changes: ["REQUIRED_ATTRIBUTE_REMOVED #/required/a"], compatible: true),
    ChangeCase(name: "optional property added to open content model",
               original: #"{"type":"object","properties":{}}"#,
               update: #"{"type":"object","properties":{"b":{"type":"string"}}}"#,
               changes: ["OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"], compatible: false),
    ChangeCase(name: "property with empty schema added to open content model",
               original: #"{"type":"object","properties":{}}"#, update: #"{"type":"object","properties":{"b":{}}}"#,
               changes: ["PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"], compatible: true),
    ChangeCase(name: "optional property added to closed content model",
               original: #"{"type":"object","properties":{},"additionalProperties":false}"#,
               update: #"{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":false}"#,
               changes: ["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"], compatible: true),
    ChangeCase(name: "required property added to closed content model",
               original: #"{"type":"object","properties":{},"additionalProperties":false}"#,
               update: #"{"type":"object","properties":{"b":{"type":"string"}},"required":["b"],"additionalProperties":false}"#,
               changes: ["REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"], compatible: false),
    ChangeCase(name: "property removed from open content model",
               original: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
               update: #"{"type":"object","properties":{}}"#,
               changes: ["PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/a"], compatible: true),
    ChangeCase(name: "property removed from closed content model",
               original: #"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
               update: #"{"type":"object","properties":{},"additionalProperties":false}"#,
               changes: ["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/a"], compatible: false),
    ChangeCase(name: "property added covered by partially open content model",
               original: #"{"type":"object","properties":{},"additionalProperties":{"type":"string"}}"#,
               update: #"{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":{"type":"string"}}"#,
               changes: ["PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
                         "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"], compatible: true),
    ChangeCase(name: "property added not covered by pattern properties",
               original: #"{"type":"object","patternProperties":{"^s_":{"type":"string"}}}"#,
               update: #"{"type":"object","properties":{"s_x":{"type":"number"}},"patternProperties":{"^s_":{"type":"string"}}}"#,
               changes: ["TYPE_CHANGED #/properties/s_x",
                         "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/s_x",
                         "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/s_x"], compatible: false),
    ChangeCase(name: "additional properties removed",
               original: #"{"type":"object"}"#, update: #"{"type":"object","additionalProperties":false}"#,
               changes: ["ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties"], compatible: false),
    ChangeCase(name: "additional properties added",
               original: #"{"type":"object","additionalProperties":false}"#, update: #"{"type":"object"}"#,
               changes: ["ADDITIONAL_PROPERTIES_ADDED #/additionalProperties"], compatible: true),
    ChangeCase(name: "additional properties narrowed",
               original: #"{"type":"object"}"#, update: #"{"type":"object","additionalProperties":{"type":"string"}}"#,
               changes: ["ADDITIONAL_PROPERTIES_NARROWED #/additionalProperties"], compatible: false),
    ChangeCase(name: "enum extended", original: #"{"enum":["a","b"]}"#, update: #"{"enum":["a","b","c"]}"#,
               changes: ["ENUM_ARRAY_EXTENDED #/enum"], compatible: true),
    ChangeCase(name: "enum narrowed", original: #"{"enum":["a","b"]}"#, update: #"{"enum":["a"]}"#,
               changes: ["ENUM_ARRAY_NARROWED #/enum"], compatible: false),
    ChangeCase(name: "enum changed", original: #"{"enum":["a","b"]}"#, update: #"{"enum":["a","c"]}"#,
               changes: ["ENUM_ARRAY_CHANGED #/enum"], compatible: false),
    ChangeCase(name: "sum type extended", original: #"{"oneOf":[{"type":"string"},{"type":"number"}]}"#,
               update: #"{"oneOf":[{"type":"string"},{"type":"number"},{"type":"null"}]}"#,
               changes: ["SUM_TYPE_EXTENDED #/"], compatible: true),
    ChangeCase(name: "sum type narrowed", original: #"{"anyOf":[{"type":"string"},{"type":"number"}]}"#,
               update: #"{"anyOf":[{"type":"string"}]}"#, changes: ["SUM_TYPE_NARROWED #/"], compatible: false),
    ChangeCase(name: "plain type widened to a union", original: #"{"type":"string"}"#,
               update: #"{"type":["string","null"]}"#, changes: ["SUM_TYPE_EXTENDED #/"], compatible: true),
    ChangeCase(name: "combined type extended (oneOf to anyOf)",
               original: #"{"oneOf":[{"type":"string"},{"type":"number"}]}"#,
               update: #"{"anyOf":[{"type":"string"},{"type":"number"}]}"#,
               changes: ["COMBINED_TYPE_EXTENDED #/"], compatible: true),
    ChangeCase(name: "combined type changed (anyOf to allOf)",
               original: #"{"anyOf":[{"type":"string"},{"type":"number"}]}"#,
               update: #"{"allOf":[{"type":"string"},{"type":"number"}]}"#,
               changes: ["COMBINED_TYPE_CHANGED #/"], compatible: false),
    ChangeCase(name: "not narrowed", original: #"{"not":{"type":"string"}}"#,
               update: #"{"not":{"type":["string","number"]}}"#, changes: ["NOT_TYPE_EXTENDED #/not"], compatible: false),
    ChangeCase(name: "array items type changed", original: #"{"type":"array","items":{"type":"string"}}"#,
               update: #"{"type":"array","items":{"type":"number"}}"#, changes: ["TYPE_CHANGED #/items"], compatible: false),
    ChangeCase(name: "tuple item added to closed array",
               original: #"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
               update: #"{"type":"array","items":[{"type":"string"},{"type":"number"}],"additionalItems":false}"#,
               changes: ["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1"], compatible: true),
    ChangeCase(name: "maxItems decreased and uniqueItems added",
               original: #"{"type":"array","maxItems":5}"#, update: #"{"type":"array","maxItems":3,"uniqueItems":true}"#,
               changes: ["MAX_ITEMS_DECREASED #/maxItems", "UNIQUE_ITEMS_ADDED #/uniqueItems"], compatible: false),
    ChangeCase(name: "nested change reported at its pointer",
               original: #"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}}}}}"#,
               update: #"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string","maxLength":3}}}}}"#,
               changes: ["MAX_LENGTH_ADDED #/properties/a/properties/b/maxLength"], compatible: false),
    ChangeCase(name: "change behind a $ref",
               original: ##"{"definitions":{"n":{"type":"string"}},"type":"object","properties":{"a":{"$ref":"#/definitions/n"}}}"##,
               update: ##"{"definitions":{"n":{"type":"number"}},"type":"object","properties":{"a":{"$ref":"#/definitions/n"}}}"##,
               changes: ["TYPE_CHANGED #/properties/a"], compatible: false),
]

@Suite struct CompatibilityTests {
    @Test(arguments: changeCases)
    func changeTypes(_ row: ChangeCase) throws {
        let original = try JSONValue.parse(row.original)
        let update = try JSONValue.parse(row.update)
        let changes = try JSONSchemaCompatibility.differences(from: original, to: update)
        #expect(changes.map { "\($0.type.rawValue) \($0.path)" }.sorted() == row.changes.sorted())
        let incompatible = try JSONSchemaCompatibility.incompatibleChanges(from: original, to: update)
        #expect(incompatible.isEmpty == row.compatible)
    }

    @Test func levelsSwapDirections() throws {
        let old = try JSONValue.parse(#"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#)
        let new = try JSONValue.parse(#"{"type":"object","properties":{"a":{"type":"string"}}}"#)
        // Dropping `required` lets the new schema read all old data (BACKWARD) but not the reverse.
        #expect(try JSONSchemaCompatibility.check(new, against: [old], level: .backward).isEmpty)
        let forward = try JSONSchemaCompatibility.check(new, against: [old], level: .forward)
        #expect(forward.map(\.change.type) == [.requiredAttributeAdded])
        #expect(forward.first?.isForward == true)
        #expect(try JSONSchemaCompatibility.check(new, against: [old], level: .full).count == 1)
        #expect(try JSONSchemaCompatibility.check(new, against: [old], level: .none).isEmpty)
        #expect(forward.first?.description.hasPrefix("{errorType:\"REQUIRED_ATTRIBUTE_ADDED\"") == true)
    }

    @Test func transitiveLevelsCheckEveryVersion() throws {
        let first = try JSONValue.parse(#"{"type":"string","maxLength":3}"#)
        let second = try JSONValue.parse(#"{"type":"string","maxLength":10}"#)
        let candidate = try JSONValue.parse(#"{"type":"string","maxLength":5}"#)
        // Against the latest (10) the candidate shrinks the limit; against the first (3) it grows it.
        let latest = try JSONSchemaCompatibility.check(candidate, against: [first, second], level: .backward)
        #expect(latest.map(\.previousIndex) == [1])
        let all = try JSONSchemaCompatibility.check(candidate, against: [first, second], level: .backwardTransitive)
        #expect(all.map(\.previousIndex) == [1])
        let forwardAll = try JSONSchemaCompatibility.check(candidate, against: [first, second], level: .forwardTransitive)
        #expect(forwardAll.map(\.previousIndex) == [0])
    }

    @Test func lenientPolicyAcceptsOpenModelAdditions() throws {
        let old = try JSONValue.parse(#"{"type":"object","properties":{}}"#)
        let new = try JSONValue.parse(#"{"type":"object","properties":{"b":{"type":"string"}}}"#)
        #expect(try !JSONSchemaCompatibility.incompatibleChanges(from: old, to: new, policy: .strict).isEmpty)
        #expect(try JSONSchemaCompatibility.incompatibleChanges(from: old, to: new, policy: .lenient).isEmpty)
    }

    @Test func recursiveSchemasTerminateAndFindDeepChanges() throws {
        let old = try JSONValue.parse(#"""
            {"type":"object","properties":{"name":{"type":"string"},
             "children":{"type":"array","items":{"$ref":"#"}}}}
            """#)
        let same = try JSONSchemaCompatibility.differences(from: old, to: old)
        #expect(same.isEmpty)
        let new = try JSONValue.parse(#"""
            {"type":"object","properties":{"name":{"type":"string","maxLength":4},
             "children":{"type":"array","items":{"$ref":"#"}}}}
            """#)
        let changes = try JSONSchemaCompatibility.differences(from: old, to: new)
        #expect(changes.contains(JSONSchemaChange(type: .maxLengthAdded, path: "#/properties/name/maxLength")))
    }

    @Test func unresolvableReferenceIsATypedError() throws {
        let schema = try JSONValue.parse(##"{"$ref":"#/definitions/missing"}"##)
        #expect(throws: SchemaError.self) { try JSONSchemaCompatibility.differences(from: schema, to: schema) }
    }
}
