// Schema parsing: name resolution, defaults, logical types and precise errors with paths.
import Testing
@testable import Avro

@Test func namespacesAreInheritedAndReferencesResolve() throws {
    let schema = try AvroSchema.parse(#"""
    {"type":"record","name":"Outer","namespace":"com.acme","fields":[
      {"name":"a","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}},
      {"name":"b","type":"Inner"},
      {"name":"c","type":"com.acme.Inner"},
      {"name":"d","type":{"type":"enum","name":"other.Kind","symbols":["A"]}},
      {"name":"e","type":{"type":"record","name":"Deep","fields":[{"name":"k","type":"Kind"}],"namespace":"other"}},
      {"name":"self","type":["null","Outer"],"default":null}
    ]}
    """#)
    #expect(Set(schema.namedTypes.keys) == ["com.acme.Outer", "com.acme.Inner", "other.Kind", "other.Deep"])
    guard case .record(let outer) = schema.root else { Issue.record("root is not a record"); return }
    #expect(outer.fields[1].type.fullName == "com.acme.Inner")
    #expect(outer.fields[2].type.fullName == "com.acme.Inner")
    guard case .record(let deep) = outer.fields[4].type else { Issue.record("e is not a record"); return }
    #expect(deep.fields[0].type.fullName == "other.Kind")
    #expect(schema.warnings.isEmpty)
}

@Test func logicalTypesAreRecognized() throws {
    let schema = try AvroSchema.parse(#"""
    {"type":"record","name":"L","fields":[
      {"name":"d1","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
      {"name":"d2","type":{"type":"fixed","name":"F8","size":8,"logicalType":"decimal","precision":18}},
      {"name":"u","type":{"type":"string","logicalType":"uuid"}},
      {"name":"u2","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
      {"name":"dt","type":{"type":"int","logicalType":"date"}},
      {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
      {"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
      {"name":"ts","type":{"type":"long","logicalType":"timestamp-nanos"}},
      {"name":"lt","type":{"type":"long","logicalType":"local-timestamp-micros"}},
      {"name":"du","type":{"type":"fixed","name":"D12","size":12,"logicalType":"duration"}}
    ]}
    """#)
    guard case .record(let record) = schema.root else { Issue.record("not a record"); return }
    func logical(_ index: Int) -> AvroLogicalType? {
        switch record.fields[index].type {
        case .primitive(_, let annotations): return annotations.logicalType
        case .fixed(let fixed): return fixed.logicalType
        default: return nil
        }
    }
    #expect(logical(0) == .decimal(precision: 10, scale: 2))
    #expect(logical(1) == .decimal(precision: 18, scale: 0))
    #expect(logical(2) == .uuid)
    #expect(logical(3) == .uuid)
    #expect(logical(4) == .date)
    #expect(logical(5) == .timeMillis)
    #expect(logical(6) == .timeMicros)
    #expect(logical(7) == .timestampNanos)
    #expect(logical(8) == .localTimestampMicros)
    #expect(logical(9) == .duration)
    #expect(schema.warnings.isEmpty)
}

@Test(arguments: [
    #"{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}"#,
    #"{"type":"bytes","logicalType":"decimal","scale":1}"#,
    #"{"type":"bytes","logicalType":"decimal","precision":0}"#,
    #"{"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":5}"#,
    #"{"type":"string","logicalType":"date"}"#,
    #"{"type":"int","logicalType":"timestamp-millis"}"#,
    #"{"type":"fixed","name":"F","size":11,"logicalType":"duration"}"#,
    #"{"type":"fixed","name":"F","size":15,"logicalType":"uuid"}"#,
    #"{"type":"long","logicalType":"no-such-type"}"#,
])
func invalidLogicalTypesAreIgnoredWithAWarning(_ text: String) throws {
    let schema = try AvroSchema.parse(text)
    switch schema.root {
    case .primitive(_, let annotations): #expect(annotations.logicalType == nil)
    case .fixed(let fixed): #expect(fixed.logicalType == nil)
    default: Issue.record("unexpected root")
    }
    #expect(schema.warnings.count == 1)
    // The attribute is still kept for the storage string.
    #expect(schema.canonicalString.contains("logicalType"))
}

@Test(arguments: [
    (#""null""#, "null"), (#""boolean""#, "true"), (#""int""#, "-5"), (#""long""#, "9007199254740993"), (#""float""#, "1"),
    (#""double""#, "2.5"), (#""bytes""#, #""\u00ff""#), (#""string""#, #""x""#),
    (#"{"type":"array","items":"int"}"#, "[1,2]"), (#"{"type":"map","values":"long"}"#, #"{"a":1}"#),
    (#"["null","string"]"#, "null"), (#"["string","null"]"#, #""s""#),
    (#"{"type":"enum","name":"E","symbols":["A","B"]}"#, #""B""#),
    (#"{"type":"fixed","name":"F","size":2}"#, #""ab""#),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":3}]}"#, #"{"a":1}"#),
])
func validDefaultsAreAccepted(_ type: String, _ defaultText: String) throws {
    let schema = try AvroSchema.parse(#"{"type":"record","name":"Holder","fields":[{"name":"f","type":\#(type),"default":\#(defaultText)}]}"#)
    guard case .record(let record) = schema.root else { Issue.record("not a record"); return }
    #expect(try schema.defaultValue(of: record.fields[0]) != nil)
}

@Test(arguments: [
    (#""boolean""#, #""true""#), (#""int""#, "2147483648"), (#""int""#, "1.5"), (#""long""#, #""1""#), (#""float""#, "null"),
    (#""bytes""#, #""\u0100""#), (#""string""#, "1"), (#"{"type":"array","items":"int"}"#, #"["x"]"#),
    (#"{"type":"map","values":"int"}"#, "[]"), (#"["null","string"]"#, #""s""#),
    (#"{"type":"enum","name":"E","symbols":["A"]}"#, #""Z""#), (#"{"type":"fixed","name":"F","size":2}"#, #""abc""#),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#, "{}"),
])
func invalidDefaultsAreRejectedWithTheirPath(_ type: String, _ defaultText: String) {
    let text = #"{"type":"record","name":"Holder","fields":[{"name":"ok","type":"int"},{"name":"f","type":\#(type),"default":\#(defaultText)}]}"#
    #expect {
        _ = try AvroSchema.parse(text)
    } throws: { error in
        guard let error = error as? AvroSchemaError else { return false }
        return error.kind == .invalidDefault && error.path == "/fields/1/default"
    }
}

@Test func unionDefaultRuleAnyBranchAcceptsLaterBranches() throws {
    let text = #"{"type":"record","name":"H","fields":[{"name":"f","type":["null","string"],"default":"s"}]}"#
    let schema = try AvroSchema.parse(text, options: AvroSchemaParseOptions(unionDefaultRule: .anyBranch))
    guard case .record(let record) = schema.root else { Issue.record("not a record"); return }
    #expect(try schema.defaultValue(of: record.fields[0]) == .union(branch: 1, .string("s")))
}

@Test(arguments: [
    ("{", AvroSchemaError.Kind.invalidJSON, ""),
    // No Avro type holds an integer beyond 64 bits, so Avro refuses it while reading the JSON.
    (#"{"type":"fixed","name":"F","size":123456789012345678901234}"#, .invalidJSON, ""),
    (#""nothing""#, .unknownType, ""),
    ("42", .invalidAttribute, ""),
    (#"{"name":"x"}"#, .missingAttribute, ""),
    (#"{"type":"record","fields":[]}"#, .missingAttribute, ""),
    (#"{"type":"record","name":"R"}"#, .missingAttribute, ""),
    (#"{"type":"record","name":"1R","fields":[]}"#, .invalidName, "/name"),
    (#"{"type":"record","name":"R","namespace":"a..b","fields":[]}"#, .invalidName, "/namespace"),
    (#"{"type":"record","name":"int","fields":[]}"#, .invalidName, "/name"),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#, .duplicateField, "/fields/1/name"),
    (#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#, .missingAttribute, "/fields/0"),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#, .unknownType, "/fields/0/type"),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}"#, .invalidAttribute, "/fields/0/order"),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["A"]}}]}"#, .duplicateName, "/fields/0/type/name"),
    (#"{"type":"enum","name":"E","symbols":["A","A"]}"#, .duplicateSymbol, "/symbols/1"),
    (#"{"type":"enum","name":"E","symbols":["A","b-c"]}"#, .invalidName, "/symbols/1"),
    (#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#, .invalidDefault, "/default"),
    (#"{"type":"enum","name":"E"}"#, .missingAttribute, ""),
    (#"{"type":"fixed","name":"F","size":-1}"#, .invalidAttribute, "/size"),
    (#"{"type":"fixed","name":"F","size":"4"}"#, .invalidAttribute, "/size"),
    (#"{"type":"array"}"#, .missingAttribute, ""),
    (#"{"type":"map","values":"nope"}"#, .unknownType, "/values"),
    (#"["int","int"]"#, .duplicateUnionBranch, "/1"),
    (#"["int",["long"]]"#, .nestedUnion, "/1"),
    (#"{"type":{"type":"int"}}"#, .invalidAttribute, "/type"),
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","doc":5}]}"#, .invalidAttribute, "/fields/0/doc"),
    (#"{"type":"record","name":"R","aliases":"x","fields":[]}"#, .invalidAttribute, "/aliases"),
])
func invalidSchemasNameWhatAndWhere(_ text: String, _ kind: AvroSchemaError.Kind, _ path: String) {
    #expect {
        _ = try AvroSchema.parse(text)
    } throws: { error in
        guard let error = error as? AvroSchemaError else { return false }
        return error.kind == kind && error.path == path
    }
}

@Test func deeplyNestedSchemaIsRejectedNotCrashing() {
    let depth = 1000
    let text = String(repeating: #"{"type":"array","items":"#, count: depth) + #""int""# + String(repeating: "}", count: depth)
    #expect(throws: AvroSchemaError.self) { _ = try AvroSchema.parse(text) }
}
