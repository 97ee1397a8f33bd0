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
        /// The batch collecting records: it closes when full, when its linger expires or on
        /// flush. Its outcome exists from the first record on, so receipts can point at it.
        var open: OpenBatch?
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
    /// Partition counts learnt from metadata and when, so each send does not ask the client.
    private var partitionCounts: [String: (count: Int, learntAt: ContinuousClock.Instant)] = [:]
    var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Batches made and not yet finished, over every partition.
    var unfinishedBatches = 0
    var nextBatchId = 0
    var isClosed = false
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
    /// Records without a timestamp all get the time of the call.
    public func enqueue(_ records: [ProducerRecord]) async throws(KafkaError) -> [DeliveryReceipt] {
        var receipts: [DeliveryReceipt] = []
        receipts.reserveCapacity(records.count)
        let timestamp = Self.nowMilliseconds()
        var topicCache: (topic: String, partitionCount: Int)?
        for record in records {
            // The common case stays synchronous: no suspension, no task frame per record.
            if let cached = topicCache, cached.topic == record.topic,
                let receipt = try accept(record, partitionCount: cached.partitionCount, defaultTimestamp: timestamp)
            {
                receipts.append(receipt)
                continue
            }
            let partitionCount = try await partitionCount(of: record.topic)
            topicCache = (record.topic, partitionCount)
            receipts.append(try await enqueueOne(record, partitionCount: partitionCount, defaultTimestamp: timestamp))
        }
        return receipts
    }

    private static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Queues one already-built record (as `enqueue(topic:...)`).
    public func enqueue(_ producerRecord: ProducerRecord) async throws(KafkaError) -> DeliveryReceipt {
        try await enqueueOne(producerRecord)
    }

    private func enqueueOne(_ producerRecord: ProducerRecord) async throws(KafkaError) -> DeliveryReceipt {
        try checkAcceptingRecords(topic: producerRecord.topic)
        let partitionCount = try await partitionCount(of: producerRecord.topic)
        return try await enqueueOne(producerRecord, partitionCount: partitionCount, defaultTimestamp: Self.nowMilliseconds())
    }

    /// The slow path: waits for buffer space when `bufferedBytesMax` is reached.
    private func enqueueOne(
        _ producerRecord: ProducerRecord, partitionCount: Int, defaultTimestamp: Int64
    ) async throws(KafkaError) -> DeliveryReceipt {
        while true {
            if let receipt = try accept(producerRecord, partitionCount: partitionCount, defaultTimestamp: defaultTimestamp) {
                return receipt
            }
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
    }

    private func checkAcceptingRecords(topic: String) throws(KafkaError) {
        if let fatalError { throw fatalError }
        guard !isClosed else { throw KafkaError(kind: .shutDown, context: "sending to \(topic)", detail: "the producer is closed") }
    }

    /// Adds the record to its partition's open batch, or returns nil when the buffer has no room
    /// for it yet (the caller waits for space and tries again).
    private func accept(
        _ producerRecord: ProducerRecord, partitionCount: Int, defaultTimestamp: Int64
    ) throws(KafkaError) -> DeliveryReceipt? {
        let topic = producerRecord.topic
        try checkAcceptingRecords(topic: topic)
        let bytes = estimatedRecordBytes(key: producerRecord.key, value: producerRecord.value, headers: producerRecord.headers)
        guard bytes <= configuration.recordBytesMax else {
            throw KafkaError(
                kind: .invalidArgument, code: .messageTooLarge, context: "sending to \(topic)",
                detail: "the record is about \(bytes) bytes; the limit is \(configuration.recordBytesMax)")
        }
        if bufferedBytes + bytes > configuration.bufferedBytesMax && bufferedBytes > 0 { return nil }
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
        let record = Record(
            timestamp: producerRecord.timestamp ?? defaultTimestamp, key: producerRecord.key, value: producerRecord.value,
            headers: producerRecord.headers)
        let topicPartition = TopicPartition(topic: topic, partition: chosen)
        bufferedBytes += bytes
        // One in-place access: copying the state out would copy its record array on every append.
        let appended = partitions[topicPartition, default: PartitionState()].append(
            record, bytes: bytes, topicPartition: topicPartition, batchBytesMax: configuration.batchBytesMax)
        if appended.closedPrevious {
            batchClosed(topicPartition)
        }
        if appended.openBytes >= configuration.batchBytesMax {
            closeOpenBatch(topicPartition)
        } else if appended.isNewBatch {
            scheduleLinger(topicPartition)
        }
        if appended.closedPrevious || appended.openBytes >= configuration.batchBytesMax { pump(topicPartition) }
        return appended.receipt
    }

    /// Sends every buffered record now and waits until all batches are answered.
    public func flush() async {
        for topicPartition in partitions.keys {
            closeOpenBatch(topicPartition)
            pump(topicPartition)
        }
        while unfinishedBatches > 0 || partitions.values.contains(where: { $0.open != nil }) {
            await withCheckedContinuation { idleWaiters.append($0) }
            // Records enqueued while we waited are flushed too.
            for (topicPartition, state) in partitions where state.open != nil {
                closeOpenBatch(topicPartition)
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
        if let cached = partitionCounts[topic],
            ContinuousClock.now - cached.learntAt < .milliseconds(client.configuration.metadataMaxAgeMilliseconds)
        {
            return cached.count
        }
        let metadata = try await client.withRetries { () async throws(KafkaError) in
            // Like Java's producer: a broker with auto.create.topics.enable creates the topic.
            let topicMetadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: true).topic(topic)
            guard !topicMetadata.partitions.isEmpty else {
                throw KafkaError(kind: .metadataUnavailable, context: "looking up partitions of \(topic)")
            }
            return topicMetadata
        }
        partitionCounts[topic] = (metadata.partitions.count, .now)
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
        closeOpenBatch(topicPartition)
        pump(topicPartition)
    }

    /// Closes the partition's open batch (full, linger expired, flush): it joins the batches
    /// waiting to be sent.
    func closeOpenBatch(_ topicPartition: TopicPartition) {
        guard partitions[topicPartition]?.closeOpenBatch() == true else { return }
        batchClosed(topicPartition)
    }

    /// Bookkeeping after a partition closed a batch: its id and, with idempotence, its
    /// sequence; the sticky partitioner moves on.
    private func batchClosed(_ topicPartition: TopicPartition) {
        let id = nextBatchId
        nextBatchId += 1
        let isIdempotent = self.isIdempotent
        partitions[topicPartition]?.numberLastClosedBatch(id: id, isIdempotent: isIdempotent)
        unfinishedBatches += 1
        partitioner.batchSent(
            topic: topicPartition.topic, partition: topicPartition.partition,
            partitionCount: partitionCounts[topicPartition.topic]?.count ?? 1)
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

    /// Completes every record of `batch` at once: its receipts all read the batch's one outcome.
    nonisolated func complete(_ batch: ProducerBatch, topicPartition: TopicPartition, with result: Result<(Int64, Int64), KafkaError>) {
        batch.outcome.finish(result.map { BatchOutcome.Stored(baseOffset: $0.0, logAppendTime: $0.1) })
    }
}

extension KafkaProducer.PartitionState {
    /// What `append` did.
    struct Appended {
        var receipt: DeliveryReceipt
        /// The record did not fit the open batch, which was closed first (it still needs an id:
        /// `numberLastClosedBatch`).
        var closedPrevious: Bool
        /// Bytes of the open batch after the append.
        var openBytes: Int
        /// The record opened a new batch (it needs a linger timer).
        var isNewBatch: Bool
    }

    /// Adds a record to the open batch, first closing that batch when the record would overflow
    /// `batchBytesMax`, and opening one when there is none.
    mutating func append(_ record: Record, bytes: Int, topicPartition: TopicPartition, batchBytesMax: Int) -> Appended {
        var closedPrevious = false
        if let currentBytes = open?.bytes, currentBytes > 0, currentBytes + bytes > batchBytesMax {
            closedPrevious = closeOpenBatch()
        }
        let isNewBatch = open == nil
        var batch = open ?? OpenBatch(records: [], bytes: 0, outcome: BatchOutcome(topicPartition: topicPartition), createdAt: .now)
        open = nil  // Release the state's reference so the append below does not copy the array.
        let index = Int32(batch.records.count)
        batch.records.append(record)
        batch.bytes += bytes
        let receipt = DeliveryReceipt(outcome: batch.outcome, index: index, timestamp: record.timestamp)
        let openBytes = batch.bytes
        open = batch
        return Appended(receipt: receipt, closedPrevious: closedPrevious, openBytes: openBytes, isNewBatch: isNewBatch)
    }

    /// Moves the open batch to `batches` (unnumbered until `numberLastClosedBatch`); false when
    /// no batch was open.
    mutating func closeOpenBatch() -> Bool {
        guard let current = open else { return false }
        open = nil
        lingerTask?.cancel()
        lingerTask = nil
        batches.append(
            ProducerBatch(
                id: ProducerBatch.unnumberedId, records: current.records, bytes: current.bytes, createdAt: current.createdAt,
                outcome: current.outcome))
        return true
    }

    /// Gives the batch just closed its id and, with idempotence, the partition's next sequence.
    mutating func numberLastClosedBatch(id: Int, isIdempotent: Bool) {
        guard let last = batches.indices.last, batches[last].id == ProducerBatch.unnumberedId else { return }
        batches[last].id = id
        if isIdempotent {
            batches[last].sequence = nextSequence
            nextSequence = ProducerSequence.adding(nextSequence, batches[last].recordCount)
        }
    }
}
