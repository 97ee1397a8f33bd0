// Byte-level Avro binary primitives (spec §Binary Encoding): zig-zag varints, little-endian
// IEEE floats, length-prefixed bytes. The writer appends to a [UInt8]; the reader walks an
// UnsafeRawBufferPointer and checks every length against the bytes that remain, so hostile
// input cannot make it allocate or read past the end.
public struct AvroBinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    public mutating func writeLong(_ value: Int64) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: zigzag) | 0x80)
            zigzag >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: zigzag))
    }

    @inline(__always)
    public mutating func writeInt(_ value: Int32) { writeLong(Int64(value)) }

    @inline(__always)
    public mutating func writeBoolean(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeFloat(_ value: Float) {
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    public mutating func writeDouble(_ value: Double) {
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    }

    public mutating func writeBytes(_ value: [UInt8]) {
        writeLong(Int64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func writeString(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            writeLong(Int64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func writeFixed(_ value: [UInt8]) { bytes.append(contentsOf: value) }
}

/// Limits a decoder enforces on untrusted input.
public struct AvroDecodingLimits: Sendable {
    /// Most items one array or map may hold (items of zero-byte types cost no input bytes).
    public var collectionItemsMax: Int
    /// Deepest value nesting (recursive schemas can nest without bound otherwise).
    public var nestingDepthMax: Int

    public init(collectionItemsMax: Int = 10_000_000, nestingDepthMax: Int = 512) {
        self.collectionItemsMax = collectionItemsMax
        self.nestingDepthMax = nestingDepthMax
    }
}

public struct AvroBinaryReader {
    let buffer: UnsafeRawBufferPointer
    public private(set) var position: Int = 0

    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    public var remaining: Int { buffer.count - position }

    private func truncated(_ what: String) -> AvroValueError {
        AvroValueError(kind: .truncatedInput, path: "", message: "input ends inside \(what) at byte \(position)")
    }

    @inline(__always)
    public mutating func readLong() throws(AvroValueError) -> Int64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < buffer.count else { throw truncated("a varint") }
            let byte = buffer[position]
            position += 1
            guard shift < 64 else {
                throw AvroValueError(kind: .invalidVarint, path: "", message: "varint longer than 10 bytes at byte \(position)")
            }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
    }

    public mutating func readInt() throws(AvroValueError) -> Int32 {
        let value = try readLong()
        guard let narrowed = Int32(exactly: value) else {
            throw AvroValueError(kind: .invalidVarint, path: "", message: "int value \(value) does not fit 32 bits")
        }
        return narrowed
    }

    public mutating func readBoolean() throws(AvroValueError) -> Bool {
        guard position < buffer.count else { throw truncated("a boolean") }
        let byte = buffer[position]
        position += 1
        guard byte <= 1 else {
            throw AvroValueError(kind: .typeMismatch, path: "", message: "boolean byte must be 0 or 1, found \(byte)")
        }
        return byte == 1
    }

    public mutating func readFloat() throws(AvroValueError) -> Float {
        guard remaining >= 4 else { throw truncated("a float") }
        var bits: UInt32 = 0
        for index in 0..<4 { bits |= UInt32(buffer[position + index]) << UInt32(8 * index) }
        position += 4
        return Float(bitPattern: bits)
    }

    public mutating func readDouble() throws(AvroValueError) -> Double {
        guard remaining >= 8 else { throw truncated("a double") }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(buffer[position + index]) << UInt64(8 * index) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// Reads a length prefix and checks that many bytes remain.
    private mutating func readLength() throws(AvroValueError) -> Int {
        let length = try readLong()
        guard length >= 0 else {
            throw AvroValueError(kind: .invalidVarint, path: "", message: "negative length \(length) at byte \(position)")
        }
        guard length <= Int64(remaining) else { throw truncated("a \(length)-byte value") }
        return Int(length)
    }

    public mutating func readBytes() throws(AvroValueError) -> [UInt8] {
        let length = try readLength()
        return try readFixed(length)
    }

    public mutating func readString() throws(AvroValueError) -> String {
        let length = try readLength()
        let slice = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + length)])
        position += length
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw AvroValueError(kind: .invalidUTF8, path: "", message: "string is not valid UTF-8")
        }
        return text
    }

    public mutating func readFixed(_ size: Int) throws(AvroValueError) -> [UInt8] {
        guard size <= remaining else { throw truncated("a \(size)-byte value") }
        let result = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[position..<(position + size)]))
        position += size
        return result
    }

    public mutating func skip(_ count: Int) throws(AvroValueError) {
        guard count >= 0, count <= remaining else { throw truncated("skipped bytes") }
        position += count
    }

    /// Reads an array/map block header: item count, or 0 at the end. A negative count is
    /// followed by the block's byte size, which we read and ignore.
    mutating func readBlockCount(itemsSoFar: Int, limits: AvroDecodingLimits) throws(AvroValueError) -> Int {
        var count = try readLong()
        if count < 0 {
            guard count != Int64.min else {
                throw AvroValueError(kind: .invalidVarint, path: "", message: "block count out of range")
            }
            count = -count
            _ = try readLong()
        }
        guard count <= Int64(limits.collectionItemsMax - itemsSoFar) else {
            throw AvroValueError(kind: .limitExceeded, path: "", message: "collection holds more than \(limits.collectionItemsMax) items")
        }
        return Int(count)
    }
}
