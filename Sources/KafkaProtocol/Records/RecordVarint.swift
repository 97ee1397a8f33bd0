// Zigzag varints as used inside magic-2 records (lengths, deltas, header counts).
//
// Record fields use Kafka's `ByteUtils.writeVarint`/`writeVarlong`: a zigzag-mapped value
// `(v << 1) ^ (v >> 63)` written as a little-endian base-128 varint. These helpers are kept
// internal and namespaced (not ByteBuffer extensions) so they cannot clash with the unsigned
// varints of the flexible protocol encoding, which live elsewhere in this module.
import NIOCore

enum RecordVarint {
    /// A zigzag varint (int32) takes at most 5 bytes; a varlong (int64) at most 10.
    static let varintBytesMax = 5
    static let varlongBytesMax = 10

    static func size(ofVarint value: Int32) -> Int {
        size(ofUnsigned: UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    static func size(ofVarlong value: Int64) -> Int {
        size(ofUnsigned: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    static func size(ofUnsigned value: UInt64) -> Int {
        // Each byte carries 7 bits; a zero still takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    static func writeVarint(_ value: Int32, into buffer: inout ByteBuffer) {
        writeUnsigned(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))), into: &buffer)
    }

    static func writeVarlong(_ value: Int64, into buffer: inout ByteBuffer) {
        writeUnsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)), into: &buffer)
    }

    static func writeUnsigned(_ value: UInt64, into buffer: inout ByteBuffer) {
        var remaining = value
        // Build the bytes on the stack and append once: one bounds check per varint.
        var bytes: (UInt64, UInt64) = (0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &bytes) { raw in
            while remaining >= 0x80 {
                raw[count] = UInt8(truncatingIfNeeded: remaining) | 0x80
                remaining >>= 7
                count += 1
            }
            raw[count] = UInt8(truncatingIfNeeded: remaining)
            count += 1
        }
        withUnsafeBytes(of: &bytes) { raw in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
    }
}

/// A forward-only reader over the bytes of decoded records. It works on raw memory so the
/// record loop does no ByteBuffer bookkeeping per field; every read is bounds-checked and
/// reports a typed error instead of trapping.
struct RecordBytesReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func readUnsigned(bytesMax: Int) throws(RecordBatchError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = 0
        while true {
            guard position < bytes.count else {
                throw .invalidRecord("varint runs past the end of the records")
            }
            guard index < bytesMax else { throw .invalidRecord("varint longer than \(bytesMax) bytes") }
            let byte = bytes[position]
            position += 1
            index += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func readVarint() throws(RecordBatchError) -> Int32 {
        let raw = try readUnsigned(bytesMax: RecordVarint.varintBytesMax)
        guard raw <= UInt64(UInt32.max) else { throw .invalidRecord("varint does not fit in 32 bits") }
        let unsigned = UInt32(truncatingIfNeeded: raw)
        return Int32(bitPattern: (unsigned >> 1) ^ (0 &- (unsigned & 1)))
    }

    mutating func readVarlong() throws(RecordBatchError) -> Int64 {
        let unsigned = try readUnsigned(bytesMax: RecordVarint.varlongBytesMax)
        return Int64(bitPattern: (unsigned >> 1) ^ (0 &- (unsigned & 1)))
    }

    mutating func readByte() throws(RecordBatchError) -> UInt8 {
        guard position < bytes.count else { throw .invalidRecord("record ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    /// Skips `count` bytes and returns where they started.
    mutating func skip(_ count: Int, what: String) throws(RecordBatchError) -> Int {
        guard count >= 0, count <= remaining else {
            throw .invalidRecord("\(what) of \(count) bytes runs past the end of its record")
        }
        defer { position += count }
        return position
    }
}
