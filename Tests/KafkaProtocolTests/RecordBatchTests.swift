// Record batch encode/decode round trips, varint edges, and every way a batch can be bad:
// wrong CRC, legacy magic, truncation at any byte, random corruption (never a crash).
@testable import KafkaProtocol
import NIOCore
import Testing

/// SplitMix64: a tiny seeded generator so failures reproduce.
struct RecordTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

enum RecordTestData {
    static func randomBytes(_ count: Int, using generator: inout RecordTestRandom) -> ByteBuffer {
        // Eight bytes per generator step: debug builds make per-byte generation slow.
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count + 8)
        for _ in 0..<(count + 7) / 8 { buffer.writeInteger(generator.next()) }
        buffer.moveWriterIndex(to: count)
        return buffer
    }

    static func maybeBytes(_ maxCount: Int, using generator: inout RecordTestRandom) -> ByteBuffer? {
        if Int.random(in: 0..<5, using: &generator) == 0 { return nil }
        // Sometimes long enough for multi-byte length varints.
        let count = Int.random(in: 0..<8, using: &generator) == 0
            ? Int.random(in: 128...5_000, using: &generator) : Int.random(in: 0...maxCount, using: &generator)
        return randomBytes(count, using: &generator)
    }

    static let headerKeys = ["trace-id", "", "é日本", "content-type", String(repeating: "k", count: 200)]

    /// Records with strictly increasing offsets from `baseOffset` (gaps when `gaps`).
    static func randomRecords(
        count: Int, baseOffset: Int64, gaps: Bool, using generator: inout RecordTestRandom
    ) -> [Record] {
        var offset = baseOffset
        let baseTimestamp = Int64.random(in: 0...1_800_000_000_000, using: &generator)
        return (0..<count).map { _ in
            let headers = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                RecordHeader(
                    key: headerKeys.randomElement(using: &generator) ?? "",
                    value: maybeBytes(30, using: &generator))
            }
            let record = Record(
                offset: offset,
                timestamp: baseTimestamp + Int64.random(in: -100_000...1_000_000_000, using: &generator),
                key: maybeBytes(40, using: &generator), value: maybeBytes(300, using: &generator),
                headers: headers)
            offset += gaps ? Int64.random(in: 1...100_000, using: &generator) : 1
            return record
        }
    }

    static func text(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }

    /// Recomputes the CRC of the batch at `index` after a test edited a covered field.
    static func restampCRC(_ buffer: inout ByteBuffer, at index: Int = 0) throws {
        let header = try RecordBatchHeader.peek(in: buffer, at: index)
        let crc = RecordBatchHeader.computeCRC(of: buffer, at: index, header: header)
        buffer.setInteger(crc, at: buffer.readerIndex + index + RecordBatchHeader.Offset.crc)
    }
}

@Test(arguments: CompressionCodec.allCases)
func recordBatchRoundTrips(codec: CompressionCodec) throws {
    var generator = RecordTestRandom(seed: UInt64(codec.rawValue) &+ 1000)
    for round in 0..<8 {
        let baseOffset = Int64.random(in: 0...(1 << 50), using: &generator)
        let gaps = round % 2 == 1
        let records = RecordTestData.randomRecords(
            count: Int.random(in: 1...60, using: &generator), baseOffset: baseOffset, gaps: gaps, using: &generator)
        var buffer = ByteBuffer()
        let header = try RecordBatch.encode(
            records: records, baseOffset: baseOffset, compression: codec, producerId: 77, producerEpoch: 3,
            baseSequence: 1000, isTransactional: round % 3 == 0, partitionLeaderEpoch: 9,
            offsetDeltas: gaps ? .fromRecordOffsets : .sequential, into: &buffer)
        #expect(buffer.readableBytes == header.totalSize)
        let batches = try RecordBatch.decode(buffer)
        try #require(batches.count == 1)
        #expect(batches[0].header == header)
        #expect(batches[0].records == records)
        #expect(header.compression == codec)
        #expect(header.recordCount == Int32(records.count))
        #expect(header.lastOffset == records[records.count - 1].offset)
        #expect(header.baseTimestamp == records[0].timestamp)
        #expect(header.maxTimestamp == records.map(\.timestamp).max())
        #expect(header.isTransactional == (round % 3 == 0))
        #expect(header.producerId == 77 && header.producerEpoch == 3 && header.baseSequence == 1000)
        if gaps {
            // Produce batches must have count = last offset delta + 1; gapped (compacted) ones do not.
            #expect(throws: RecordBatchError.self) { _ = try RecordBatch.validate(buffer, maxBatchBytes: 1 << 30) }
        } else {
            #expect(try RecordBatch.validate(buffer, maxBatchBytes: 1 << 30) == [header])
        }
    }
}

@Test func sequentialOffsetsIgnoreTheRecordsOwnOffsets() throws {
    let records = (0..<3).map { Record(offset: 999, timestamp: 5, key: nil, value: RecordTestData.text("v\($0)")) }
    let batch = try #require(try RecordBatch.decode(try RecordBatch.encode(records: records, baseOffset: 40)).first)
    #expect(batch.records.map(\.offset) == [40, 41, 42])
    #expect(batch.header.lastOffsetDelta == 2)
}

@Test func varintEdgesRoundTrip() throws {
    // Timestamp deltas need full 10-byte varlongs; offset deltas reach Int32.max.
    let timestamps: [Int64] = [0, Int64.max, Int64.min, -1, 1 << 35, -(1 << 35), 63, -64, 64]
    let base: Int64 = 1 << 40
    var offsets: [Int64] = timestamps.indices.map { base + Int64($0) }
    offsets[offsets.count - 1] = base + Int64(Int32.max)
    let records = zip(timestamps, offsets).map { timestamp, offset in
        Record(offset: offset, timestamp: timestamp, key: RecordTestData.text("k"), value: nil)
    }
    var buffer = ByteBuffer()
    try RecordBatch.encode(records: records, baseOffset: base, offsetDeltas: .fromRecordOffsets, into: &buffer)
    let decoded = try #require(try RecordBatch.decode(buffer).first)
    #expect(decoded.records == records)
    #expect(decoded.header.lastOffsetDelta == Int32.max)
}

@Test func varintSizesAndZigzag() throws {
    let cases: [(Int64, Int)] = [
        (0, 1), (-1, 1), (63, 1), (-64, 1), (64, 2), (-65, 2), (8191, 2), (8192, 3),
        (Int64(Int32.max), 5), (Int64(Int32.min), 5), (Int64.max, 10), (Int64.min, 10),
    ]
    for (value, size) in cases {
        #expect(RecordVarint.size(ofVarlong: value) == size, "size of \(value)")
        var buffer = ByteBuffer()
        RecordVarint.writeVarlong(value, into: &buffer)
        #expect(buffer.readableBytes == size)
        let decoded = try buffer.withUnsafeReadableBytes { raw in
            var reader = RecordBytesReader(raw)
            return try reader.readVarlong()
        }
        #expect(decoded == value)
    }
    // Kafka's zigzag: -1 -> 1, 1 -> 2.
    var buffer = ByteBuffer()
    RecordVarint.writeVarint(-1, into: &buffer)
    RecordVarint.writeVarint(1, into: &buffer)
    RecordVarint.writeVarint(Int32.min, into: &buffer)
    #expect(Array(buffer.readableBytesView) == [0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f])
}

@Test func overlongVarintsAreRejected() {
    let sixBytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
    #expect(throws: RecordBatchError.self) {
        try sixBytes.withUnsafeBytes { raw in
            var reader = RecordBytesReader(raw)
            _ = try reader.readVarint()
        }
    }
    let tooBigForInt32: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x7f]
    #expect(throws: RecordBatchError.self) {
        try tooBigForInt32.withUnsafeBytes { raw in
            var reader = RecordBytesReader(raw)
            _ = try reader.readVarint()
        }
    }
}

@Test func logAppendTimeGivesEveryRecordTheMaxTimestamp() throws {
    let records = [10, 30, 20].map { Record(timestamp: Int64($0), key: nil, value: RecordTestData.text("x")) }
    let buffer = try RecordBatch.encode(records: records, timestampType: .logAppendTime)
    let batch = try #require(try RecordBatch.decode(buffer).first)
    #expect(batch.header.isLogAppendTime)
    #expect(batch.records.map(\.timestamp) == [30, 30, 30])
}

@Test func manyBatchesDecodeAndATrailingPartialBatchIsIgnored() throws {
    var buffer = ByteBuffer()
    var generator = RecordTestRandom(seed: 42)
    var expected: [[Record]] = []
    for (index, codec) in CompressionCodec.allCases.enumerated() {
        let records = RecordTestData.randomRecords(
            count: 5, baseOffset: Int64(index * 5), gaps: false, using: &generator)
        expected.append(records)
        try RecordBatch.encode(records: records, baseOffset: Int64(index * 5), compression: codec, into: &buffer)
    }
    let whole = buffer
    let cut = buffer.getSlice(at: 0, length: buffer.readableBytes - 7)!
    #expect(try RecordBatch.decode(whole).map(\.records) == expected)
    #expect(try RecordBatch.decode(cut).map(\.records) == Array(expected.dropLast()))
    #expect(try RecordBatch.validate(whole, maxBatchBytes: 1 << 20).count == expected.count)
    #expect(throws: RecordBatchError.self) { _ = try RecordBatch.validate(cut, maxBatchBytes: 1 << 20) }
}

@Test func emptyRecordListIsRejected() {
    #expect(throws: RecordBatchError.self) { _ = try RecordBatch.encode(records: []) }
}

@Test func decreasingOffsetsAreRejectedWhenKept() {
    let records = [Record(offset: 5, timestamp: 0, key: nil, value: nil), Record(offset: 5, timestamp: 0, key: nil, value: nil)]
    var buffer = ByteBuffer()
    #expect(throws: RecordBatchError.self) {
        try RecordBatch.encode(records: records, baseOffset: 5, offsetDeltas: .fromRecordOffsets, into: &buffer)
    }
}

@Test func validateThroughputIsPrinted() throws {
    // The produce hot path: header checks + hardware CRC-32C, no decompression. Prints MB/s
    // (debug builds understate it); asserts only the result, since CI machines vary.
    var generator = RecordTestRandom(seed: 5)
    let records = (0..<100).map { _ in
        Record(timestamp: 1_700_000_000_000, key: nil, value: RecordTestData.randomBytes(10_000, using: &generator))
    }
    var payload = ByteBuffer()
    for index in 0..<16 { try RecordBatch.encode(records: records, baseOffset: Int64(index * 100), into: &payload) }
    let rounds = 8
    let clock = ContinuousClock()
    var validated = 0
    let elapsed = try clock.measure {
        for _ in 0..<rounds { validated += try RecordBatch.validate(payload, maxBatchBytes: 2 << 20).count }
    }
    #expect(validated == 16 * rounds)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let megabytes = Double(payload.readableBytes * rounds) / 1_048_576
    print("RecordBatch.validate: \(Int(megabytes / max(seconds, 1e-9))) MB/s over \(Int(megabytes)) MB")
}
