// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2).
import CCRC32C
import NIOCore

public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from `crc` (0 starts a new checksum).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        brook_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    public static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) {
            return crc
        }
        return Array(bytes).withUnsafeBytes { checksum($0) }
    }

    /// The CRC-32C of `length` readable bytes of `buffer` starting at reader offset + `offset`.
    public static func checksum(_ buffer: ByteBuffer, at offset: Int, length: Int) -> UInt32 {
        buffer.withUnsafeReadableBytes { raw in
            checksum(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]))
        }
    }
}
