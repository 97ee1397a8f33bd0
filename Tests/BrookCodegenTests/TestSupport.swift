// Shared helpers for the generator tests: where the package is, a seeded random source, and
// libavro (avro-c) as an independent oracle for the bytes generated types write.
@preconcurrency import CAvro
import Avro
import Foundation

enum PackagePaths {
    /// The package root, found from this file's location (Tests/BrookCodegenTests/…).
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let schemas = root + "/schemas"
    static let committedGenerated = root + "/Tests/BrookCodegenTests/Generated"
}

/// SplitMix64: small, seedable, good enough to spread test values.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }

    mutating func text(maximumLength: Int = 12) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzÄé€😀 -_0123456789")
        return String((0..<Int.random(in: 0...maximumLength, using: &self)).map { _ in alphabet.randomElement(using: &self) ?? "a" })
    }

    mutating func bytes(count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Reads `bytes` with libavro under `schemaText` and writes them back; nil when libavro refuses
/// the schema or the bytes. Equal output means libavro reads exactly the datum we wrote.
func libavroRewrite(schemaText: String, bytes: [UInt8]) -> [UInt8]? {
    var schema: avro_schema_t?
    guard avro_schema_from_json_length(schemaText, schemaText.utf8.count, &schema) == 0, let schema else { return nil }
    defer { avro_schema_decref(schema) }
    guard let interface = avro_generic_class_from_schema(schema) else { return nil }
    defer { interface.pointee.decref_iface?(interface) }
    var value = avro_value_t()
    guard avro_generic_value_new(interface, &value) == 0 else { return nil }
    defer { avro_value_decref(&value) }
    let readOK: Bool = bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { characters in
            var empty: CChar = 0
            let base = characters.baseAddress ?? withUnsafeMutablePointer(to: &empty) { UnsafePointer($0) }
            let reader = avro_reader_memory(base, Int64(characters.count))
            defer { avro_reader_free(reader) }
            return avro_value_read(reader, &value) == 0
        }
    }
    guard readOK else { return nil }
    var output = [CChar](repeating: 0, count: bytes.count + 64)
    let written: Int = output.withUnsafeMutableBufferPointer { buffer in
        let writer = avro_writer_memory(buffer.baseAddress, Int64(buffer.count))
        defer { avro_writer_free(writer) }
        guard avro_value_write(writer, &value) == 0 else { return -1 }
        return Int(avro_writer_tell(writer))
    }
    guard written >= 0 else { return nil }
    return output.prefix(written).map { UInt8(bitPattern: $0) }
}

/// Runs `body` with a reader over `bytes`. (The Result detour keeps the typed error: closures
/// with typed throws handed straight to `withUnsafeBytes` crash the 6.3 compiler.)
func withReader<Value>(_ bytes: [UInt8], _ body: (inout AvroBinaryReader) throws(AvroValueError) -> Value) throws(AvroValueError) -> Value {
    let result: Result<Value, AvroValueError> = bytes.withUnsafeBytes { buffer in
        Result { () throws(AvroValueError) -> Value in
            var reader = AvroBinaryReader(buffer)
            return try body(&reader)
        }
    }
    return try result.get()
}
