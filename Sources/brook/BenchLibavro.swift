// libavro (avro-c) generic values, for measuring Brook's Avro codec beside the C library.
// avro-c's value accessors (`avro_value_set_int`, `avro_value_get_by_index`, ...) are C macros
// that Swift cannot import, so this file calls the functions of each value's interface table
// (`value.iface.pointee.set_int`) the macros expand to. One datum, one thread: not Sendable.
@preconcurrency import CAvro
import Avro

struct LibavroError: Error, CustomStringConvertible {
    var description: String
    init(_ what: String) {
        let reason = avro_strerror().map { String(cString: $0) } ?? ""
        description = reason.isEmpty ? "libavro: \(what)" : "libavro: \(what): \(reason)"
    }
}

final class LibavroGenericDatum {
    /// Room for one encoded datum; the benchmark record is a few hundred bytes.
    static let encodeBufferBytes = 64 * 1024

    private let schema: avro_schema_t
    private let interface: UnsafeMutablePointer<avro_value_iface_t>
    private var value = avro_value_t()
    private let buffer: UnsafeMutableRawBufferPointer
    private let writer: avro_writer_t
    private let reader: avro_reader_t

    init(schemaJSON: String) throws(LibavroError) {
        var parsed: avro_schema_t?
        let status = schemaJSON.withCString { avro_schema_from_json_length($0, schemaJSON.utf8.count, &parsed) }
        guard status == 0, let parsed else { throw LibavroError("schema does not parse") }
        guard let interface = avro_generic_class_from_schema(parsed) else {
            avro_schema_decref(parsed)
            throw LibavroError("no generic class for the schema")
        }
        schema = parsed
        self.interface = interface
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.encodeBufferBytes, alignment: 8)
        let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self)
        writer = avro_writer_memory(base, Int64(Self.encodeBufferBytes))
        reader = avro_reader_memory(base, 0)
        guard avro_generic_value_new(interface, &value) == 0 else { throw LibavroError("cannot create a generic value") }
    }

    deinit {
        avro_value_decref(&value)
        avro_writer_free(writer)
        avro_reader_free(reader)
        buffer.deallocate()
        interface.pointee.decref_iface?(interface)
        avro_schema_decref(schema)
    }

    /// Sets the generic value to `datum` (shaped by Brook's parse of the same schema).
    func set(_ datum: AvroValue, schema brookSchema: AvroSchema) throws(LibavroError) {
        guard let reset = value.iface.pointee.reset, reset(value.iface, value.`self`) == 0 else { throw LibavroError("reset failed") }
        try Self.fill(&value, datum, brookSchema.root, brookSchema, path: "")
    }

    /// Encodes the current value into the internal buffer; returns the byte count.
    func encode() throws(LibavroError) -> Int {
        avro_writer_reset(writer)
        guard avro_value_write(writer, &value) == 0 else { throw LibavroError("write failed") }
        return Int(avro_writer_tell(writer))
    }

    /// The bytes of the last `encode()`.
    func encodedBytes(count: Int) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: buffer[0..<min(count, buffer.count)]))
    }

    /// Decodes `bytes` into the generic value, replacing what it held.
    func decode(_ bytes: UnsafeRawBufferPointer) throws(LibavroError) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { throw LibavroError("empty input") }
        avro_reader_memory_set_source(reader, base, Int64(bytes.count))
        guard let reset = value.iface.pointee.reset, reset(value.iface, value.`self`) == 0 else { throw LibavroError("reset failed") }
        guard avro_value_read(reader, &value) == 0 else { throw LibavroError("read failed") }
    }

    /// Number of fields (record), items (array/map) of the value; a cheap way to touch the result.
    var size: Int {
        var count = 0
        guard let getSize = value.iface.pointee.get_size, getSize(value.iface, value.`self`, &count) == 0 else { return -1 }
        return count
    }

    private static func fill(
        _ target: inout avro_value_t, _ datum: AvroValue, _ type: AvroType, _ schema: AvroSchema, path: String
    ) throws(LibavroError) {
        let table = target.iface.pointee
        let interface = target.iface
        let instance = target.`self`
        func check(_ status: Int32?) throws(LibavroError) {
            guard status == 0 else { throw LibavroError("cannot set \(path.isEmpty ? "/" : path)") }
        }
        switch (schema.resolve(type), datum) {
        case (.primitive(.null, _), .null):
            try check(table.set_null?(interface, instance))
        case (.primitive(.boolean, _), .boolean(let flag)):
            try check(table.set_boolean?(interface, instance, flag ? 1 : 0))
        case (.primitive(.int, _), .int(let number)):
            try check(table.set_int?(interface, instance, number))
        case (.primitive(.long, _), .long(let number)):
            try check(table.set_long?(interface, instance, number))
        case (.primitive(.float, _), .float(let number)):
            try check(table.set_float?(interface, instance, number))
        case (.primitive(.double, _), .double(let number)):
            try check(table.set_double?(interface, instance, number))
        case (.primitive(.bytes, _), .bytes(var bytes)), (.fixed, .fixed(var bytes)):
            let isFixed = if case .fixed = datum { true } else { false }
            let status = bytes.withUnsafeMutableBytes { raw in
                isFixed ? table.set_fixed?(interface, instance, raw.baseAddress, raw.count)
                    : table.set_bytes?(interface, instance, raw.baseAddress, raw.count)
            }
            try check(status)
        case (.primitive(.string, _), .string(let text)):
            // avro-c counts the terminating NUL in a string's length.
            let status = text.withCString { table.set_string_len?(interface, instance, $0, text.utf8.count + 1) }
            try check(status)
        case (.record(let record), .record(let values)) where values.count == record.fields.count:
            for (index, field) in record.fields.enumerated() {
                var child = avro_value_t()
                try check(table.get_by_index?(interface, instance, index, &child, nil))
                try fill(&child, values[index], field.type, schema, path: path + "/" + field.name)
            }
        case (.enumeration(let enumeration), .enumeration(let symbol)):
            guard let ordinal = enumeration.symbols.firstIndex(of: symbol) else { throw LibavroError("unknown symbol at \(path)") }
            try check(table.set_enum?(interface, instance, Int32(ordinal)))
        case (.array(let items, _), .array(let values)):
            for (index, item) in values.enumerated() {
                var child = avro_value_t()
                try check(table.append?(interface, instance, &child, nil))
                try fill(&child, item, items, schema, path: path + "/\(index)")
            }
        case (.map(let valueType, _), .map(let entries)):
            for (key, entry) in entries {
                var child = avro_value_t()
                let status = key.withCString { table.add?(interface, instance, $0, &child, nil, nil) }
                try check(status)
                try fill(&child, entry, valueType, schema, path: path + "/" + key)
            }
        case (.union(let branches), .union(let branch, let inner)) where branches.indices.contains(branch):
            var child = avro_value_t()
            try check(table.set_branch?(interface, instance, Int32(branch), &child))
            try fill(&child, inner, branches[branch], schema, path: path)
        default:
            throw LibavroError("datum does not fit the schema at \(path.isEmpty ? "/" : path)")
        }
    }
}
