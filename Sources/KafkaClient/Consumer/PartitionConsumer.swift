// Reads one partition from a starting position as an AsyncSequence of records.
//
// Each iteration step that finds its buffer empty sends a Fetch to the partition's leader
// (long-polling up to `maxWaitMilliseconds`), decodes the returned batches and hands out the
// records at or after the position asked for: a fetch at offset 42 may return the whole batch
// holding 40...45, and 40 and 41 must not be repeated. Control batches (transaction markers)
// are skipped. Retriable errors (leader moved, timeouts) are retried through the client.
import KafkaProtocol
import NIOCore

/// A record read from a partition.
public struct ConsumerRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}

public struct PartitionConsumer: AsyncSequence, Sendable {
    public typealias Element = ConsumerRecord

    /// Where reading starts.
    public enum StartPosition: Sendable, Equatable {
        case earliest
        /// The log end: only records produced from now on.
        case latest
        case offset(Int64)
        /// The first record with a timestamp at or after this many milliseconds since the epoch.
        case timestamp(Int64)
    }

    /// Where reading stops (the sequence then ends).
    public enum EndPosition: Sendable, Equatable {
        /// Keep waiting for new records.
        case never
        /// Stop before this offset.
        case offset(Int64)
        /// Stop before the first record whose timestamp is at or after this time (ListOffsets by time).
        case timestamp(Int64)
        /// Stop at the log end offset as it was when reading started.
        case logEndAtStart
    }

    public struct Configuration: Sendable {
        public var maxWaitMilliseconds: Int32
        public var minBytes: Int32
        /// Most bytes one fetch returns for the partition (a larger first batch still comes whole).
        public var partitionMaxBytes: Int32
        /// Largest decompressed batch body accepted.
        public var decompressedBytesMax: Int

        public init(maxWaitMilliseconds: Int32 = 500, minBytes: Int32 = 1, partitionMaxBytes: Int32 = 1_048_576,
                    decompressedBytesMax: Int = Compression.decompressedBytesMaxDefault) {
            self.maxWaitMilliseconds = maxWaitMilliseconds
            self.minBytes = minBytes
            self.partitionMaxBytes = partitionMaxBytes
            self.decompressedBytesMax = decompressedBytesMax
        }
    }

    public let client: KafkaClient
    public let topic: String
    public let partition: Int32
    public let start: StartPosition
    public let end: EndPosition
    public let configuration: Configuration

    public init(client: KafkaClient, topic: String, partition: Int32, start: StartPosition, end: EndPosition = .never,
                configuration: Configuration = .init()) {
        self.client = client
        self.topic = topic
        self.partition = partition
        self.start = start
        self.end = end
        self.configuration = configuration
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(consumer: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: PartitionConsumer
        private var nextOffset: Int64?
        private var stopOffset: Int64?
        private var buffered: [ConsumerRecord] = []
        private var bufferedIndex = 0
        private var isFinished = false

        init(consumer: PartitionConsumer) {
            self.consumer = consumer
        }

        /// The offset the next fetch asks for (nil before the start position is resolved).
        public var position: Int64? { nextOffset }

        public mutating func next() async throws(KafkaError) -> ConsumerRecord? {
            while true {
                if isFinished { return nil }
                if bufferedIndex < buffered.count {
                    let record = buffered[bufferedIndex]
                    bufferedIndex += 1
                    return record
                }
                if Task.isCancelled { return nil }
                if nextOffset == nil { try await resolvePositions() }
                guard let offset = nextOffset else { return nil }
                if let stopOffset, offset >= stopOffset {
                    isFinished = true
                    return nil
                }
                let fetched = try await fetch(at: offset)
                buffered = fetched.records
                bufferedIndex = 0
                nextOffset = fetched.nextOffset
            }
        }

        private mutating func resolvePositions() async throws(KafkaError) {
            let admin = KafkaAdmin(client: consumer.client)
            func lookUp(_ spec: OffsetSpec) async throws(KafkaError) -> Int64 {
                let listed = try await admin.listOffsets(topic: consumer.topic, partitions: [consumer.partition], spec: spec)
                return listed.first?.offset ?? -1
            }
            switch consumer.start {
            case .earliest: nextOffset = try await lookUp(.earliest)
            case .latest: nextOffset = try await lookUp(.latest)
            case .offset(let offset): nextOffset = offset
            case .timestamp(let milliseconds):
                // No record at or after that time: start at the end and wait for new ones.
                let found = try await lookUp(.timestamp(milliseconds))
                nextOffset = found >= 0 ? found : try await lookUp(.latest)
            }
            switch consumer.end {
            case .never: stopOffset = nil
            case .offset(let offset): stopOffset = offset
            case .logEndAtStart: stopOffset = try await lookUp(.latest)
            case .timestamp(let milliseconds):
                let found = try await lookUp(.timestamp(milliseconds))
                stopOffset = found >= 0 ? found : try await lookUp(.latest)
            }
        }

        private func fetch(at offset: Int64) async throws(KafkaError) -> FetchedRecords {
            let consumer = self.consumer
            let request = FetchRequest(
                replicaId: -1, maxWaitMs: consumer.configuration.maxWaitMilliseconds, minBytes: consumer.configuration.minBytes,
                maxBytes: consumer.configuration.partitionMaxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
                topics: [
                    FetchRequest.FetchTopic(
                        topic: consumer.topic,
                        partitions: [
                            FetchRequest.FetchPartition(
                                partition: consumer.partition, fetchOffset: offset, partitionMaxBytes: consumer.configuration.partitionMaxBytes)
                        ])
                ])
            let context = "fetching \(consumer.topic)-\(consumer.partition) at offset \(offset)"
            let stopOffset = self.stopOffset
            return try await consumer.client.withRetries { () async throws(KafkaError) in
                let leader = try await consumer.client.leader(topic: consumer.topic, partition: consumer.partition)
                let response = try await consumer.client.send(request, toBroker: leader)
                if let error = KafkaError.broker(ErrorCode(rawValue: response.errorCode), context: context) { throw error }
                guard
                    let data = response.responses.first(where: { $0.topic == consumer.topic || $0.topic.isEmpty })?
                        .partitions.first(where: { $0.partitionIndex == consumer.partition })
                else {
                    throw KafkaError(kind: .protocolViolation, context: context, detail: "the answer did not mention the partition")
                }
                if let error = KafkaError.broker(ErrorCode(rawValue: data.errorCode), context: context) { throw error }
                let batches: [RecordBatch]
                do {
                    batches = try data.records.map {
                        try RecordBatch.decode($0, decompressedBytesMax: consumer.configuration.decompressedBytesMax)
                    } ?? []
                } catch {
                    throw KafkaError(kind: .protocolViolation, context: context, detail: "\(error)")
                }
                return FetchedRecords.select(
                    from: batches, topic: consumer.topic, partition: consumer.partition, nextOffset: offset, stopOffset: stopOffset)
            }
        }
    }
}

/// The records of a fetch answer that a consumer at `nextOffset` should see, and where it goes next.
struct FetchedRecords: Sendable {
    var records: [ConsumerRecord]
    var nextOffset: Int64

    static func select(
        from batches: [RecordBatch], topic: String, partition: Int32, nextOffset: Int64, stopOffset: Int64?
    ) -> FetchedRecords {
        var records: [ConsumerRecord] = []
        var position = nextOffset
        for batch in batches {
            let batchEnd = batch.header.lastOffset + 1
            guard batchEnd > position else { continue }
            if !batch.header.isControl {
                for record in batch.records where record.offset >= position {
                    if let stopOffset, record.offset >= stopOffset { break }
                    records.append(
                        ConsumerRecord(
                            topic: topic, partition: partition, offset: record.offset, timestamp: record.timestamp,
                            key: record.key, value: record.value, headers: record.headers))
                }
            }
            // Skip past the batch even when its last records were compacted away.
            position = batchEnd
        }
        if let stopOffset, position > stopOffset { position = max(nextOffset, stopOffset) }
        return FetchedRecords(records: records, nextOffset: position)
    }
}
