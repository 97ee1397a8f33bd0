// Big-endian primitives of Kafka's message format, just enough for the coordinator's records:
// int16/32/64, strings (int16 length, -1 = null), bytes (int32 length) and, for flexible
// versions, unsigned-varint "compact" lengths (length + 1, 0 = null) and tagged fields.
// Every length is checked against the bytes that remain, so corrupt input gives a typed error
// and never a crash or a huge allocation.

struct RecordWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeInt16(_ value: Int16) { appendBigEndian(UInt64(UInt16(bitPattern: value)), byteCount: 2) }
    mutating func writeInt32(_ value: Int32) { appendBigEndian(UInt64(UInt32(bitPattern: value)), byteCount: 4) }
    mutating func writeInt64(_ value: Int64) { appendBigEndian(UInt64(bitPattern: value), byteCount: 8) }

    /// Kafka strings carry an int16 length; longer strings are cut at the limit rather than
    /// written with a wrapped length. Inputs are bounded far below this by request sizes.
    mutating func writeString(_ value: String) {
        let utf8 = Array(value.utf8.prefix(Int(Int16.max)))
        writeInt16(Int16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func writeNullableString(_ value: String?) {
        guard let value else {
            writeInt16(-1)
            return
        }
        writeString(value)
    }

    mutating func writeBytes(_ value: [UInt8]) {
        writeInt32(Int32(clamping: value.count))
        bytes.append(contentsOf: value.prefix(Int(Int32.max)))
    }

    private mutating func appendBigEndian(_ value: UInt64, byteCount: Int) {
        for index in stride(from: byteCount - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (UInt64(index) * 8)))
        }
    }
}

struct RecordReader {
    private let bytes: [UInt8]
    private var position = 0
    /// Flexible versions use compact lengths and tagged fields.
    var flexible: Bool

    /// An unsigned varint longer than this many bytes cannot encode a 32-bit length.
    static let unsignedVarintBytesMax = 5

    init(_ bytes: [UInt8], flexible: Bool) {
        self.bytes = bytes
        self.flexible = flexible
    }

    private var remaining: Int { bytes.count - position }

    private mutating func readBigEndian(byteCount: Int, _ field: String) throws(CoordinatorRecordError) -> UInt64 {
        guard remaining >= byteCount else { throw .truncated(field: field) }
        var value: UInt64 = 0
        for index in 0..<byteCount { value = value << 8 | UInt64(bytes[position + index]) }
        position += byteCount
        return value
    }

    mutating func readInt16(_ field: String) throws(CoordinatorRecordError) -> Int16 {
        Int16(bitPattern: UInt16(try readBigEndian(byteCount: 2, field)))
    }

    mutating func readInt32(_ field: String) throws(CoordinatorRecordError) -> Int32 {
        Int32(bitPattern: UInt32(try readBigEndian(byteCount: 4, field)))
    }

    mutating func readInt64(_ field: String) throws(CoordinatorRecordError) -> Int64 {
        Int64(bitPattern: try readBigEndian(byteCount: 8, field))
    }

    mutating func readUnsignedVarint(_ field: String) throws(CoordinatorRecordError) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<Self.unsignedVarintBytesMax {
            guard remaining >= 1 else { throw .truncated(field: field) }
            let byte = bytes[position]
            position += 1
            value |= UInt32(byte & 0x7F) << (UInt32(index) * 7)
            if byte & 0x80 == 0 { return value }
        }
        throw .invalidLength(field: field, length: Int64(value))
    }

    /// A length prefix: nil for null. Compact lengths are stored plus one.
    private mutating func readLength(_ field: String, classicByteCount: Int) throws(CoordinatorRecordError) -> Int? {
        let length: Int64
        if flexible {
            length = Int64(try readUnsignedVarint(field)) - 1
        } else if classicByteCount == 2 {
            length = Int64(try readInt16(field))
        } else {
            length = Int64(try readInt32(field))
        }
        if length == -1 { return nil }
        guard length >= 0, length <= Int64(remaining) else { throw .invalidLength(field: field, length: length) }
        return Int(length)
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func readNullableString(_ field: String) throws(CoordinatorRecordError) -> String? {
        guard let length = try readLength(field, classicByteCount: 2) else { return nil }
        guard let string = String(validating: take(length), as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return string
    }

    mutating func readString(_ field: String) throws(CoordinatorRecordError) -> String {
        guard let string = try readNullableString(field) else { throw .invalidLength(field: field, length: -1) }
        return string
    }

    mutating func readBytes(_ field: String) throws(CoordinatorRecordError) -> [UInt8] {
        // Kafka writes null subscription/assignment bytes only in corrupt data; read them as empty.
        guard let length = try readLength(field, classicByteCount: 4) else { return [] }
        return Array(take(length))
    }

    /// An array element count; each element takes at least one byte, which bounds the count.
    mutating func readArrayCount(_ field: String) throws(CoordinatorRecordError) -> Int {
        guard let count = try readLength(field, classicByteCount: 4) else { return 0 }
        return count
    }

    mutating func skipTaggedFields() throws(CoordinatorRecordError) {
        let count = try readUnsignedVarint("tagged field count")
        guard Int(count) <= remaining else { throw .invalidLength(field: "tagged field count", length: Int64(count)) }
        for _ in 0..<count {
            _ = try readUnsignedVarint("tag")
            let size = Int(try readUnsignedVarint("tagged field size"))
            guard size <= remaining else { throw .invalidLength(field: "tagged field", length: Int64(size)) }
            position += size
        }
    }
}
