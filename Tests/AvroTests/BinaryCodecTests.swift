// Binary encoding golden bytes from spec §Binary Encoding, JSON encoding, hostile input, and
// resolving decode (spec §Schema Resolution).
import Testing
@testable import Avro

private func schema(_ text: String) throws -> AvroSchema { try AvroSchema.parse(text) }

@Test(arguments: [
    (#""long""#, AvroValue.long(0), [UInt8]([0x00])),
    (#""long""#, .long(-1), [0x01]),
    (#""long""#, .long(1), [0x02]),
    (#""long""#, .long(-64), [0x7f]),
    (#""long""#, .long(64), [0x80, 0x01]),
    (#""long""#, .long(Int64.max), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    (#""int""#, .int(Int32.min), [0xff, 0xff, 0xff, 0xff, 0x0f]),
    (#""null""#, .null, []),
    (#""boolean""#, .boolean(true), [0x01]),
    (#""float""#, .float(1.0), [0x00, 0x00, 0x80, 0x3f]),
    (#""double""#, .double(-2.0), [0, 0, 0, 0, 0, 0, 0, 0xc0]),
    (#""string""#, .string("foo"), [0x06, 0x66, 0x6f, 0x6f]),
    (#""bytes""#, .bytes([0xff]), [0x02, 0xff]),
    (#"{"type":"array","items":"long"}"#, .array([.long(3), .long(27)]), [0x04, 0x06, 0x36, 0x00]),
    (#"{"type":"array","items":"long"}"#, .array([]), [0x00]),
    (#"{"type":"map","values":"int"}"#, .map(["a": .int(1)]), [0x02, 0x02, 0x61, 0x02, 0x00]),
    (#"["null","string"]"#, .union(branch: 0, .null), [0x00]),
    (#"["null","string"]"#, .union(branch: 1, .string("a")), [0x02, 0x02, 0x61]),
    (#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#, .enumeration("C"), [0x04]),
    (#"{"type":"fixed","name":"F","size":3}"#, .fixed([1, 2, 3]), [1, 2, 3]),
    (#"{"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}"#,
     .record([.long(27), .string("foo")]), [0x36, 0x06, 0x66, 0x6f, 0x6f]),
])
func binaryEncodingMatchesSpec(_ schemaText: String, _ value: AvroValue, _ expected: [UInt8]) throws {
    let parsed = try schema(schemaText)
    #expect(try AvroEncoder.encode(value, schema: parsed) == expected)
    #expect(try AvroDecoder.decode(expected, schema: parsed) == value)
}

@Test func negativeBlockCountsCarryAByteSize() throws {
    // count -2, block size 2 bytes, items 3 and 27, then end.
    let bytes: [UInt8] = [0x03, 0x04, 0x06, 0x36, 0x00]
    #expect(try AvroDecoder.decode(bytes, schema: schema(#"{"type":"array","items":"long"}"#)) == .array([.long(3), .long(27)]))
}

@Test(arguments: [
    (#""string""#, [UInt8]([0x06, 0x66]), AvroValueError.Kind.truncatedInput),
    (#""string""#, [0x01], .invalidVarint),
    (#""string""#, [0x02, 0xff], .invalidUTF8),
    (#""long""#, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], .invalidVarint),
    (#""int""#, [0x80, 0x80, 0x80, 0x80, 0x10], .invalidVarint),
    (#""boolean""#, [0x02], .typeMismatch),
    (#""long""#, [0x02, 0x00], .trailingBytes),
    (#"["null","int"]"#, [0x04], .unionBranchOutOfRange),
    (#"{"type":"enum","name":"E","symbols":["A"]}"#, [0x02], .unknownSymbol),
    (#"{"type":"array","items":"null"}"#, [0xfe, 0xff, 0xff, 0xff, 0x0f], .limitExceeded),
    (#"{"type":"fixed","name":"F","size":4}"#, [1, 2], .truncatedInput),
])
func hostileInputGivesTypedErrors(_ schemaText: String, _ bytes: [UInt8], _ kind: AvroValueError.Kind) throws {
    let parsed = try schema(schemaText)
    #expect {
        _ = try AvroDecoder.decode(bytes, schema: parsed, limits: AvroDecodingLimits(collectionItemsMax: 1000))
    } throws: { error in
        (error as? AvroValueError)?.kind == kind
    }
}

@Test func valuesThatDoNotFitTheSchemaAreRejected() throws {
    let record = try schema(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":{"type":"fixed","name":"F","size":2}}]}"#)
    #expect(throws: AvroValueError.self) { _ = try AvroEncoder.encode(.record([.long(1), .fixed([1, 2])]), schema: record) }
    #expect(throws: AvroValueError.self) { _ = try AvroEncoder.encode(.record([.int(1), .fixed([1])]), schema: record) }
    #expect(throws: AvroValueError.self) { _ = try AvroEncoder.encode(.record([.int(1)]), schema: record) }
    #expect(throws: AvroValueError.self) { _ = try AvroEncoder.encode(.union(branch: 2, .null), schema: schema(#"["null","int"]"#)) }
}

@Test func jsonEncodingWrapsUnionsAndUsesCodePointsForBytes() throws {
    let parsed = try schema(#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"u","type":["null","string","R"]},{"name":"b","type":"bytes"},{"name":"m","type":{"type":"map","values":"double"}},{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}}]}"#)
    let value = AvroValue.record([
        .union(branch: 2, .record([.union(branch: 0, .null), .bytes([]), .map([:]), .enumeration("X")])),
        .bytes([0x00, 0xff]), .map(["k": .double(1.5)]), .enumeration("X"),
    ])
    let json = try AvroJSON.encode(value, schema: parsed)
    #expect(json == #"{"u":{"n.R":{"u":null,"b":"","m":{},"e":"X"}},"b":"\u0000ÿ","m":{"k":1.5},"e":"X"}"#)
    #expect(try AvroJSON.decode(json, schema: parsed) == value)
}

// MARK: Resolution

private func resolve(_ value: AvroValue, writer: String, reader: String) throws -> AvroValue {
    let writerSchema = try schema(writer)
    let bytes = try AvroEncoder.encode(value, schema: writerSchema)
    return try AvroDecoder.decode(bytes, writer: writerSchema, reader: schema(reader))
}

@Test(arguments: [
    (#""int""#, AvroValue.int(-7), #""long""#, AvroValue.long(-7)),
    (#""int""#, .int(3), #""float""#, .float(3)),
    (#""int""#, .int(3), #""double""#, .double(3)),
    (#""long""#, .long(1 << 40), #""double""#, .double(Double(1 << 40))),
    (#""long""#, .long(5), #""float""#, .float(5)),
    (#""float""#, .float(0.5), #""double""#, .double(0.5)),
    (#""string""#, .string("hi"), #""bytes""#, .bytes([0x68, 0x69])),
    (#""bytes""#, .bytes([0x68, 0x69]), #""string""#, .string("hi")),
    (#""int""#, .int(1), #"["null","long"]"#, .union(branch: 1, .long(1))),
    (#""long""#, .long(1), #"["int","double","long"]"#, .union(branch: 2, .long(1))),
    (#"["null","int"]"#, .union(branch: 1, .int(4)), #""long""#, .long(4)),
    (#"["null","int"]"#, .union(branch: 1, .int(4)), #"["int","null"]"#, .union(branch: 0, .int(4))),
    (#"{"type":"array","items":"int"}"#, .array([.int(1), .int(2)]), #"{"type":"array","items":"long"}"#, .array([.long(1), .long(2)])),
    (#"{"type":"map","values":"int"}"#, .map(["a": .int(1)]), #"{"type":"map","values":"double"}"#, .map(["a": .double(1)])),
    (#"{"type":"enum","name":"E","symbols":["A","B"]}"#, .enumeration("B"), #"{"type":"enum","name":"E","symbols":["B","A"]}"#, .enumeration("B")),
    (#"{"type":"enum","name":"E","symbols":["A","Z"]}"#, .enumeration("Z"), #"{"type":"enum","name":"E","symbols":["A","U"],"default":"U"}"#, .enumeration("U")),
    // Writer-only fields are skipped, reader-only fields take defaults, order follows the reader.
    (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"gone","type":{"type":"array","items":"string"}},{"name":"b","type":"string"}]}"#,
     .record([.int(1), .array([.string("x")]), .string("s")]),
     #"{"type":"record","name":"R","fields":[{"name":"b","type":"string"},{"name":"new","type":["null","int"],"default":null},{"name":"a","type":"long"},{"name":"d","type":{"type":"map","values":"int"},"default":{"k":2}}]}"#,
     .record([.string("s"), .union(branch: 0, .null), .long(1), .map(["k": .int(2)])])),
    // Renamed field found through a reader alias.
    (#"{"type":"record","name":"R","fields":[{"name":"old","type":"int"}]}"#, .record([.int(9)]),
     #"{"type":"record","name":"R","fields":[{"name":"new","type":"int","aliases":["old"]}]}"#, .record([.int(9)])),
])
func resolvingDecodeFollowsTheSpec(_ writer: String, _ value: AvroValue, _ reader: String, _ expected: AvroValue) throws {
    #expect(try resolve(value, writer: writer, reader: reader) == expected)
}

@Test(arguments: [
    (#"{"type":"enum","name":"E","symbols":["A","Z"]}"#, AvroValue.enumeration("Z"), #"{"type":"enum","name":"E","symbols":["A"]}"#),
    (#"["null","string"]"#, .union(branch: 1, .string("x")), #"["null","int"]"#),
    (#""long""#, .long(1), #""int""#),
    (#"{"type":"record","name":"R","fields":[]}"#, .record([]), #"{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}"#),
    (#"{"type":"record","name":"R","fields":[]}"#, .record([]), #"{"type":"record","name":"S","fields":[]}"#),
])
func unresolvableDataFailsWithResolutionError(_ writer: String, _ value: AvroValue, _ reader: String) {
    #expect {
        _ = try resolve(value, writer: writer, reader: reader)
    } throws: { error in
        (error as? AvroValueError)?.kind == .resolutionFailure
    }
}

@Test func readableUnionBranchesStillDecodeWhenOthersCannot() throws {
    // The string branch cannot be read as int, but data using the null branch is fine.
    #expect(try resolve(.union(branch: 0, .null), writer: #"["null","string"]"#, reader: #"["null","int"]"#) == .union(branch: 0, .null))
}
