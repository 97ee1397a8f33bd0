// Property tests over seeded random schemas: self-compatibility, canonical form stability,
// binary and JSON round trips, and libavro (avro-c) as an independent oracle for the bytes.
import Foundation
import Testing
@preconcurrency import CAvro
@testable import Avro

private let seeds: [UInt64] = Array(1...150)

@Test(arguments: seeds)
func randomSchemaIsCompatibleWithItselfAndStable(_ seed: UInt64) throws {
    var generator = RandomSchemaGenerator(seed: seed)
    let schema = try AvroSchema.parse(generator.schemaText())
    #expect(AvroCompatibility.check(reader: schema, writer: schema).isEmpty)
    for level in AvroCompatibilityLevel.allCases {
        #expect(AvroCompatibility.check(new: schema, olds: [schema, schema], level: level).isEmpty)
    }
    let reparsed = try AvroSchema.parse(schema.canonicalString)
    #expect(reparsed.fingerprint64 == schema.fingerprint64)
    #expect(reparsed.canonicalString == schema.canonicalString)
}

@Test(arguments: seeds)
func randomDatumRoundTrips(_ seed: UInt64) throws {
    var generator = RandomSchemaGenerator(seed: seed)
    let schema = try AvroSchema.parse(generator.schemaText())
    let resolver = try AvroResolver(writer: schema, reader: schema)
    for _ in 0..<5 {
        let value = generator.value(for: schema.root, in: schema)
        let bytes = try AvroEncoder.encode(value, schema: schema)
        #expect(try AvroDecoder.decode(bytes, schema: schema) == value)
        #expect(try resolver.decode(bytes) == value)
        let json = try AvroJSON.encode(value, schema: schema)
        #expect(try AvroJSON.decode(json, schema: schema) == value)
    }
}

/// Decodes `bytes` with libavro under the schema's canonical form, re-encodes them with libavro
/// and returns (libavro's bytes, libavro's JSON rendering).
private func libavroRoundTrip(schemaText: String, bytes: [UInt8]) -> (bytes: [UInt8], json: String)? {
    var cSchema: avro_schema_t?
    guard avro_schema_from_json_length(schemaText, schemaText.utf8.count, &cSchema) == 0, let cSchema else { return nil }
    defer { avro_schema_decref(cSchema) }
    guard let iface = avro_generic_class_from_schema(cSchema) else { return nil }
    defer { iface.pointee.decref_iface?(iface) }
    var value = avro_value_t()
    guard avro_generic_value_new(iface, &value) == 0 else { return nil }
    defer { avro_value_decref(&value) }
    let readOK: Bool = bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { characters in
            // avro-c needs a non-null pointer even for empty input.
            var empty: CChar = 0
            let base = characters.baseAddress ?? withUnsafeMutablePointer(to: &empty) { UnsafePointer($0) }
            let reader = avro_reader_memory(base, Int64(characters.count))
            defer { avro_reader_free(reader) }
            return avro_value_read(reader, &value) == 0
        }
    }
    guard readOK else { return nil }
    var output = [CChar](repeating: 0, count: bytes.count + 16)
    let written: Int = output.withUnsafeMutableBufferPointer { buffer in
        let writer = avro_writer_memory(buffer.baseAddress, Int64(buffer.count))
        defer { avro_writer_free(writer) }
        guard avro_value_write(writer, &value) == 0 else { return -1 }
        return Int(avro_writer_tell(writer))
    }
    guard written >= 0 else { return nil }
    var jsonPointer: UnsafeMutablePointer<CChar>?
    guard avro_value_to_json(&value, 1, &jsonPointer) == 0, let jsonPointer else { return nil }
    defer { free(jsonPointer) }
    return (output.prefix(written).map { UInt8(bitPattern: $0) }, String(cString: jsonPointer))
}

@Test(arguments: seeds)
func libavroReadsAndRewritesOurBytesIdentically(_ seed: UInt64) throws {
    var generator = RandomSchemaGenerator(seed: seed, avoidEmptyTypes: true)
    let schema = try AvroSchema.parse(generator.schemaText())
    for _ in 0..<3 {
        let value = generator.value(for: schema.root, in: schema)
        let bytes = try AvroEncoder.encode(value, schema: schema)
        let oracle = try #require(libavroRoundTrip(schemaText: schema.canonicalForm, bytes: bytes), "libavro failed: \(String(cString: avro_strerror()))")
        #expect(oracle.bytes == bytes)
        // libavro's JSON rendering decodes, under our schema, to the same datum.
        #expect(try AvroJSON.decode(oracle.json, schema: schema) == value, "libavro JSON: \(oracle.json)")
    }
}
