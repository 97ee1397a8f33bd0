// Object container files: Brook → Brook round trips (null and deflate codecs), files crossing
// between Brook and libavro's own reader and writer, logical types surviving in the header,
// and broken files (truncated, wrong magic, wrong sync marker) giving typed errors.
import Testing
@preconcurrency import CAvro
@testable import Avro
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let richSchemaText = #"""
{"type":"record","name":"Order","namespace":"shop","fields":[
  {"name":"id","type":"long"},
  {"name":"customer","type":{"type":"record","name":"Customer","fields":[
     {"name":"name","type":"string"},{"name":"score","type":"double"}]}},
  {"name":"tags","type":{"type":"array","items":"string"}},
  {"name":"counts","type":{"type":"map","values":"int"}},
  {"name":"note","type":["null","string"],"default":null},
  {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"]}},
  {"name":"digest","type":{"type":"fixed","name":"Digest","size":4}},
  {"name":"payload","type":"bytes"},
  {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}}
]}
"""#

private func richValue(_ index: Int) -> AvroValue {
    let customer: AvroValue = .record([.string("customer \(index) ü"), .double(Double(index) / 3)])
    let tags: [AvroValue] = (0..<(index % 4)).map { (tag: Int) -> AvroValue in .string("tag\(tag)") }
    var counts: [String: AvroValue] = [:]
    for key in 0..<(index % 3) { counts["k\(key)"] = .int(Int32(key - index)) }
    let note: AvroValue = index % 2 == 0 ? .union(branch: 0, .null) : .union(branch: 1, .string("note \(index)"))
    let status: AvroValue = .enumeration(["NEW", "PAID", "SHIPPED"][index % 3])
    let digest: AvroValue = .fixed([UInt8(index & 0xff), 1, 2, 3])
    let payload: [UInt8] = (0..<(index % 5)).map { (byte: Int) -> UInt8 in UInt8(byte * 7) }
    let fields: [AvroValue] = [
        .long(Int64(index) * 1_000_003), customer, .array(tags), .map(counts), note, status, digest,
        .bytes(payload), .long(1_700_000_000_000 + Int64(index)),
    ]
    return .record(fields)
}

private func richValues(_ count: Int) -> [AvroValue] { (0..<count).map(richValue) }

/// A fresh path under the temporary directory; the caller removes it.
private func temporaryPath(_ name: String) -> String {
    let directory = String(cString: getenv("TMPDIR") ?? strdup("/tmp"))
    return "\(directory)/brook-ocf-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name).avro"
}

private func fileBytes(_ path: String) -> [UInt8] {
    guard let handle = fopen(path, "rb") else { return [] }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let read = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, handle) }
        if read == 0 { break }
        bytes.append(contentsOf: chunk[0..<read])
    }
    return bytes
}

private func writeBytes(_ bytes: [UInt8], to path: String) {
    guard let handle = fopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
    fclose(handle)
}

/// Datums libavro's own reader finds in a file (it signals the end by failing the next read).
private func libavroDatumCount(_ path: String) -> Int? {
    var reader: avro_file_reader_t?
    guard avro_file_reader(path, &reader) == 0, let reader else { return nil }
    defer { _ = avro_file_reader_close(reader) }
    guard let valueClass = avro_generic_class_from_schema(avro_file_reader_get_writer_schema(reader)) else { return nil }
    defer { valueClass.pointee.decref_iface?(valueClass) }
    var datum = avro_value_t()
    guard avro_generic_value_new(valueClass, &datum) == 0 else { return nil }
    defer { avro_value_decref(&datum) }
    var count = 0
    while avro_file_reader_read_value(reader, &datum) == 0 { count += 1 }
    return count
}

@Test(arguments: AvroContainerCodec.allCases)
func richRecordsRoundTrip(codec: AvroContainerCodec) throws {
    let schema = try AvroSchema.parse(richSchemaText)
    let values = richValues(300)
    let path = temporaryPath("rich-\(codec.rawValue)")
    defer { unlink(path) }
    try AvroContainerFile.write(path: path, schema: schema, values: values, codec: codec)
    let read = try AvroContainerFile.read(path: path)
    #expect(read.values == values)
    #expect(read.schema.canonicalString == schema.canonicalString)
    // The logical type is kept because the header holds Brook's schema text, not libavro's.
    #expect(read.schema.canonicalString.contains("timestamp-millis"))
    #expect(try AvroContainerFile.readHeader(path: path).codec == codec.rawValue)
    #expect(libavroDatumCount(path) == values.count)
}

@Test func deflateShrinksRepetitiveData() throws {
    let schema = try AvroSchema.parse(#""string""#)
    let values = Array(repeating: AvroValue.string(String(repeating: "brook ", count: 50)), count: 200)
    let plainPath = temporaryPath("plain")
    let deflatePath = temporaryPath("deflate")
    defer { unlink(plainPath); unlink(deflatePath) }
    try AvroContainerFile.write(path: plainPath, schema: schema, values: values, codec: .null)
    try AvroContainerFile.write(path: deflatePath, schema: schema, values: values, codec: .deflate)
    #expect(fileBytes(deflatePath).count * 10 < fileBytes(plainPath).count)
    #expect(try AvroContainerFile.read(path: deflatePath).values == values)
}

@Test func manyBlocksAndADatumLargerThanTheDefaultBlock() throws {
    let schema = try AvroSchema.parse(#""bytes""#)
    var values = (0..<2_000).map { AvroValue.bytes([UInt8](repeating: UInt8($0 & 0xff), count: 100)) }
    values.append(.bytes([UInt8](repeating: 9, count: 200_000)))
    let path = temporaryPath("blocks")
    defer { unlink(path) }
    try AvroContainerFile.write(path: path, schema: schema, values: values, codec: .deflate)
    #expect(try AvroContainerFile.read(path: path).values == values)
    #expect(libavroDatumCount(path) == values.count)
}

@Test func emptyFileHasOnlyAHeader() throws {
    let schema = try AvroSchema.parse(#"{"type":"enum","name":"E","symbols":["A"]}"#)
    let path = temporaryPath("empty")
    defer { unlink(path) }
    try AvroContainerFile.write(path: path, schema: schema, values: [])
    let read = try AvroContainerFile.read(path: path)
    #expect(read.values.isEmpty)
    #expect(read.schema.canonicalForm == schema.canonicalForm)
}

@Test func fileWrittenByLibavroIsReadByBrook() throws {
    let schemaText = #"{"type":"record","name":"Pair","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#
    let path = temporaryPath("libavro")
    defer { unlink(path) }
    var libavroSchema: avro_schema_t?
    try #require(avro_schema_from_json_length(schemaText, schemaText.utf8.count, &libavroSchema) == 0)
    let schemaHandle = try #require(libavroSchema)
    defer { avro_schema_decref(schemaHandle) }
    var writer: avro_file_writer_t?
    try #require(avro_file_writer_create_with_codec(path, schemaHandle, &writer, "deflate", 0) == 0)
    let writerHandle = try #require(writer)
    let valueClass = try #require(avro_generic_class_from_schema(schemaHandle))
    defer { valueClass.pointee.decref_iface?(valueClass) }
    var datum = avro_value_t()
    try #require(avro_generic_value_new(valueClass, &datum) == 0)
    defer { avro_value_decref(&datum) }
    let count = 50
    for index in 0..<count {
        var field = avro_value_t()
        #expect(datum.iface.pointee.get_by_name(datum.iface, datum.`self`, "a", &field, nil) == 0)
        #expect(field.iface.pointee.set_int(field.iface, field.`self`, Int32(index - 10)) == 0)
        #expect(datum.iface.pointee.get_by_name(datum.iface, datum.`self`, "b", &field, nil) == 0)
        let text = "value \(index)"
        let status = text.withCString { field.iface.pointee.set_string_len(field.iface, field.`self`, $0, strlen($0) + 1) }
        #expect(status == 0)
        #expect(avro_file_writer_append_value(writerHandle, &datum) == 0)
    }
    #expect(avro_file_writer_close(writerHandle) == 0)

    let read = try AvroContainerFile.read(path: path)
    #expect(read.values == (0..<count).map { .record([.int(Int32($0 - 10)), .string("value \($0)")]) })
    #expect(read.schema.canonicalForm == (try AvroSchema.parse(schemaText)).canonicalForm)
}

@Test func everyTruncationIsATypedErrorOrAShorterFile() throws {
    let schema = try AvroSchema.parse(richSchemaText)
    let values = richValues(5)
    let path = temporaryPath("whole")
    let truncatedPath = temporaryPath("truncated")
    defer { unlink(path); unlink(truncatedPath) }
    try AvroContainerFile.write(path: path, schema: schema, values: values, codec: .deflate)
    let bytes = fileBytes(path)
    // Every 7th cut through the header and every cut through the block (count, size, data, sync
    // marker): each cut costs a file write, so not all of them.
    let cursor = try FileCursor(path: path)
    _ = try AvroContainerFile.readHeader(cursor, limits: AvroContainerLimits())
    let headerLength = cursor.position
    cursor.close()
    let lengths = Array(stride(from: 0, to: headerLength, by: 7)) + Array(headerLength..<bytes.count)
    var typedErrors = 0
    for length in lengths {
        writeBytes(Array(bytes[0..<length]), to: truncatedPath)
        do {
            let read = try AvroContainerFile.read(path: truncatedPath)
            // Only a cut right after the header leaves a valid (empty) file.
            #expect(read.values.count < values.count)
        } catch {
            typedErrors += 1
            #expect(error.path == truncatedPath)
        }
    }
    // The only cut that leaves a valid file is right after the header's sync marker.
    let validCuts = lengths.filter { $0 == headerLength }.count
    #expect(typedErrors == lengths.count - validCuts)
}

@Test func brokenFilesGiveTypedErrors() throws {
    let schema = try AvroSchema.parse(#""long""#)
    let path = temporaryPath("broken")
    defer { unlink(path) }
    try AvroContainerFile.write(path: path, schema: schema, values: [.long(1), .long(2)])
    let bytes = fileBytes(path)

    var wrongMagic = bytes
    wrongMagic[3] = 2
    writeBytes(wrongMagic, to: path)
    #expect(throws: AvroContainerFileError.self) { try AvroContainerFile.read(path: path) }
    do { _ = try AvroContainerFile.read(path: path) } catch { #expect(error.kind == .notAContainerFile) }

    var wrongSync = bytes
    wrongSync[wrongSync.count - 1] ^= 0xff
    writeBytes(wrongSync, to: path)
    do { _ = try AvroContainerFile.read(path: path); Issue.record("a wrong sync marker was accepted") } catch {
        #expect(error.kind == .invalidBlock)
    }

    do { _ = try AvroContainerFile.read(path: path + ".missing"); Issue.record("a missing file was read") } catch {
        #expect(error.kind == .fileAccess)
    }
}

@Test func datumNotMatchingTheSchemaIsRejectedBeforeWriting() throws {
    let schema = try AvroSchema.parse(#""long""#)
    let path = temporaryPath("mismatch")
    defer { unlink(path) }
    do {
        try AvroContainerFile.write(path: path, schema: schema, values: [.long(1), .string("x")])
        Issue.record("a string was written as a long")
    } catch {
        #expect(error.kind == .invalidDatum)
        #expect(error.message.contains("datum 1"))
    }
}

@Test(arguments: [AvroContainerCodec.null, .deflate])
func corruptedBlockBytesGiveTypedErrorsOrValuesNotACrash(codec: AvroContainerCodec) throws {
    let schema = try AvroSchema.parse(richSchemaText)
    let values = richValues(6)
    let path = temporaryPath("whole-\(codec.rawValue)")
    let corruptedPath = temporaryPath("corrupted-\(codec.rawValue)")
    defer { unlink(path); unlink(corruptedPath) }
    try AvroContainerFile.write(path: path, schema: schema, values: values, codec: codec)
    let bytes = fileBytes(path)
    let cursor = try FileCursor(path: path)
    _ = try AvroContainerFile.readHeader(cursor, limits: AvroContainerLimits())
    let headerLength = cursor.position
    cursor.close()
    var outcomes = (errors: 0, reads: 0)
    // Every byte of the block (count, size, data, sync marker) flipped in turn.
    for position in headerLength..<bytes.count {
        var corrupted = bytes
        corrupted[position] ^= 0xa5
        writeBytes(corrupted, to: corruptedPath)
        do {
            _ = try AvroContainerFile.read(path: corruptedPath)
            outcomes.reads += 1
        } catch {
            outcomes.errors += 1
            #expect(error.path == corruptedPath)
        }
    }
    #expect(outcomes.errors > 0)
}
