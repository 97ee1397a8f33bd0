// Confluent's wire format, which every registry-aware serializer writes and reads: byte 0 is the
// magic 0x00, bytes 1–4 the schema id as a big-endian 32-bit integer, then the payload (Avro
// binary without a container header, or UTF-8 JSON text). Confluent's Python client packs the
// header with `struct.pack('>bI', 0, id)`; ids are unsigned 32-bit there and signed in Java, so
// only 0...Int32.max is produced or accepted.
import NIOCore

public enum ConfluentWireFormat {
    /// The only magic byte this format defines (the newer GUID framing uses 0x01).
    public static let magicByte: UInt8 = 0
    /// Magic byte plus schema id.
    public static let headerBytes = 5
    /// Largest schema id that fits Java's signed int, which is what Confluent's registry issues.
    public static let schemaIDMax = Int(Int32.max)

    /// Writes the header for `schemaID` followed by `payload`.
    public static func frame(schemaID: Int, payload: some Collection<UInt8>) throws(BrookError) -> ByteBuffer {
        guard schemaID >= 0, schemaID <= schemaIDMax else {
            throw BrookError(kind: .invalidSchema, message: "schema id \(schemaID) is outside 0...\(schemaIDMax)", schemaID: schemaID)
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(headerBytes + payload.count)
        buffer.writeInteger(magicByte)
        buffer.writeInteger(UInt32(schemaID), endianness: .big)
        buffer.writeBytes(payload)
        return buffer
    }

    /// Splits framed bytes into the schema id and the payload (a slice: no copy).
    public static func unframe(_ bytes: ByteBuffer, component: RecordComponent) throws(BrookError) -> (schemaID: Int, payload: ByteBuffer) {
        guard bytes.readableBytes >= headerBytes else {
            throw BrookError(
                kind: .invalidWireFormat,
                message: "the \(component) has \(bytes.readableBytes) bytes; a schema-framed one has at least \(headerBytes)")
        }
        let start = bytes.readerIndex
        guard let magic = bytes.getInteger(at: start, as: UInt8.self), magic == magicByte else {
            let found = bytes.getInteger(at: start, as: UInt8.self).map { String($0) } ?? "nothing"
            throw BrookError(
                kind: .invalidWireFormat,
                message: "the \(component) starts with byte \(found), not the magic byte 0 of Confluent's framing")
        }
        guard let rawID = bytes.getInteger(at: start + 1, endianness: .big, as: UInt32.self), rawID <= UInt32(schemaIDMax),
            let payload = bytes.getSlice(at: start + headerBytes, length: bytes.readableBytes - headerBytes)
        else {
            throw BrookError(kind: .invalidWireFormat, message: "the \(component) names a schema id above \(schemaIDMax)")
        }
        return (Int(rawID), payload)
    }
}
