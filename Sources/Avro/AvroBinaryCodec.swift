// Generic Avro binary encoding and decoding of AvroValue under one schema (no resolution).
// Map entries are written in sorted key order so equal values always give equal bytes.
public enum AvroEncoder {
    public static func encode(_ value: AvroValue, schema: AvroSchema) throws(AvroValueError) -> [UInt8] {
        var writer = AvroBinaryWriter()
        try encode(value, schema: schema, into: &writer)
        return writer.bytes
    }

    public static func encode(_ value: AvroValue, schema: AvroSchema, into writer: inout AvroBinaryWriter) throws(AvroValueError) {
        try encode(value, type: schema.root, schema: schema, into: &writer, depth: 0)
    }

    static let nestingDepthMax = 512

    private static func mismatch(_ value: AvroValue, _ type: AvroType) -> AvroValueError {
        AvroValueError(kind: .typeMismatch, path: "", message: "value \(value.caseName) does not fit schema \(Checker.describe(type))")
    }

    static func encode(_ value: AvroValue, type: AvroType, schema: AvroSchema, into writer: inout AvroBinaryWriter, depth: Int) throws(AvroValueError) {
        guard depth < nestingDepthMax else {
            throw AvroValueError(kind: .limitExceeded, path: "", message: "value nesting deeper than \(nestingDepthMax)")
        }
        switch (type, value) {
        case (.primitive(.null, _), .null): return
        case (.primitive(.boolean, _), .boolean(let flag)): writer.writeBoolean(flag)
        case (.primitive(.int, _), .int(let number)): writer.writeInt(number)
        case (.primitive(.long, _), .long(let number)): writer.writeLong(number)
        case (.primitive(.float, _), .float(let number)): writer.writeFloat(number)
        case (.primitive(.double, _), .double(let number)): writer.writeDouble(number)
        case (.primitive(.bytes, _), .bytes(let bytes)): writer.writeBytes(bytes)
        case (.primitive(.string, _), .string(let text)): writer.writeString(text)
        case (.record(let record), .record(let fieldValues)):
            guard fieldValues.count == record.fields.count else {
                throw AvroValueError(kind: .typeMismatch, path: "", message: "record '\(record.name)' has \(record.fields.count) fields, value has \(fieldValues.count)")
            }
            for index in 0..<fieldValues.count {
                do {
                    try encode(fieldValues[index], type: record.fields[index].type, schema: schema, into: &writer, depth: depth + 1)
                } catch {
                    throw AvroValueError(kind: error.kind, path: "/" + record.fields[index].name + error.path, message: error.message)
                }
            }
        case (.enumeration(let enumeration), .enumeration(let symbol)):
            guard let ordinal = enumeration.ordinals[symbol] else {
                throw AvroValueError(kind: .unknownSymbol, path: "", message: "'\(symbol)' is not a symbol of enum '\(enumeration.name)'")
            }
            writer.writeInt(Int32(ordinal))
        case (.array(let items, _), .array(let elements)):
            if !elements.isEmpty {
                writer.writeLong(Int64(elements.count))
                for element in elements {
                    try encode(element, type: items, schema: schema, into: &writer, depth: depth + 1)
                }
            }
            writer.writeLong(0)
        case (.map(let valueType, _), .map(let entries)):
            if !entries.isEmpty {
                writer.writeLong(Int64(entries.count))
                for key in entries.keys.sorted() {
                    guard let entry = entries[key] else { continue }
                    writer.writeString(key)
                    try encode(entry, type: valueType, schema: schema, into: &writer, depth: depth + 1)
                }
            }
            writer.writeLong(0)
        case (.union(let branches), .union(let index, let inner)):
            guard branches.indices.contains(index) else {
                throw AvroValueError(kind: .unionBranchOutOfRange, path: "", message: "union has \(branches.count) branches, value uses branch \(index)")
            }
            writer.writeLong(Int64(index))
            try encode(inner, type: branches[index], schema: schema, into: &writer, depth: depth + 1)
        case (.fixed(let fixed), .fixed(let bytes)):
            guard bytes.count == fixed.size else {
                throw AvroValueError(kind: .fixedSizeMismatch, path: "", message: "fixed '\(fixed.name)' needs \(fixed.size) bytes, value has \(bytes.count)")
            }
            writer.writeFixed(bytes)
        case (.reference(let name), _):
            guard let definition = schema.namedTypes[name] else {
                throw AvroValueError(kind: .typeMismatch, path: "", message: "named type '\(name)' is not defined")
            }
            try encode(value, type: definition, schema: schema, into: &writer, depth: depth)
        default:
            throw mismatch(value, type)
        }
    }
}

public enum AvroDecoder {
    /// Decodes one datum; the input must hold exactly that datum.
    public static func decode(_ bytes: [UInt8], schema: AvroSchema, limits: AvroDecodingLimits = AvroDecodingLimits()) throws(AvroValueError) -> AvroValue {
        let result: Result<AvroValue, AvroValueError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(AvroValueError) -> AvroValue in try decode(buffer, schema: schema, limits: limits) }
        }
        return try result.get()
    }

    public static func decode(_ buffer: UnsafeRawBufferPointer, schema: AvroSchema, limits: AvroDecodingLimits = AvroDecodingLimits()) throws(AvroValueError) -> AvroValue {
        var reader = AvroBinaryReader(buffer)
        let value = try decode(from: &reader, type: schema.root, schema: schema, limits: limits, depth: 0)
        guard reader.remaining == 0 else {
            throw AvroValueError(kind: .trailingBytes, path: "", message: "\(reader.remaining) bytes left after the datum")
        }
        return value
    }

    /// Decodes data written with `writer` into the shape of `reader` (spec §Schema Resolution).
    /// Build an `AvroResolver` once instead when decoding many datums.
    public static func decode(_ bytes: [UInt8], writer: AvroSchema, reader: AvroSchema) throws(AvroValueError) -> AvroValue {
        try AvroResolver(writer: writer, reader: reader).decode(bytes)
    }

    static func decode(from reader: inout AvroBinaryReader, type: AvroType, schema: AvroSchema, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError) -> AvroValue {
        guard depth < limits.nestingDepthMax else {
            throw AvroValueError(kind: .limitExceeded, path: "", message: "value nesting deeper than \(limits.nestingDepthMax)")
        }
        switch type {
        case .primitive(let primitive, _):
            switch primitive {
            case .null: return .null
            case .boolean: return .boolean(try reader.readBoolean())
            case .int: return .int(try reader.readInt())
            case .long: return .long(try reader.readLong())
            case .float: return .float(try reader.readFloat())
            case .double: return .double(try reader.readDouble())
            case .bytes: return .bytes(try reader.readBytes())
            case .string: return .string(try reader.readString())
            }
        case .record(let record):
            var values: [AvroValue] = []
            values.reserveCapacity(record.fields.count)
            for field in record.fields {
                values.append(try decode(from: &reader, type: field.type, schema: schema, limits: limits, depth: depth + 1))
            }
            return .record(values)
        case .enumeration(let enumeration):
            let ordinal = try reader.readInt()
            guard ordinal >= 0, Int(ordinal) < enumeration.symbols.count else {
                throw AvroValueError(kind: .unknownSymbol, path: "", message: "enum '\(enumeration.name)' has no ordinal \(ordinal)")
            }
            return .enumeration(enumeration.symbols[Int(ordinal)])
        case .array(let items, _):
            var values: [AvroValue] = []
            while true {
                let count = try reader.readBlockCount(itemsSoFar: values.count, limits: limits)
                if count == 0 { break }
                for _ in 0..<count {
                    values.append(try decode(from: &reader, type: items, schema: schema, limits: limits, depth: depth + 1))
                }
            }
            return .array(values)
        case .map(let valueType, _):
            var entries: [String: AvroValue] = [:]
            var itemCount = 0
            while true {
                let count = try reader.readBlockCount(itemsSoFar: itemCount, limits: limits)
                if count == 0 { break }
                itemCount += count
                for _ in 0..<count {
                    let key = try reader.readString()
                    entries[key] = try decode(from: &reader, type: valueType, schema: schema, limits: limits, depth: depth + 1)
                }
            }
            return .map(entries)
        case .union(let branches):
            let index = try reader.readLong()
            guard index >= 0, index < Int64(branches.count) else {
                throw AvroValueError(kind: .unionBranchOutOfRange, path: "", message: "union has \(branches.count) branches, data selects \(index)")
            }
            let branch = Int(index)
            return .union(branch: branch, try decode(from: &reader, type: branches[branch], schema: schema, limits: limits, depth: depth + 1))
        case .fixed(let fixed):
            return .fixed(try reader.readFixed(fixed.size))
        case .reference(let name):
            guard let definition = schema.namedTypes[name] else {
                throw AvroValueError(kind: .typeMismatch, path: "", message: "named type '\(name)' is not defined")
            }
            return try decode(from: &reader, type: definition, schema: schema, limits: limits, depth: depth)
        }
    }
}

extension Checker {
    static func describe(_ type: AvroType) -> String {
        type.fullName ?? typeName(type)
    }
}
