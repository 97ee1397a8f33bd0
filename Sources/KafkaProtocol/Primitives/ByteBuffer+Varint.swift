// Kafka's variable-length integers: unsigned LEB128 varints (compact lengths, tags, counts) and
// zigzag-encoded signed varints/varlongs (record fields inside a batch).
//
// A 32-bit varint may take at most 5 bytes and a 64-bit one 10; longer input is rejected with
// `.varintTooLong` instead of silently wrapping, as Kafka's ByteUtils does.
import NIOCore

extension ByteBuffer {
    /// Longest encoding of a 32-bit varint.
    public static let varint32BytesMax = 5
    /// Longest encoding of a 64-bit varint.
    public static let varint64BytesMax = 10

    public mutating func readUnsignedVarint32(what: String = "unsigned varint") throws -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        var index = readerIndex
        for _ in 0..<Self.varint32BytesMax {
            guard let byte = getInteger(at: index, as: UInt8.self) else {
                throw KafkaProtocolError.truncated(what: what)
            }
            index += 1
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                moveReaderIndex(to: index)
                return result
            }
            shift += 7
        }
        throw KafkaProtocolError.varintTooLong(what: what)
    }

    public mutating func readUnsignedVarint64(what: String = "unsigned varlong") throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = readerIndex
        for _ in 0..<Self.varint64BytesMax {
            guard let byte = getInteger(at: index, as: UInt8.self) else {
                throw KafkaProtocolError.truncated(what: what)
            }
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                moveReaderIndex(to: index)
                return result
            }
            shift += 7
        }
        throw KafkaProtocolError.varintTooLong(what: what)
    }

    /// Zigzag-decoded signed 32-bit varint.
    public mutating func readVarint32(what: String = "varint") throws -> Int32 {
        let raw = try readUnsignedVarint32(what: what)
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Zigzag-decoded signed 64-bit varint (Kafka's "varlong").
    public mutating func readVarint64(what: String = "varlong") throws -> Int64 {
        let raw = try readUnsignedVarint64(what: what)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @discardableResult
    public mutating func writeUnsignedVarint(_ value: UInt32) -> Int {
        var remaining = value
        var written = 0
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
            written += 1
        }
        writeInteger(UInt8(truncatingIfNeeded: remaining))
        return written + 1
    }

    @discardableResult
    public mutating func writeUnsignedVarint(_ value: UInt64) -> Int {
        var remaining = value
        var written = 0
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
            written += 1
        }
        writeInteger(UInt8(truncatingIfNeeded: remaining))
        return written + 1
    }

    /// Zigzag-encoded signed 32-bit varint.
    @discardableResult
    public mutating func writeVarint(_ value: Int32) -> Int {
        writeUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// Zigzag-encoded signed 64-bit varint.
    @discardableResult
    public mutating func writeVarint(_ value: Int64) -> Int {
        writeUnsignedVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Bytes `writeUnsignedVarint` would use for `value`.
    public static func unsignedVarintSize(_ value: UInt64) -> Int {
        var remaining = value
        var size = 1
        while remaining >= 0x80 {
            remaining >>= 7
            size += 1
        }
        return size
    }

    /// Bytes `writeVarint` would use for a zigzag-encoded `value`.
    public static func varintSize(_ value: Int64) -> Int {
        unsignedVarintSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}
