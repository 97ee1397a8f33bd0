// Reader/writer compatibility cases written from spec §Schema Resolution and the Avro-Java
// SchemaCompatibility rules, grouped by rule. Each expectation lists "KIND@location" strings.
import Testing
@testable import Avro

private func findings(reader: String, writer: String) throws -> [String] {
    let readerSchema = try AvroSchema.parse(reader)
    let writerSchema = try AvroSchema.parse(writer)
    return AvroCompatibility.check(reader: readerSchema, writer: writerSchema).map { "\($0.kind.rawValue)@\($0.location)" }
}

// MARK: Primitives and promotions

private let primitiveNames = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
/// Spec: writer → readers it may be promoted to.
private let promotions: Set<String> = [
    "int→long", "int→float", "int→double", "long→float", "long→double", "float→double", "string→bytes", "bytes→string",
]

struct PrimitivePair: CustomStringConvertible, Sendable {
    let reader: String
    let writer: String
    var description: String { "\(reader) ← \(writer)" }
}

@Test(arguments: primitiveNames.flatMap { reader in primitiveNames.map { PrimitivePair(reader: reader, writer: $0) } })
func primitiveResolution(_ pair: PrimitivePair) throws {
    let compatible = pair.reader == pair.writer || promotions.contains("\(pair.writer)→\(pair.reader)")
    let result = try findings(reader: "\"\(pair.reader)\"", writer: "\"\(pair.writer)\"")
    #expect(result == (compatible ? [] : ["TYPE_MISMATCH@"]))
}

// MARK: Arrays and maps

@Test(arguments: [
    (#"{"type":"array","items":"long"}"#, #"{"type":"array","items":"int"}"#, [String]()),
    (#"{"type":"array","items":"int"}"#, #"{"type":"array","items":"long"}"#, ["TYPE_MISMATCH@/items"]),
    (#"{"type":"array","items":"string"}"#, #"{"type":"array","items":"bytes"}"#, []),
    (#"{"type":"array","items":{"type":"array","items":"double"}}"#, #"{"type":"array","items":{"type":"array","items":"float"}}"#, []),
    (#"{"type":"array","items":{"type":"array","items":"int"}}"#, #"{"type":"array","items":{"type":"array","items":"string"}}"#, ["TYPE_MISMATCH@/items/items"]),
    (#"{"type":"map","values":"double"}"#, #"{"type":"map","values":"long"}"#, []),
    (#"{"type":"map","values":"long"}"#, #"{"type":"map","values":"double"}"#, ["TYPE_MISMATCH@/values"]),
    (#"{"type":"map","values":{"type":"map","values":"bytes"}}"#, #"{"type":"map","values":{"type":"map","values":"string"}}"#, []),
    (#"{"type":"array","items":"int"}"#, #"{"type":"map","values":"int"}"#, ["TYPE_MISMATCH@"]),
    (#"{"type":"map","values":"int"}"#, #"{"type":"array","items":"int"}"#, ["TYPE_MISMATCH@"]),
    (#"{"type":"array","items":"int"}"#, #""int""#, ["TYPE_MISMATCH@"]),
    (#"{"type":"map","values":"string"}"#, #""string""#, ["TYPE_MISMATCH@"]),
    (#"{"type":"array","items":["null","int"]}"#, #"{"type":"array","items":"int"}"#, []),
    (#"{"type":"array","items":"int"}"#, #"{"type":"array","items":["null","int"]}"#, ["TYPE_MISMATCH@/items"]),
    (#"{"type":"map","values":{"type":"array","items":"long"}}"#, #"{"type":"map","values":{"type":"array","items":"int"}}"#, []),
    (#"{"type":"array","items":"int","custom":1}"#, #"{"type":"array","items":"int"}"#, []),
])
func arraysAndMapsResolveTheirElements(_ reader: String, _ writer: String, _ expected: [String]) throws {
    #expect(try findings(reader: reader, writer: writer) == expected)
}

// MARK: Records

private func record(_ fields: String, name: String = "R", extra: String = "") -> String {
    #"{"type":"record","name":"\#(name)"\#(extra),"fields":[\#(fields)]}"#
}

@Test(arguments: [
    // Same fields.
    (record(#"{"name":"a","type":"int"}"#), record(#"{"name":"a","type":"int"}"#), [String]()),
    // Field order is irrelevant.
    (record(#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#), record(#"{"name":"b","type":"string"},{"name":"a","type":"int"}"#), []),
    // Writer-only fields are skipped.
    (record(#"{"name":"a","type":"int"}"#), record(#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#), []),
    (record(""), record(#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#), []),
    // Reader-only field with a default is filled in.
    (record(#"{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}"#), record(#"{"name":"a","type":"int"}"#), []),
    (record(#"{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}"#), record(#"{"name":"a","type":"int"}"#), []),
    // Reader-only field without a default.
    (record(#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#), record(#"{"name":"a","type":"int"}"#), ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1"]),
    (record(#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#), record(""), ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/0", "READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1"]),
    (record(#"{"name":"b","type":["null","string"]}"#), record(#"{"name":"a","type":"int"}"#), ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/0"]),
    // Reader-only enum field whose enum has a default symbol (Avro-Java rule).
    (record(#"{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}}"#), record(""), []),
    (record(#"{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}"#), record(""), ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/0"]),
    // Field type promotion and mismatch.
    (record(#"{"name":"a","type":"long"}"#), record(#"{"name":"a","type":"int"}"#), []),
    (record(#"{"name":"a","type":"int"}"#), record(#"{"name":"a","type":"long"}"#), ["TYPE_MISMATCH@/fields/0/type"]),
    (record(#"{"name":"x","type":"int"},{"name":"a","type":"string"}"#), record(#"{"name":"a","type":"int"},{"name":"x","type":"int"}"#), ["TYPE_MISMATCH@/fields/1/type"]),
    (record(#"{"name":"a","type":"bytes"}"#), record(#"{"name":"a","type":"string"}"#), []),
    // Field renamed: reader alias finds the writer field.
    (record(#"{"name":"b","type":"int","aliases":["a"]}"#), record(#"{"name":"a","type":"int"}"#), []),
    (record(#"{"name":"b","type":"int","aliases":["z","a"]}"#), record(#"{"name":"a","type":"long"}"#), ["TYPE_MISMATCH@/fields/0/type"]),
    (record(#"{"name":"b","type":"int"}"#), record(#"{"name":"a","type":"int"}"#), ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/0"]),
    // Record names: unqualified comparison, namespaces ignored.
    (record("", name: "R"), record("", name: "S"), ["NAME_MISMATCH@/name"]),
    (record("", name: "a.R"), record("", name: "b.R"), []),
    (record("", name: "R", extra: #","namespace":"x""#), record("", name: "R"), []),
    // Reader aliases containing the writer's full name.
    (record("", name: "R", extra: #","aliases":["S"]"#), record("", name: "S"), []),
    (record("", name: "n.R", extra: #","aliases":["m.S"]"#), record("", name: "m.S"), []),
    (record("", name: "n.R", extra: #","aliases":["S"]"#), record("", name: "m.S"), ["NAME_MISMATCH@/name"]),
    // Writer aliases do not help (only reader aliases rewrite names).
    (record("", name: "R"), record("", name: "S", extra: #","aliases":["R"]"#), ["NAME_MISMATCH@/name"]),
    // Several problems are all reported.
    (record(#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#, name: "X"), record(#"{"name":"a","type":"string"}"#), ["NAME_MISMATCH@/name", "TYPE_MISMATCH@/fields/0/type", "READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1"]),
    // doc, order and custom properties are ignored.
    (record(#"{"name":"a","type":"int","doc":"new","order":"descending"}"#, extra: #","doc":"x","p":1"#), record(#"{"name":"a","type":"int"}"#), []),
    // Nested records.
    (record(#"{"name":"in","type":{"type":"record","name":"I","fields":[{"name":"v","type":"long"}]}}"#), record(#"{"name":"in","type":{"type":"record","name":"I","fields":[{"name":"v","type":"int"}]}}"#), []),
    (record(#"{"name":"in","type":{"type":"record","name":"I","fields":[{"name":"v","type":"int"},{"name":"w","type":"int"}]}}"#), record(#"{"name":"in","type":{"type":"record","name":"I","fields":[{"name":"v","type":"int"}]}}"#), ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/0/type/fields/1"]),
    (record(#"{"name":"in","type":{"type":"record","name":"I","fields":[]}}"#), record(#"{"name":"in","type":{"type":"record","name":"J","fields":[]}}"#), ["NAME_MISMATCH@/fields/0/type/name"]),
    // Logical types are ignored.
    (record(#"{"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}}"#), record(#"{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}"#), []),
    (record(#"{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}}"#), record(#"{"name":"d","type":"bytes"}"#), []),
])
func recordsMatchFieldsByName(_ reader: String, _ writer: String, _ expected: [String]) throws {
    #expect(try findings(reader: reader, writer: writer) == expected)
}

// MARK: Enums and fixed

private func enumeration(_ symbols: String, name: String = "E", extra: String = "") -> String {
    #"{"type":"enum","name":"\#(name)","symbols":[\#(symbols)]\#(extra)}"#
}

@Test(arguments: [
    (enumeration(#""A","B""#), enumeration(#""A","B""#), [String]()),
    (enumeration(#""A","B","C""#), enumeration(#""A","B""#), []),
    (enumeration(#""B","A""#), enumeration(#""A","B""#), []),
    (enumeration(#""A""#), enumeration(#""A","B""#), ["MISSING_ENUM_SYMBOLS@/symbols"]),
    (enumeration(#""A""#), enumeration(#""A","B","C""#), ["MISSING_ENUM_SYMBOLS@/symbols"]),
    (enumeration(#""A","U""#, extra: #","default":"U""#), enumeration(#""A","B""#), []),
    (enumeration(#""A""#), enumeration(#""A""#, extra: #","default":"A""#), []),
    (enumeration(#""A","B""#, name: "F"), enumeration(#""A","B""#), ["NAME_MISMATCH@/name"]),
    (enumeration(#""A""#, name: "F"), enumeration(#""A","B""#), ["NAME_MISMATCH@/name", "MISSING_ENUM_SYMBOLS@/symbols"]),
    (enumeration(#""A""#, name: "x.E"), enumeration(#""A""#, name: "y.E"), []),
    (enumeration(#""A""#, name: "F", extra: #","aliases":["E"]"#), enumeration(#""A""#), []),
    (enumeration(#""A""#), #""string""#, ["TYPE_MISMATCH@"]),
    (#""string""#, enumeration(#""A""#), ["TYPE_MISMATCH@"]),
    (#"{"type":"fixed","name":"F","size":4}"#, #"{"type":"fixed","name":"F","size":4}"#, []),
    (#"{"type":"fixed","name":"F","size":4}"#, #"{"type":"fixed","name":"F","size":8}"#, ["FIXED_SIZE_MISMATCH@/size"]),
    (#"{"type":"fixed","name":"G","size":4}"#, #"{"type":"fixed","name":"F","size":4}"#, ["NAME_MISMATCH@/name"]),
    (#"{"type":"fixed","name":"G","size":2}"#, #"{"type":"fixed","name":"F","size":4}"#, ["NAME_MISMATCH@/name", "FIXED_SIZE_MISMATCH@/size"]),
    (#"{"type":"fixed","name":"G","size":4,"aliases":["F"]}"#, #"{"type":"fixed","name":"F","size":4}"#, []),
    (#"{"type":"fixed","name":"a.F","size":4}"#, #"{"type":"fixed","name":"b.F","size":4}"#, []),
    (#"{"type":"fixed","name":"F","size":4}"#, #""bytes""#, ["TYPE_MISMATCH@"]),
    (#""bytes""#, #"{"type":"fixed","name":"F","size":4}"#, ["TYPE_MISMATCH@"]),
    (#"{"type":"fixed","name":"F","size":16,"logicalType":"uuid"}"#, #"{"type":"fixed","name":"F","size":16}"#, []),
])
func enumsAndFixedCompareNamesSymbolsAndSizes(_ reader: String, _ writer: String, _ expected: [String]) throws {
    #expect(try findings(reader: reader, writer: writer) == expected)
}

// MARK: Unions

@Test(arguments: [
    (#"["null","int"]"#, #""int""#, [String]()),
    (#"["null","int"]"#, #""null""#, []),
    (#"["null","long"]"#, #""int""#, []),
    (#"["null","string"]"#, #""int""#, ["MISSING_UNION_BRANCH@"]),
    (#"["null","int"]"#, #"["null","int"]"#, []),
    (#"["int","null"]"#, #"["null","int"]"#, []),
    (#"["null","int","string"]"#, #"["null","int"]"#, []),
    (#"["null","int"]"#, #"["null","int","string"]"#, ["MISSING_UNION_BRANCH@/2"]),
    (#"["null"]"#, #"["null","int","string"]"#, ["MISSING_UNION_BRANCH@/1", "MISSING_UNION_BRANCH@/2"]),
    (#"["null","double"]"#, #"["null","int","long","float"]"#, []),
    (#""int""#, #"["null","int"]"#, ["TYPE_MISMATCH@"]),
    (#""long""#, #"["int","long"]"#, []),
    (#""double""#, #"["int","float"]"#, []),
    (#""string""#, #"["string","bytes"]"#, []),
    (#""int""#, #"["int"]"#, []),
    (#"["int"]"#, #""int""#, []),
    (#"[]"#, #""int""#, ["MISSING_UNION_BRANCH@"]),
    (#"["int"]"#, #"[]"#, []),
    (#""int""#, #"["string","boolean"]"#, ["TYPE_MISMATCH@", "TYPE_MISMATCH@"]),
    (#"["null",{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}]"#, #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#, []),
    (#"["null",{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}]"#, #"{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}"#, ["MISSING_UNION_BRANCH@"]),
    (#"["null",{"type":"enum","name":"E","symbols":["A","B"]}]"#, #"["null",{"type":"enum","name":"E","symbols":["A"]}]"#, []),
    (#"["null",{"type":"enum","name":"E","symbols":["A"]}]"#, #"["null",{"type":"enum","name":"E","symbols":["A","B"]}]"#, ["MISSING_UNION_BRANCH@/1"]),
    (#"[{"type":"array","items":"long"},"null"]"#, #"{"type":"array","items":"int"}"#, []),
    (#"[{"type":"map","values":"int"},"null"]"#, #"{"type":"map","values":"long"}"#, ["MISSING_UNION_BRANCH@"]),
    (#"{"type":"record","name":"R","fields":[{"name":"u","type":["null","int"]}]}"#, #"{"type":"record","name":"R","fields":[{"name":"u","type":["null","int","string"]}]}"#, ["MISSING_UNION_BRANCH@/fields/0/type/2"]),
    (#"{"type":"record","name":"R","fields":[{"name":"u","type":["null","string"]}]}"#, #"{"type":"record","name":"R","fields":[{"name":"u","type":"string"}]}"#, []),
    (#"{"type":"record","name":"R","fields":[{"name":"u","type":"string"}]}"#, #"{"type":"record","name":"R","fields":[{"name":"u","type":["null","string"]}]}"#, ["TYPE_MISMATCH@/fields/0/type"]),
    (#"["null","string","bytes"]"#, #"["bytes","string"]"#, []),
    (#"["boolean"]"#, #"["null","boolean"]"#, ["MISSING_UNION_BRANCH@/0"]),
])
func unionsNeedABranchForEveryWriterBranch(_ reader: String, _ writer: String, _ expected: [String]) throws {
    #expect(try findings(reader: reader, writer: writer) == expected)
}

// MARK: Mismatched kinds

private let kindSamples: [(String, String)] = [
    ("record", #"{"type":"record","name":"N","fields":[]}"#),
    ("enum", #"{"type":"enum","name":"N","symbols":["A"]}"#),
    ("fixed", #"{"type":"fixed","name":"N","size":1}"#),
    ("array", #"{"type":"array","items":"int"}"#),
    ("map", #"{"type":"map","values":"int"}"#),
    ("int", #""int""#),
]

struct KindPair: CustomStringConvertible, Sendable {
    let reader: String, readerText: String, writer: String, writerText: String
    var description: String { "\(reader) ← \(writer)" }
}

@Test(arguments: kindSamples.flatMap { reader in kindSamples.map { KindPair(reader: reader.0, readerText: reader.1, writer: $0.0, writerText: $0.1) } })
func differentKindsNeverMatch(_ pair: KindPair) throws {
    let result = try findings(reader: pair.readerText, writer: pair.writerText)
    #expect(result == (pair.reader == pair.writer ? [] : ["TYPE_MISMATCH@"]))
}

// MARK: Recursive schemas

private let linkedList = #"{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"]}]}"#

@Test(arguments: [
    (linkedList, linkedList, [String]()),
    (#"{"type":"record","name":"Node","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"]}]}"#, linkedList, []),
    (linkedList, #"{"type":"record","name":"Node","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"]}]}"#, ["TYPE_MISMATCH@/fields/0/type"]),
    (#"{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"]},{"name":"label","type":"string","default":""}]}"#, linkedList, []),
    (#"{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}}]}"#,
     #"{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}}]}"#, []),
    (#"{"type":"record","name":"Node","fields":[{"name":"kids","type":{"type":"map","values":"Node"}}]}"#,
     #"{"type":"record","name":"Node","fields":[{"name":"kids","type":{"type":"array","items":"Node"}}]}"#, ["TYPE_MISMATCH@/fields/0/type"]),
])
func recursiveSchemasTerminate(_ reader: String, _ writer: String, _ expected: [String]) throws {
    #expect(try findings(reader: reader, writer: writer) == expected)
}

// MARK: Levels

private let v1 = #"{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}"#
private let v2 = #"{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string","default":""}]}"#
private let v3NoDefault = #"{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"phone","type":"string"}]}"#
private let v3DropEmail = #"{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}"#
private let v3IntId = #"{"type":"record","name":"User","fields":[{"name":"id","type":"int"},{"name":"email","type":"string","default":""}]}"#

@Test(arguments: [
    // (new, olds, level, expected kinds@location#oldIndex)
    (v2, [v1], AvroCompatibilityLevel.backward, [String]()),
    (v2, [v1], .forward, []),
    (v2, [v1], .full, []),
    (v3NoDefault, [v1], .backward, ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1#0"]),
    (v3NoDefault, [v1], .forward, []),
    (v3NoDefault, [v1], .full, ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1#0"]),
    (v3NoDefault, [v1], .none, []),
    (v1, [v3NoDefault], .forward, ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1#0"]),
    (v1, [v3NoDefault], .backward, []),
    // Non-transitive levels look only at the latest old schema.
    (v3IntId, [v1, v2], .backward, ["TYPE_MISMATCH@/fields/0/type#1"]),
    (v3IntId, [v1, v2], .forward, []),
    (v3DropEmail, [v3NoDefault, v2], .backward, []),
    (v3DropEmail, [v3NoDefault, v2], .forward, []),
    // Transitive levels check every old schema, newest first.
    (v3DropEmail, [v3NoDefault, v2], .forwardTransitive, ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1#0"]),
    (v3DropEmail, [v3NoDefault, v2], .fullTransitive, ["READER_FIELD_MISSING_DEFAULT_VALUE@/fields/1#0"]),
    (v3DropEmail, [v3NoDefault, v2], .backwardTransitive, []),
    (v3IntId, [v1, v2], .backwardTransitive, ["TYPE_MISMATCH@/fields/0/type#1", "TYPE_MISMATCH@/fields/0/type#0"]),
    (v3IntId, [v1, v2], .fullTransitive, ["TYPE_MISMATCH@/fields/0/type#1", "TYPE_MISMATCH@/fields/0/type#0"]),
    (v2, [], .fullTransitive, []),
])
func levelsPickDirectionAndHistory(_ new: String, _ olds: [String], _ level: AvroCompatibilityLevel, _ expected: [String]) throws {
    let result = AvroCompatibility.check(new: try AvroSchema.parse(new), olds: try olds.map { try AvroSchema.parse($0) }, level: level)
    #expect(result.map { "\($0.kind.rawValue)@\($0.location)#\($0.oldSchemaIndex ?? -1)" } == expected)
}

@Test func incompatibilitiesCarryReadableSentences() throws {
    let result = AvroCompatibility.check(reader: try AvroSchema.parse(v3NoDefault), writer: try AvroSchema.parse(v1))
    #expect(result.count == 1)
    #expect(result.first?.additionalInfo == "phone")
    #expect(result.first?.message.contains("'phone' has no default value") == true)
}
