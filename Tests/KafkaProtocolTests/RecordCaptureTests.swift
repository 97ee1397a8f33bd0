// Record batches written by real clients (librdkafka 2.16 through kcat and confluent-kafka,
// kafka-python 3.0), taken from captured Produce requests. The records field is found with a
// small local parser of flexible Produce requests (v9+), independent of the generated codec.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

enum RecordCaptures {
    /// BROOK_SHARED, else <package root>/../shared (package root = this file, up 3).
    static var sharedDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["BROOK_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared")
    }

    static func load(_ relativePath: String) throws -> ByteBuffer {
        let url = sharedDirectory.appendingPathComponent("kafka-protocol/captures").appendingPathComponent(relativePath)
        let data = try Data(contentsOf: url)
        return ByteBuffer(bytes: data)
    }

    struct PartitionRecords {
        var topic: String
        var partition: Int32
        var records: ByteBuffer
    }

    enum ParseError: Error { case malformed(String) }

    static func readUnsignedVarint(_ buffer: inout ByteBuffer) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let byte = buffer.readInteger(as: UInt8.self), shift < 64 else { throw ParseError.malformed("varint") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    static func skipTaggedFields(_ buffer: inout ByteBuffer) throws {
        for _ in 0..<(try readUnsignedVarint(&buffer)) {
            _ = try readUnsignedVarint(&buffer)
            let size = Int(try readUnsignedVarint(&buffer))
            guard buffer.readableBytes >= size else { throw ParseError.malformed("tagged field") }
            buffer.moveReaderIndex(forwardBy: size)
        }
    }

    /// Compact (nullable) string/bytes: uvarint length + 1, 0 = null.
    static func readCompactBytes(_ buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let lengthPlusOne = Int(try readUnsignedVarint(&buffer))
        if lengthPlusOne == 0 { return nil }
        guard let bytes = buffer.readSlice(length: lengthPlusOne - 1) else { throw ParseError.malformed("compact bytes") }
        return bytes
    }

    /// The records of every partition in a flexible (v9+) Produce request frame.
    static func produceRecords(_ frame: ByteBuffer) throws -> [PartitionRecords] {
        var buffer = frame
        guard let size = buffer.readInteger(as: Int32.self), Int(size) == buffer.readableBytes,
            buffer.readInteger(as: Int16.self) == 0,  // api key: Produce
            let version = buffer.readInteger(as: Int16.self), version >= 9,
            buffer.readInteger(as: Int32.self) != nil,  // correlation id
            let clientIdLength = buffer.readInteger(as: Int16.self)
        else { throw ParseError.malformed("request header") }
        if clientIdLength > 0 { buffer.moveReaderIndex(forwardBy: Int(clientIdLength)) }
        try skipTaggedFields(&buffer)
        _ = try readCompactBytes(&buffer)  // transactional id
        guard buffer.readInteger(as: Int16.self) != nil, buffer.readInteger(as: Int32.self) != nil else {
            throw ParseError.malformed("acks/timeout")
        }
        var result: [PartitionRecords] = []
        for _ in 0..<max(0, Int(try readUnsignedVarint(&buffer)) - 1) {
            guard let name = try readCompactBytes(&buffer) else { throw ParseError.malformed("topic name") }
            for _ in 0..<max(0, Int(try readUnsignedVarint(&buffer)) - 1) {
                guard let index = buffer.readInteger(as: Int32.self), let records = try readCompactBytes(&buffer) else {
                    throw ParseError.malformed("partition")
                }
                try skipTaggedFields(&buffer)
                result.append(PartitionRecords(topic: String(buffer: name), partition: index, records: records))
            }
            try skipTaggedFields(&buffer)
        }
        try skipTaggedFields(&buffer)
        guard buffer.readableBytes == 0 else { throw ParseError.malformed("\(buffer.readableBytes) bytes left over") }
        return result
    }

    static func string(_ buffer: ByteBuffer?) -> String? { buffer.map { String(buffer: $0) } }
}

@Test(arguments: [
    ("006_Produce_v10.bin", CompressionCodec.none, "none"),
    ("007_Produce_v10.bin", .gzip, "gzip"),
    ("008_Produce_v10.bin", .snappy, "snappy"),
    ("009_Produce_v10.bin", .lz4, "lz4"),
    ("010_Produce_v10.bin", .zstd, "zstd"),
])
func kcatProduceBatchesDecode(file: String, codec: CompressionCodec, name: String) throws {
    let frame = try RecordCaptures.load("kcat-librdkafka-2.16.0/\(file)")
    let partitions = try RecordCaptures.produceRecords(frame)
    try #require(partitions.count == 1)
    #expect(partitions[0].topic == "kcat-codecs")
    let records = partitions[0].records

    let headers = try RecordBatch.validate(records, maxBatchBytes: 1_048_588)
    let batches = try RecordBatch.decode(records)
    try #require(batches.count == 1 && headers.count == 1)
    let batch = batches[0]
    #expect(batch.header == headers[0])
    #expect(batch.header.compression == codec)
    #expect(batch.header.producerId == -1 && batch.header.baseSequence == -1)
    #expect(batch.records.count == 5)
    #expect(batch.records.map(\.offset) == [0, 1, 2, 3, 4])
    for record in batch.records {
        let key = try #require(RecordCaptures.string(record.key))
        #expect(key.hasPrefix("key-\(name)-"))
        let number = key.suffix(2)
        #expect(
            RecordCaptures.string(record.value)
                == "value \(number) compressed with \(name); the quick brown fox jumps over the lazy dog, "
                + "the quick brown fox jumps over the lazy dog")
        #expect(record.timestamp == batch.header.baseTimestamp)
        #expect(record.headers.isEmpty)
    }

    // Re-encoding with the same codec decodes to the same records. librdkafka writes partition
    // leader epoch 0; without compression the bytes must come out identical.
    var reencoded = ByteBuffer()
    try RecordBatch.encode(
        records: batch.records, baseOffset: batch.header.baseOffset, compression: codec,
        partitionLeaderEpoch: batch.header.partitionLeaderEpoch, into: &reencoded)
    #expect(try RecordBatch.decode(reencoded).first?.records == batch.records)
    if codec == .none { #expect(reencoded == records) }
}

@Test func confluentIdempotentProducerBatches() throws {
    var allRecords: [Record] = []
    for file in ["009_Produce_v10.bin", "010_Produce_v10.bin", "011_Produce_v10.bin"] {
        let partitions = try RecordCaptures.produceRecords(try RecordCaptures.load("confluent-kafka-2.16.1/\(file)"))
        try #require(partitions.count == 1)
        let batch = try #require(try RecordBatch.decode(partitions[0].records).first)
        #expect(try RecordBatch.validate(partitions[0].records, maxBatchBytes: 1_048_588) == [batch.header])
        // Idempotence: producer id 1 from InitProducerId, epoch 0, each partition's sequence at 0.
        #expect(batch.header.producerId == 1)
        #expect(batch.header.producerEpoch == 0)
        #expect(batch.header.baseSequence == 0)
        #expect(batch.header.hasProducerId && !batch.header.isTransactional)
        allRecords += batch.records

        var reencoded = ByteBuffer()
        try RecordBatch.encode(
            records: batch.records, producerId: 1, producerEpoch: 0, baseSequence: 0,
            partitionLeaderEpoch: batch.header.partitionLeaderEpoch, into: &reencoded)
        #expect(reencoded == partitions[0].records)
    }
    #expect(allRecords.count == 11)
    let tombstone = try #require(allRecords.first { RecordCaptures.string($0.key) == "tombstone-key" })
    #expect(tombstone.value == nil && tombstone.headers.isEmpty)
    for record in allRecords where record.value != nil {
        let key = try #require(RecordCaptures.string(record.key))
        let number = String(key.dropFirst("key-".count))
        #expect(RecordCaptures.string(record.value) == "value-\(number)")
        #expect(record.headers.map(\.key) == ["trace-id", "seq", "empty"])
        #expect(record.headers.first?.value?.readableBytes == 16)
        #expect(RecordCaptures.string(record.headers[1].value) == number)
        #expect(record.headers[2].value == ByteBuffer())
    }
}

@Test func everyCapturedProduceMatchesTheIndex() throws {
    // index.json records each captured batch's header as decoded by the capture tool.
    let indexURL = RecordCaptures.sharedDirectory.appendingPathComponent("kafka-protocol/captures/index.json")
    let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: indexURL)) as? [String: Any])
    let files = try #require(index["files"] as? [[String: Any]])
    var checkedBatches = 0
    for file in files {
        guard let produce = file["produce"] as? [String: Any], let path = file["file"] as? String,
            let topics = produce["topics"] as? [[String: Any]]
        else { continue }
        let partitions = try RecordCaptures.produceRecords(try RecordCaptures.load(path))
        let expected = topics.flatMap { ($0["partitions"] as? [[String: Any]]) ?? [] }
        try #require(partitions.count == expected.count, "\(path)")
        for (actual, wanted) in zip(partitions, expected) {
            let batches = try RecordBatch.decode(actual.records)
            let wantedBatches = try #require(wanted["batches"] as? [[String: Any]])
            try #require(batches.count == wantedBatches.count, "\(path)")
            for (batch, fields) in zip(batches, wantedBatches) {
                #expect(String(batch.header.crc, radix: 16).leftPadded(to: 8) == fields["crc"] as? String, "\(path)")
                #expect(Int(batch.header.recordCount) == fields["record_count"] as? Int)
                #expect(batch.records.count == fields["record_count"] as? Int)
                #expect(Int(batch.header.producerId) == fields["producer_id"] as? Int)
                #expect(Int(batch.header.baseSequence) == fields["base_sequence"] as? Int)
                #expect(Int(batch.header.maxTimestamp) == fields["max_timestamp"] as? Int)
                checkedBatches += 1
            }
        }
    }
    #expect(checkedBatches >= 9)
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
