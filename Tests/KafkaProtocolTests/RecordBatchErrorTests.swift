// Bad batches end in typed errors: CRC, legacy magic, truncation, impossible counts and
// random corruption. None of them may crash.
@testable import KafkaProtocol
import NIOCore
import Testing

private func sampleBatch(_ codec: CompressionCodec = .none, count: Int = 8) throws -> ByteBuffer {
    var generator = RecordTestRandom(seed: 7 &+ UInt64(codec.rawValue))
    let records = RecordTestData.randomRecords(count: count, baseOffset: 0, gaps: false, using: &generator)
    return try RecordBatch.encode(records: records, compression: codec)
}

@Test(arguments: CompressionCodec.allCases)
func corruptBodyFailsTheCRC(codec: CompressionCodec) throws {
    var buffer = try sampleBatch(codec)
    let index = buffer.readableBytes - 3
    buffer.setInteger(buffer.getInteger(at: index, as: UInt8.self)! ^ 0x5a, at: index)
    for run in [{ _ = try RecordBatch.decode(buffer) }, { _ = try RecordBatch.validate(buffer, maxBatchBytes: 1 << 20) }] {
        let error = #expect(throws: RecordBatchError.self) { try run() }
        guard case .crcMismatch = error else {
            Issue.record("expected crcMismatch, got \(String(describing: error))")
            continue
        }
    }
}

@Test func aCorruptCRCFieldCanBeSkippedWhenAsked() throws {
    var buffer = try sampleBatch()
    buffer.setInteger(UInt32(0xdead_beef), at: RecordBatchHeader.Offset.crc)
    #expect(throws: RecordBatchError.self) { _ = try RecordBatch.decode(buffer) }
    #expect(try RecordBatch.decode(buffer, verifyCRC: false).first?.records.count == 8)
}

@Test func legacyMagicIsUnsupported() throws {
    // A magic 1 message: offset, size, CRC-32, magic 1, attributes, timestamp, key, value.
    var legacy = ByteBuffer()
    legacy.writeInteger(Int64(0))
    let legacyMessageBytes: Int32 = 27  // CRC 4, magic 1, attributes 1, timestamp 8, key 4, value 4 + 5.
    legacy.writeInteger(legacyMessageBytes)
    legacy.writeInteger(UInt32(0x1234_5678))
    legacy.writeInteger(Int8(1))
    legacy.writeInteger(Int8(0))
    legacy.writeInteger(Int64(1_700_000_000_000))
    legacy.writeInteger(Int32(-1))
    legacy.writeInteger(Int32(5))
    legacy.writeString("hello")
    #expect(throws: RecordBatchError.unsupportedMagic(1)) { _ = try RecordBatch.decode(legacy) }
    #expect(throws: RecordBatchError.unsupportedMagic(1)) { _ = try RecordBatch.validate(legacy, maxBatchBytes: 1 << 20) }
    var magicZero = try sampleBatch()
    magicZero.setInteger(Int8(0), at: RecordBatchHeader.Offset.magic)
    #expect(throws: RecordBatchError.unsupportedMagic(0)) { _ = try RecordBatch.decode(magicZero) }
}

@Test(arguments: [CompressionCodec.none, .zstd])
func everyTruncationIsHandled(codec: CompressionCodec) throws {
    let records = (0..<4).map { index in
        Record(
            timestamp: 1_700_000_000_000 + Int64(index), key: index == 0 ? nil : RecordTestData.text("key-\(index)"),
            value: RecordTestData.text("value \(index)"),
            headers: [RecordHeader(key: "h", value: index == 1 ? nil : RecordTestData.text("v"))])
    }
    let buffer = try RecordBatch.encode(records: records, compression: codec)
    for length in 0..<buffer.readableBytes {
        let prefix = buffer.getSlice(at: 0, length: length)!
        // Fetched data: a partial batch is dropped. Produce data: it is an error.
        #expect(try RecordBatch.decode(prefix).isEmpty)
        if length > 0 {
            #expect(throws: RecordBatchError.self) { _ = try RecordBatch.validate(prefix, maxBatchBytes: 1 << 20) }
        }
        #expect(throws: RecordBatchError.self) { _ = try RecordBatch.decodeBatch(prefix) }
    }
}

@Test func lengthBelowTheHeaderSizeIsInvalid() throws {
    var buffer = try sampleBatch()
    buffer.setInteger(Int32(48), at: RecordBatchHeader.Offset.length)
    #expect(throws: RecordBatchError.invalidLength(48)) { _ = try RecordBatch.decode(buffer) }
    buffer.setInteger(Int32(-5), at: RecordBatchHeader.Offset.length)
    #expect(throws: RecordBatchError.invalidLength(-5)) { _ = try RecordBatch.validate(buffer, maxBatchBytes: 1 << 20) }
}

@Test func validateChecksCountsAgainstOffsets() throws {
    var buffer = try sampleBatch()
    buffer.setInteger(Int32(7), at: RecordBatchHeader.Offset.recordCount)
    try RecordTestData.restampCRC(&buffer)
    #expect(throws: RecordBatchError.invalidRecordCount(count: 7, lastOffsetDelta: 7)) {
        _ = try RecordBatch.validate(buffer, maxBatchBytes: 1 << 20)
    }
    // Decoding notices that 7 records leave bytes over.
    #expect(throws: RecordBatchError.self) { _ = try RecordBatch.decode(buffer) }

    var huge = try sampleBatch()
    huge.setInteger(Int32.max, at: RecordBatchHeader.Offset.recordCount)
    huge.setInteger(Int32.max - 1, at: RecordBatchHeader.Offset.lastOffsetDelta)
    try RecordTestData.restampCRC(&huge)
    #expect(throws: RecordBatchError.self) { _ = try RecordBatch.validate(huge, maxBatchBytes: 1 << 20) }
    #expect(throws: RecordBatchError.self) { _ = try RecordBatch.decode(huge) }

    var zero = try sampleBatch()
    zero.setInteger(Int32(0), at: RecordBatchHeader.Offset.recordCount)
    try RecordTestData.restampCRC(&zero)
    #expect(throws: RecordBatchError.invalidRecordCount(count: 0, lastOffsetDelta: 7)) {
        _ = try RecordBatch.validate(zero, maxBatchBytes: 1 << 20)
    }
}

@Test func validateEnforcesTheBatchSizeLimit() throws {
    let buffer = try sampleBatch(count: 30)
    #expect(throws: RecordBatchError.batchTooLarge(size: buffer.readableBytes, limit: 100)) {
        _ = try RecordBatch.validate(buffer, maxBatchBytes: 100)
    }
    #expect(try RecordBatch.validate(buffer, maxBatchBytes: buffer.readableBytes).count == 1)
    #expect(try RecordBatch.validate(ByteBuffer(), maxBatchBytes: 100).isEmpty)
}

@Test func unknownCompressionCodecIsRejected() throws {
    var buffer = try sampleBatch()
    buffer.setInteger(Int16(5), at: RecordBatchHeader.Offset.attributes)
    try RecordTestData.restampCRC(&buffer)
    #expect(throws: RecordBatchError.unsupportedCompression(5)) { _ = try RecordBatch.decode(buffer) }
    #expect(throws: RecordBatchError.unsupportedCompression(5)) { _ = try RecordBatch.validate(buffer, maxBatchBytes: 1 << 20) }
}

@Test func decompressionLimitAppliesToBatches() throws {
    let records = [Record(timestamp: 0, key: nil, value: ByteBuffer(repeating: 0, count: 2_000_000))]
    let buffer = try RecordBatch.encode(records: records, compression: .zstd)
    #expect(buffer.readableBytes < 10_000)
    #expect(throws: RecordBatchError.decompressedSizeLimitExceeded(limit: 1_000_000)) {
        _ = try RecordBatch.decode(buffer, decompressedBytesMax: 1_000_000)
    }
    #expect(try RecordBatch.decode(buffer).first?.records == records)
}

@Test(arguments: CompressionCodec.allCases)
func randomCorruptionNeverCrashes(codec: CompressionCodec) throws {
    // Flip bytes anywhere (CRC checks off, so corrupt bodies reach the record parser).
    let original = try sampleBatch(codec, count: 12)
    var generator = RecordTestRandom(seed: 99 &+ UInt64(codec.rawValue))
    var failures = 0
    for _ in 0..<400 {
        var buffer = original
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let index = Int.random(in: RecordBatchHeader.Offset.attributes..<buffer.readableBytes, using: &generator)
            buffer.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
        }
        do {
            _ = try RecordBatch.decode(buffer, verifyCRC: false, decompressedBytesMax: 1 << 20)
        } catch {
            failures += 1
        }
    }
    #expect(failures > 0)
}

@Test func errorsDescribeThemselves() {
    #expect(RecordBatchError.unsupportedMagic(1).description.contains("magic 1"))
    #expect(RecordBatchError.batchTooLarge(size: 10, limit: 5).description.contains("limit of 5"))
}
