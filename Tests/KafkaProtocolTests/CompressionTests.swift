// Codec round trips, interop framings (xerial snappy, concatenated frames) and the output
// limit that stops decompression bombs.
@testable import KafkaProtocol
import NIOCore
import Testing

private func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

private func sampleData(count: Int, seed: UInt64) -> [UInt8] {
    // Half repetitive text, half noise: compressible but not trivially so.
    var generator = RecordTestRandom(seed: seed)
    let text = Array("the quick brown fox jumps over the lazy dog ".utf8)
    return (0..<count).map { index in
        index % 64 < 32 ? text[index % text.count] : UInt8.random(in: 0...255, using: &generator)
    }
}

@Test(arguments: CompressionCodec.allCases)
func compressionRoundTrips(codec: CompressionCodec) throws {
    for (index, size) in [0, 1, 100, 70_000, 150_000].enumerated() {
        let data = sampleData(count: size, seed: UInt64(index))
        let compressed = try Compression.compress(ByteBuffer(bytes: data), codec: codec)
        let restored = try Compression.decompress(compressed, codec: codec)
        #expect(bytes(restored) == data, "codec \(codec) size \(size)")
    }
}

@Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
func decompressionStopsAtTheLimit(codec: CompressionCodec) throws {
    let zeros = [UInt8](repeating: 0, count: 4 * 1024 * 1024)
    let bomb = try Compression.compress(ByteBuffer(bytes: zeros), codec: codec)
    #expect(bomb.readableBytes < 300 * 1024)
    #expect(throws: RecordBatchError.decompressedSizeLimitExceeded(limit: 1024 * 1024)) {
        _ = try Compression.decompress(bomb, codec: codec, decompressedBytesMax: 1024 * 1024)
    }
    // Exactly at the limit is allowed; one byte under is not.
    #expect(try Compression.decompress(bomb, codec: codec, decompressedBytesMax: zeros.count).readableBytes == zeros.count)
    #expect(throws: RecordBatchError.decompressedSizeLimitExceeded(limit: zeros.count - 1)) {
        _ = try Compression.decompress(bomb, codec: codec, decompressedBytesMax: zeros.count - 1)
    }
}

@Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
func truncatedOrGarbageInputThrows(codec: CompressionCodec) throws {
    let data = sampleData(count: 5000, seed: 7)
    let compressed = bytes(try Compression.compress(ByteBuffer(bytes: data), codec: codec))
    for cut in [1, compressed.count / 2, compressed.count - 1] {
        #expect(throws: RecordBatchError.self, "codec \(codec) cut at \(cut)") {
            let restored = try Compression.decompress(ByteBuffer(bytes: compressed[0..<cut]), codec: codec)
            // A codec without an end marker (raw snappy) may only fail by length; never return the data.
            if bytes(restored) != data { throw RecordBatchError.compression("short") }
        }
    }
    #expect(throws: RecordBatchError.self) {
        _ = try Compression.decompress(ByteBuffer(bytes: [0xde, 0xad, 0xbe, 0xef, 1, 2, 3]), codec: codec)
    }
}

@Test func snappyReadsXerialFraming() throws {
    // Java's xerial SnappyOutputStream: magic, version 1, compatible version 1, then
    // int32-length-prefixed raw snappy blocks.
    let first = sampleData(count: 40_000, seed: 1)
    let second = sampleData(count: 1234, seed: 2)
    var framed = ByteBuffer(bytes: SnappyCodec.xerialMagic)
    framed.writeInteger(Int32(1))
    framed.writeInteger(Int32(1))
    for block in [first, second] {
        let compressed = try Compression.compress(ByteBuffer(bytes: block), codec: .snappy)
        framed.writeInteger(Int32(compressed.readableBytes))
        framed.writeImmutableBuffer(compressed)
    }
    #expect(bytes(try Compression.decompress(framed, codec: .snappy)) == first + second)

    var truncatedBlock = framed
    truncatedBlock.moveWriterIndex(to: framed.writerIndex - 10)
    #expect(throws: RecordBatchError.self) { _ = try Compression.decompress(truncatedBlock, codec: .snappy) }
    // The xerial block sizes add up against the limit too.
    #expect(throws: RecordBatchError.decompressedSizeLimitExceeded(limit: 40_500)) {
        _ = try Compression.decompress(framed, codec: .snappy, decompressedBytesMax: 40_500)
    }
}

@Test(arguments: [CompressionCodec.gzip, .lz4, .zstd])
func concatenatedFramesDecodeAsOneStream(codec: CompressionCodec) throws {
    let first = sampleData(count: 3000, seed: 3)
    let second = sampleData(count: 5000, seed: 4)
    var joined = try Compression.compress(ByteBuffer(bytes: first), codec: codec)
    var tail = try Compression.compress(ByteBuffer(bytes: second), codec: codec)
    joined.writeBuffer(&tail)
    #expect(bytes(try Compression.decompress(joined, codec: codec)) == first + second)
}

@Test func gzipOutputHasTheGzipWrapper() throws {
    let compressed = bytes(try Compression.compress(ByteBuffer(bytes: Array("hello".utf8)), codec: .gzip))
    #expect(compressed.prefix(2) == [0x1f, 0x8b])
}

@Test func gzipReadsAVectorMadeByPythonZlib() throws {
    // python3: gzip.compress(b"brook", mtime=0)
    let vector: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0x2a, 0xca, 0xcf, 0xcf, 0x06,
        0x00, 0x82, 0xf8, 0x68, 0x9f, 0x05, 0x00, 0x00, 0x00,
    ]
    #expect(bytes(try Compression.decompress(ByteBuffer(bytes: vector), codec: .gzip)) == Array("brook".utf8))
}

@Test func lz4WritesIndependentBlocksWithoutContentSize() throws {
    let compressed = bytes(try Compression.compress(ByteBuffer(bytes: sampleData(count: 1000, seed: 5)), codec: .lz4))
    #expect(compressed.prefix(4) == [0x04, 0x22, 0x4d, 0x18])  // LZ4 frame magic, little-endian.
    let flags = compressed[4]
    #expect(flags & 0x20 != 0)  // Block independence.
    #expect(flags & 0x08 == 0)  // No content size.
    #expect(compressed[5] >> 4 & 0x07 == 4)  // 64 KiB maximum block size.
}

@Test func zstdStreamsAFrameWithoutContentSize() throws {
    // `zstd -c` reading a pipe (input size unknown): the frame header declares no content
    // size (descriptor 0x04) and carries a content checksum; it expands 39 -> 5,400 bytes.
    let frame: [UInt8] = [
        0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0xd5, 0x00, 0x00, 0x90, 0x62, 0x72,
        0x6f, 0x6f, 0x6b, 0x20, 0x7a, 0x73, 0x74, 0x64, 0x20, 0x73, 0x74, 0x72,
        0x65, 0x61, 0x6d, 0x20, 0x01, 0x00, 0x06, 0xaa, 0xfa, 0x19, 0x06, 0x00,
        0x10, 0xc5, 0x3f,
    ]
    let expected = Array(String(repeating: "brook zstd stream ", count: 300).utf8)
    #expect(bytes(try Compression.decompress(ByteBuffer(bytes: frame), codec: .zstd)) == expected)
    #expect(throws: RecordBatchError.decompressedSizeLimitExceeded(limit: 5000)) {
        _ = try Compression.decompress(ByteBuffer(bytes: frame), codec: .zstd, decompressedBytesMax: 5000)
    }
    var corrupt = frame
    corrupt[corrupt.count - 1] ^= 0xff  // The content checksum.
    #expect(throws: RecordBatchError.self) { _ = try Compression.decompress(ByteBuffer(bytes: corrupt), codec: .zstd) }
}

@Test func lz4ReadsAFrameFromTheLZ4Tool() throws {
    // `printf 'brook lz4 frame' x3 | lz4 -c`: flags 0x64 (independent blocks, content checksum).
    let frame: [UInt8] = [
        0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x1b, 0x00, 0x00, 0x00, 0xff,
        0x01, 0x62, 0x72, 0x6f, 0x6f, 0x6b, 0x20, 0x6c, 0x7a, 0x34, 0x20, 0x66,
        0x72, 0x61, 0x6d, 0x65, 0x20, 0x10, 0x00, 0x07, 0x50, 0x66, 0x72, 0x61,
        0x6d, 0x65, 0x00, 0x00, 0x00, 0x00, 0x16, 0x07, 0x98, 0xbc,
    ]
    let expected = Array(String(repeating: "brook lz4 frame ", count: 3).dropLast().utf8)
    #expect(bytes(try Compression.decompress(ByteBuffer(bytes: frame), codec: .lz4)) == expected)
}

@Test func zstdRefusesWindowsFarBeyondTheLimit() throws {
    // An empty zstd frame whose header asks for a 64 MiB window (window descriptor 0x80 =
    // 2^26): harmless output, but the decoder would allocate the window. With a 1 MiB limit
    // the window is capped at 8 MiB and the frame is refused; with 64 MiB it is accepted.
    let frame: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x80, 0x01, 0x00, 0x00]
    #expect(throws: RecordBatchError.self) {
        _ = try Compression.decompress(ByteBuffer(bytes: frame), codec: .zstd, decompressedBytesMax: 1 << 20)
    }
    #expect(try Compression.decompress(ByteBuffer(bytes: frame), codec: .zstd, decompressedBytesMax: 64 << 20).readableBytes == 0)
}
