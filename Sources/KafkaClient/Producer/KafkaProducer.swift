// A batching, idempotent producer: records collect per partition and become one record batch
// when the batch is full (`batchBytesMax`) or has waited `lingerMilliseconds`.
//
// Idempotence is on by default (Kafka's `enable.idempotence`): the producer asks the cluster
// for a producer id and epoch (InitProducerId) and gives every batch of a partition the next
// sequence number. The broker drops a batch it already stored, so a retry after a lost answer
// is never stored twice, and refuses one that skips ahead, so up to five batches per partition
// can be in flight without ever being stored out of order. The sending side (sequences,
// retries, epoch bumps) lives in KafkaProducer+Sending.swift; this file takes records in,
// batches them and tracks buffer space.
//
// Without idempotence (acks 0 or 1) one batch per partition is in flight, so a retry cannot
// reorder records, but a retried batch whose first attempt reached the log is stored twice.
import Foundation
import KafkaProtocol
import NIOCore
import NIOPosix

public actor KafkaProducer {
    public nonisolated let configuration: ProducerConfiguration
    public nonisolated let client: KafkaClient

    /// Everything the producer keeps for one partition.
    struct PartitionState {
        /// Records not yet in a batch, oldest first.
        var queued: [PendingRecord] = []
        var queuedBytes = 0
        var queuedSince: ContinuousClock.Instant?
        var lingerTask: Task<Void, Never>?
        /// Batches made and not yet finished, in sequence order; some may be in flight.
        var batches: [ProducerBatch] = []
        /// Sequence of the next batch made for this partition (idempotent producers).
        var nextSequence: Int32 = 0
        /// The last sequence the broker acknowledged under the current epoch.
        var lastAcknowledgedSequence: Int32?
        /// An attempt failed: send nothing more until every in-flight batch has answered,
        /// then resend from the oldest unfinished batch (so order holds).
        var isRecovering = false
        var retryNotBefore: ContinuousClock.Instant?
        var retryTask: Task<Void, Never>?
        /// The leader's connection, looked up once and dropped after a failure.
        var connection: KafkaConnection?
        var isResolvingLeader = false
        /// Ask the cluster for fresh metadata before the next leader lookup (after an error
        /// such as NOT_LEADER_OR_FOLLOWER).
        var needsMetadataRefresh = false
        /// Leader lookups that failed in a row; sets the backoff before the next one.
        var lookupFailures = 0

        var inFlightCount: Int { batches.reduce(0) { $0 + ($1.isInFlight ? 1 : 0) } }
        var expectedSequence: Int32 { lastAcknowledgedSequence.map { ProducerSequence.adding($0, 1) } ?? 0 }
    }

    /// The producer id and epoch idempotent batches carry.
    struct ProducerIdentity: Equatable {
        var producerId: Int64
        var epoch: Int16
    }

    var partitions: [TopicPartition: PartitionState] = [:]
    var partitioner = Partitioner()
    /// Partition counts learnt from metadata, so each send does not ask the client.
    private var partitionCounts: [String: Int] = [:]
    private var partitionCountsLearntAt: [String: ContinuousClock.Instant] = [:]
    var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Batches made and not yet finished, over every partition.
    var unfinishedBatches = 0
    var nextBatchId = 0
    var isClosed = false
    var isFlushing = false
    /// Why every send fails (a configuration that cannot work, or a fatal producer error).
    var fatalError: KafkaError?
    let eventLoop: any EventLoop

    // Idempotence state; see KafkaProducer+Sending.swift.
    var identity: ProducerIdentity?
    var isRequestingIdentity = false
    /// An epoch bump is due: no batch is sent until in-flight ones answer and the bump is done.
    var isEpochBumpPending = false

    public init(client: KafkaClient, configuration: ProducerConfiguration = .init()) {
        self.client = client
        self.configuration = configuration
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        do {
            try configuration.validate()
        } catch {
            self.fatalError = error
        }
    }

    var isIdempotent: Bool { configuration.enableIdempotence }

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
        let topic = producerRecord.topic
        if let fatalError { throw fatalError }
        guard !isClosed else { throw KafkaError(kind: .shutDown, context: "sending to \(topic)", detail: "the producer is closed") }
        let bytes = estimatedRecordBytes(key: producerRecord.key, value: producerRecord.value, headers: producerRecord.headers)
        guard bytes <= configuration.recordBytesMax else {
            throw KafkaError(
                kind: .invalidArgument, code: .messageTooLarge, context: "sending to \(topic)",
                detail: "the record is about \(bytes) bytes; the limit is \(configuration.recordBytesMax)")
        }
        let partitionCount = try await partitionCount(of: topic)
        let chosen: Int32
        if let partition = producerRecord.partition {
            guard partition >= 0, Int(partition) < partitionCount else {
                throw KafkaError(
                    kind: .invalidArgument, code: .unknownTopicOrPartition, context: "sending to \(topic)-\(partition)",
                    detail: "topic \(topic) has partitions 0...\(partitionCount - 1)")
            }
            chosen = partition
        } else {
            chosen = partitioner.partition(topic: topic, key: producerRecord.key, partitionCount: partitionCount)
        }
        while bufferedBytes + bytes > configuration.bufferedBytesMax && bufferedBytes > 0 {
            await withCheckedContinuation { spaceWaiters.append($0) }
            if isClosed { throw KafkaError(kind: .shutDown, context: "sending to \(topic)", detail: "the producer is closed") }
        }
        let record = Record(
            timestamp: producerRecord.timestamp ?? Int64(Date().timeIntervalSince1970 * 1000), key: producerRecord.key,
            value: producerRecord.value, headers: producerRecord.headers)
        let promise = eventLoop.makePromise(of: RecordMetadata.self)
        let topicPartition = TopicPartition(topic: topic, partition: chosen)
        bufferedBytes += bytes
        // Mutate the state in place: copying it out would copy its record array on every append.
        partitions[topicPartition, default: PartitionState()].queued.append(PendingRecord(record: record, promise: promise, bytes: bytes))
        partitions[topicPartition, default: PartitionState()].queuedBytes += bytes
        if partitions[topicPartition]?.queuedSince == nil { partitions[topicPartition]?.queuedSince = .now }
        if let state = partitions[topicPartition], state.queuedBytes >= configuration.batchBytesMax {
            makeBatches(topicPartition, includingPartial: false)
            pump(topicPartition)
        }
        if let state = partitions[topicPartition], !state.queued.isEmpty, state.lingerTask == nil {
            scheduleLinger(topicPartition)
        }
        return DeliveryReceipt(future: promise.futureResult)
    }

    /// Sends every buffered record now and waits until all batches are answered.
    public func flush() async {
        isFlushing = true
        defer { isFlushing = false }
        for topicPartition in partitions.keys {
            makeBatches(topicPartition, includingPartial: true)
            pump(topicPartition)
        }
        while unfinishedBatches > 0 || partitions.values.contains(where: { !$0.queued.isEmpty }) {
            await withCheckedContinuation { idleWaiters.append($0) }
            // Records enqueued while we waited are flushed too.
            for (topicPartition, state) in partitions where !state.queued.isEmpty {
                makeBatches(topicPartition, includingPartial: true)
                pump(topicPartition)
            }
        }
    }

    /// Flushes, then refuses new records.
    public func close() async {
        await flush()
        isClosed = true
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters.removeAll()
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
        partitions[topicPartition]?.lingerTask = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(linger))
            await self?.lingerExpired(topicPartition)
        }
    }

    private func lingerExpired(_ topicPartition: TopicPartition) {
        partitions[topicPartition]?.lingerTask = nil
        makeBatches(topicPartition, includingPartial: true)
        pump(topicPartition)
    }

    /// Turns queued records into batches of at most `batchBytesMax` (so one batch stays under
    /// the broker's message limit). A partial last batch is made only when `includingPartial`
    /// (linger expired, flush); otherwise it keeps collecting records.
    func makeBatches(_ topicPartition: TopicPartition, includingPartial: Bool) {
        guard var state = partitions.removeValue(forKey: topicPartition) else { return }
        // Put the state back whatever happens; it was taken out so its arrays are not shared.
        defer { partitions[topicPartition] = state }
        guard !state.queued.isEmpty else { return }
        var start = 0
        while start < state.queued.count {
            var end = start
            var bytes = 0
            while end < state.queued.count, end == start || bytes + state.queued[end].bytes <= configuration.batchBytesMax {
                bytes += state.queued[end].bytes
                end += 1
            }
            let isFull = end < state.queued.count || bytes >= configuration.batchBytesMax
            guard isFull || includingPartial else { break }
            var batch = ProducerBatch(
                id: nextBatchId, records: Array(state.queued[start..<end]), bytes: bytes,
                createdAt: state.queuedSince ?? .now)
            nextBatchId += 1
            if isIdempotent {
                batch.sequence = state.nextSequence
                state.nextSequence = ProducerSequence.adding(state.nextSequence, batch.recordCount)
            }
            state.batches.append(batch)
            state.queuedBytes -= bytes
            unfinishedBatches += 1
            start = end
        }
        state.queued.removeFirst(start)
        state.queuedSince = state.queued.isEmpty ? nil : .now
        if state.queued.isEmpty {
            state.lingerTask?.cancel()
            state.lingerTask = nil
        }
        partitioner.batchSent(
            topic: topicPartition.topic, partition: topicPartition.partition,
            partitionCount: partitionCounts[topicPartition.topic] ?? 1)
    }

    /// A batch is done (stored or failed): release its buffer space and wake whoever waits.
    func batchFinished(bytes: Int) {
        bufferedBytes -= bytes
        unfinishedBatches -= 1
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters.removeAll()
        if unfinishedBatches == 0 {
            for waiter in idleWaiters { waiter.resume() }
            idleWaiters.removeAll()
        }
    }

    /// Completes every record of `batch` on the event loop, in one hop per batch.
    nonisolated func complete(_ batch: ProducerBatch, topicPartition: TopicPartition, with result: Result<(Int64, Int64), KafkaError>) {
        let completions = batch.records.map { ($0.promise, $0.record.timestamp) }
        eventLoop.execute {
            for (index, (promise, recordTimestamp)) in completions.enumerated() {
                switch result {
                case .success(let (baseOffset, logAppendTime)):
                    let offset = baseOffset >= 0 ? baseOffset + Int64(index) : -1
                    let timestamp = logAppendTime >= 0 ? logAppendTime : recordTimestamp
                    promise.succeed(
                        RecordMetadata(topic: topicPartition.topic, partition: topicPartition.partition, offset: offset, timestamp: timestamp))
                case .failure(let error):
                    promise.fail(error)
                }
            }
        }
    }
}
