// A batching producer: records collect per partition and go out as one record batch when the
// batch is full (`batchBytesMax`) or has waited `lingerMilliseconds`.
//
// At most one batch per partition is in flight, so records of a partition are stored in the
// order they were sent even when a batch is retried. Retriable failures (leader moved, timeout,
// connection lost) are retried with backoff through `KafkaClient.withRetries`. This producer is
// not idempotent yet: a retried batch whose first attempt did reach the log is stored twice.
import Foundation
import KafkaProtocol
import NIOCore
import NIOPosix

public actor KafkaProducer {
    public nonisolated let configuration: ProducerConfiguration
    public nonisolated let client: KafkaClient

    private struct PendingRecord {
        var record: Record
        var promise: EventLoopPromise<RecordMetadata>
        var bytes: Int
    }

    private struct PartitionQueue {
        var records: [PendingRecord] = []
        var bytes = 0
        var isInFlight = false
        var lingerTask: Task<Void, Never>?
    }

    private var queues: [TopicPartition: PartitionQueue] = [:]
    private var partitioner = Partitioner()
    /// Partition counts learnt from metadata, so each send does not ask the client.
    private var partitionCounts: [String: Int] = [:]
    private var partitionCountsLearntAt: [String: ContinuousClock.Instant] = [:]
    private var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var inFlightBatches = 0
    private var isClosed = false
    private let eventLoop: any EventLoop

    public init(client: KafkaClient, configuration: ProducerConfiguration = .init()) {
        self.client = client
        self.configuration = configuration
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    }

    /// Sends one record and waits until the broker stored it (or the send failed).
    public func send(
        topic: String, partition: Int32? = nil, key: ByteBuffer? = nil, value: ByteBuffer?,
        headers: [RecordHeader] = [], timestamp: Int64? = nil
    ) async throws(KafkaError) -> RecordMetadata {
        try await enqueue(topic: topic, partition: partition, key: key, value: value, headers: headers, timestamp: timestamp)
            .metadata()
    }

    /// Adds a record to its partition's batch and returns at once (after waiting for buffer
    /// space when `bufferedBytesMax` is reached). The receipt says later where it was stored.
    public func enqueue(
        topic: String, partition: Int32? = nil, key: ByteBuffer? = nil, value: ByteBuffer?,
        headers: [RecordHeader] = [], timestamp: Int64? = nil
    ) async throws(KafkaError) -> DeliveryReceipt {
        try await enqueueOne(
            ProducerRecord(topic: topic, partition: partition, key: key, value: value, headers: headers, timestamp: timestamp))
    }

    /// Enqueues many records in one call (one hop onto the producer instead of one per record).
    /// Stops at the first record that cannot be accepted; the records before it stay queued.
    public func enqueue(_ records: [ProducerRecord]) async throws(KafkaError) -> [DeliveryReceipt] {
        var receipts: [DeliveryReceipt] = []
        receipts.reserveCapacity(records.count)
        for record in records { receipts.append(try await enqueueOne(record)) }
        return receipts
    }

    private func enqueueOne(_ producerRecord: ProducerRecord) async throws(KafkaError) -> DeliveryReceipt {
        let (topic, partition, key, value, headers, timestamp) = (
            producerRecord.topic, producerRecord.partition, producerRecord.key, producerRecord.value,
            producerRecord.headers, producerRecord.timestamp
        )
        guard !isClosed else { throw KafkaError(kind: .shutDown, context: "sending to \(topic)", detail: "the producer is closed") }
        let bytes = estimatedRecordBytes(key: key, value: value, headers: headers)
        guard bytes <= configuration.recordBytesMax else {
            throw KafkaError(
                kind: .invalidArgument, code: .messageTooLarge, context: "sending to \(topic)",
                detail: "the record is about \(bytes) bytes; the limit is \(configuration.recordBytesMax)")
        }
        let partitionCount = try await partitionCount(of: topic)
        let chosen: Int32
        if let partition {
            guard partition >= 0, Int(partition) < partitionCount else {
                throw KafkaError(
                    kind: .invalidArgument, code: .unknownTopicOrPartition, context: "sending to \(topic)-\(partition)",
                    detail: "topic \(topic) has partitions 0...\(partitionCount - 1)")
            }
            chosen = partition
        } else {
            chosen = partitioner.partition(topic: topic, key: key, partitionCount: partitionCount)
        }
        while bufferedBytes + bytes > configuration.bufferedBytesMax && bufferedBytes > 0 {
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        let record = Record(
            timestamp: timestamp ?? Int64(Date().timeIntervalSince1970 * 1000), key: key, value: value, headers: headers)
        let promise = eventLoop.makePromise(of: RecordMetadata.self)
        let topicPartition = TopicPartition(topic: topic, partition: chosen)
        // Mutate the queue in place: copying it out would copy its record array on every append.
        queues[topicPartition, default: PartitionQueue()].records.append(PendingRecord(record: record, promise: promise, bytes: bytes))
        queues[topicPartition, default: PartitionQueue()].bytes += bytes
        bufferedBytes += bytes
        if let queue = queues[topicPartition] {
            if queue.bytes >= configuration.batchBytesMax {
                drain(topicPartition)
            } else if queue.lingerTask == nil {
                scheduleLinger(topicPartition)
            }
        }
        return DeliveryReceipt(future: promise.futureResult)
    }

    /// Sends every buffered record now and waits until all batches are answered.
    public func flush() async {
        for topicPartition in queues.keys { drain(topicPartition) }
        while inFlightBatches > 0 || queues.values.contains(where: { !$0.records.isEmpty }) {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
    }

    /// Flushes, then refuses new records.
    public func close() async {
        await flush()
        isClosed = true
    }

    private func partitionCount(of topic: String) async throws(KafkaError) -> Int {
        // Re-read the count now and then so partitions added to a topic start receiving records.
        if let count = partitionCounts[topic], let learnt = partitionCountsLearntAt[topic],
            ContinuousClock.now - learnt < .milliseconds(client.configuration.metadataMaxAgeMilliseconds)
        {
            return count
        }
        let metadata = try await client.withRetries { () async throws(KafkaError) in
            let topicMetadata = try await client.metadata(topics: [topic]).topic(topic)
            guard !topicMetadata.partitions.isEmpty else {
                throw KafkaError(kind: .metadataUnavailable, context: "looking up partitions of \(topic)")
            }
            return topicMetadata
        }
        partitionCounts[topic] = metadata.partitions.count
        partitionCountsLearntAt[topic] = .now
        return metadata.partitions.count
    }

    private func scheduleLinger(_ topicPartition: TopicPartition) {
        let linger = configuration.lingerMilliseconds
        queues[topicPartition]?.lingerTask = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(linger))
            await self?.lingerExpired(topicPartition)
        }
    }

    private func lingerExpired(_ topicPartition: TopicPartition) {
        queues[topicPartition]?.lingerTask = nil
        drain(topicPartition)
    }

    /// Takes the partition's records as one batch and sends it, unless a batch is already in
    /// flight (then the records go when it is answered).
    private func drain(_ topicPartition: TopicPartition) {
        guard var queue = queues.removeValue(forKey: topicPartition) else { return }
        // Put the queue back whatever happens; it was taken out so its arrays are not shared.
        defer { queues[topicPartition] = queue }
        guard !queue.records.isEmpty, !queue.isInFlight else { return }
        queue.lingerTask?.cancel()
        queue.lingerTask = nil
        var takenCount = 0
        var takenBytes = 0
        // Split at batchBytesMax so one batch stays under the broker's message limit.
        while takenCount < queue.records.count,
            takenCount == 0 || takenBytes + queue.records[takenCount].bytes <= configuration.batchBytesMax
        {
            takenBytes += queue.records[takenCount].bytes
            takenCount += 1
        }
        let taken = Array(queue.records[0..<takenCount])
        queue.records.removeFirst(takenCount)
        queue.bytes -= takenBytes
        queue.isInFlight = true
        inFlightBatches += 1
        partitioner.batchSent(
            topic: topicPartition.topic, partition: topicPartition.partition,
            partitionCount: partitionCounts[topicPartition.topic] ?? 1)
        Task { await self.send(batch: taken, bytes: takenBytes, to: topicPartition) }
    }

    private func send(batch: [PendingRecord], bytes: Int, to topicPartition: TopicPartition) async {
        let result: Result<ProduceOutcome, KafkaError>
        do {
            result = .success(try await produce(batch.map(\.record), to: topicPartition))
        } catch {
            result = .failure(error)
        }
        // Every promise lives on `eventLoop`: completing them in one task there costs one
        // thread hop per batch instead of one per record.
        let completions = batch.map { ($0.promise, $0.record.timestamp) }
        eventLoop.execute {
            for (index, (promise, recordTimestamp)) in completions.enumerated() {
                switch result {
                case .success(let outcome):
                    let offset = outcome.baseOffset >= 0 ? outcome.baseOffset + Int64(index) : -1
                    let timestamp = outcome.logAppendTime >= 0 ? outcome.logAppendTime : recordTimestamp
                    promise.succeed(
                        RecordMetadata(topic: topicPartition.topic, partition: topicPartition.partition, offset: offset, timestamp: timestamp))
                case .failure(let error):
                    promise.fail(error)
                }
            }
        }
        bufferedBytes -= bytes
        inFlightBatches -= 1
        queues[topicPartition]?.isInFlight = false
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters.removeAll()
        if let queue = queues[topicPartition], !queue.records.isEmpty {
            if queue.bytes >= configuration.batchBytesMax || queue.lingerTask == nil || !idleWaiters.isEmpty {
                drain(topicPartition)
            }
        }
        if inFlightBatches == 0 {
            for waiter in idleWaiters { waiter.resume() }
            idleWaiters.removeAll()
        }
    }

    private struct ProduceOutcome: Sendable {
        var baseOffset: Int64
        var logAppendTime: Int64
    }

    private func produce(_ records: [Record], to topicPartition: TopicPartition) async throws(KafkaError) -> ProduceOutcome {
        let context = "producing to \(topicPartition)"
        let batch: ByteBuffer
        do {
            batch = try RecordBatch.encode(records: records, compression: configuration.compression)
        } catch {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "\(error)")
        }
        let request = ProduceRequest(
            transactionalId: nil, acks: configuration.acks.rawValue, timeoutMs: configuration.produceTimeoutMilliseconds,
            topicData: [
                ProduceRequest.TopicProduceData(
                    name: topicPartition.topic,
                    partitionData: [ProduceRequest.PartitionProduceData(index: topicPartition.partition, records: batch)])
            ])
        let acks = configuration.acks
        let client = self.client
        return try await client.withRetries { () async throws(KafkaError) in
            let leader = try await client.leader(topic: topicPartition.topic, partition: topicPartition.partition)
            let connection = try await client.connection(toBroker: leader)
            if acks == .none {
                try await connection.sendWithoutResponse(request)
                return ProduceOutcome(baseOffset: -1, logAppendTime: -1)
            }
            let response = try await connection.send(request)
            guard
                let partition = response.responses.first(where: { $0.name == topicPartition.topic })?
                    .partitionResponses.first(where: { $0.index == topicPartition.partition })
            else {
                throw KafkaError(kind: .protocolViolation, context: context, detail: "the answer did not mention the partition")
            }
            if let error = KafkaError.broker(ErrorCode(rawValue: partition.errorCode), context: context, detail: partition.errorMessage) {
                throw error
            }
            return ProduceOutcome(baseOffset: partition.baseOffset, logAppendTime: partition.logAppendTimeMs)
        }
    }
}
