// Serializers that need no registry: UTF-8 strings, raw bytes, big-endian integers laid out as
// Java's IntegerSerializer (4 bytes) and LongSerializer (8 bytes) write them, so keys written by
// a Java or Python producer with those serializers read back here and partition the same way,
// and `Codable` values as JSON text.
import Foundation
import NIOCore

// MARK: Strings

/// UTF-8 text, as Java's StringSerializer writes it.
public struct StringSerializer: Serializer {
    public init() {}
    public func serialize(_ value: String, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        ByteBuffer(string: value)
    }
}

/// UTF-8 text; bytes that are not valid UTF-8 are an error rather than replaced characters.
public struct StringDeserializer: Deserializer {
    public init() {}
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> String {
        guard let text = bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes),
            text.utf8.elementsEqual(bytes.readableBytesView)
        else {
            throw BrookError(kind: .deserializationFailed, message: "the \(context.component) is not valid UTF-8")
        }
        return text
    }
}

// MARK: Bytes

/// Bytes as they are.
public struct BytesSerializer: Serializer {
    public init() {}
    public func serialize(_ value: [UInt8], context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        ByteBuffer(bytes: value)
    }
}

public struct BytesDeserializer: Deserializer {
    public init() {}
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> [UInt8] {
        Array(bytes.readableBytesView)
    }
}

/// A ByteBuffer as it is (no copy).
public struct ByteBufferSerializer: Serializer {
    public init() {}
    public func serialize(_ value: ByteBuffer, context: SerializationContext) async throws(BrookError) -> ByteBuffer { value }
}

public struct ByteBufferDeserializer: Deserializer {
    public init() {}
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> ByteBuffer { bytes }
}

// MARK: Integers

/// A fixed-width big-endian integer: `Int32` as Java's IntegerSerializer, `Int64` as its
/// LongSerializer, `Int16` as its ShortSerializer.
public struct BigEndianIntegerSerializer<Value: FixedWidthInteger & Sendable>: Serializer {
    public init() {}
    public func serialize(_ value: Value, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(value, endianness: .big)
        return buffer
    }
}

/// Reads what `BigEndianIntegerSerializer` writes; any other length is an error (Java's
/// deserializers refuse it the same way).
public struct BigEndianIntegerDeserializer<Value: FixedWidthInteger & Sendable>: Deserializer {
    public init() {}
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Value {
        let width = MemoryLayout<Value>.size
        guard bytes.readableBytes == width, let value = bytes.getInteger(at: bytes.readerIndex, endianness: .big, as: Value.self) else {
            throw BrookError(
                kind: .deserializationFailed,
                message: "the \(context.component) has \(bytes.readableBytes) bytes; a \(Value.self) needs exactly \(width)")
        }
        return value
    }
}

public typealias Int32Serializer = BigEndianIntegerSerializer<Int32>
public typealias Int32Deserializer = BigEndianIntegerDeserializer<Int32>
public typealias Int64Serializer = BigEndianIntegerSerializer<Int64>
public typealias Int64Deserializer = BigEndianIntegerDeserializer<Int64>

/// Swift's `Int` as Java's LongSerializer writes a long (8 bytes, big-endian).
public struct IntSerializer: Serializer {
    public init() {}
    public func serialize(_ value: Int, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int64(value), endianness: .big)
        return buffer
    }
}

public struct IntDeserializer: Deserializer {
    public init() {}
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Int {
        let value = try await Int64Deserializer().deserialize(bytes, context: context)
        guard let result = Int(exactly: value) else {
            throw BrookError(kind: .deserializationFailed, message: "\(value) does not fit in Int on this platform")
        }
        return result
    }
}

// MARK: Codable JSON

/// A `Codable` value as JSON text (no registry, no framing). Keys are sorted so equal values
/// give equal bytes, which keeps compacted topics and byte comparisons honest.
public struct JSONSerializer<Value: Encodable & Sendable>: Serializer {
    public init() {}
    public func serialize(_ value: Value, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        ByteBuffer(bytes: try encodeJSON(value, component: context.component))
    }
}

public struct JSONDeserializer<Value: Decodable & Sendable>: Deserializer {
    public init() {}
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Value {
        try decodeJSON(Value.self, from: Data(bytes.readableBytesView), component: context.component)
    }
}

/// Encodes with sorted keys; shared by the plain JSON and the JSON Schema serializers.
func encodeJSON<Value: Encodable>(_ value: Value, component: RecordComponent) throws(BrookError) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
        return Array(try encoder.encode(value))
    } catch {
        throw BrookError(kind: .serializationFailed, message: "the \(component) does not encode as JSON: \(error)")
    }
}

func decodeJSON<Value: Decodable>(_ type: Value.Type, from data: Data, component: RecordComponent) throws(BrookError) -> Value {
    do {
        return try JSONDecoder().decode(Value.self, from: data)
    } catch let error as DecodingError {
        throw BrookError(kind: .deserializationFailed, message: "the \(component) does not decode as \(Value.self): \(describe(error))")
    } catch {
        throw BrookError(kind: .deserializationFailed, message: "the \(component) does not decode as \(Value.self): \(error)")
    }
}

/// A one-line reason for a decoding failure, naming the coding path.
private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let components = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        return "/" + components.joined(separator: "/")
    }
    switch error {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
        return "\(path(context)): \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}
