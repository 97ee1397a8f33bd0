// The group consumer: subscriptions through the classic group protocol, manual assignment,
// positions, commits, pause/resume and records as an AsyncSequence.
//
// State per owned partition: the position (next offset handed to the application), the fetch
// offset (next offset asked of the broker; ahead of the position by what is buffered), a buffer
// of fetched records, and an epoch that every seek, assignment and revocation bumps so that a
// fetch answer computed for the old state is dropped instead of delivered. A fetch loop sends one
// Fetch per leader broker covering all of that broker's fetchable partitions and stops fetching a
// partition whose buffer holds `bufferedRecordsPerPartitionMax` records (back-pressure). `poll`
// hands out buffered records round-robin over partitions, so one busy partition cannot starve
// the others. This file owns the lifecycle and delivery; fetching, offsets and rebalancing live
// in the extensions beside it.
//
// Fetches long-poll (`fetchMaxWaitMilliseconds`) and a broker answers one connection's requests
// in order, so a producer or a second consumer sharing this consumer's `KafkaClient` waits
// behind those polls; give each consumer its own client when latency matters.
import KafkaProtocol
import NIOCore

public actor KafkaConsumer {
    /// Where a partition's position comes from once it needs one.
    enum PositionSource: Sendable, Equatable {
        case committed
        case reset(AutoOffsetReset)
    }

    public nonisolated let client: KafkaClient
    public nonisolated let configuration: Configuration
    /// Assigned, revoked and lost partitions, in order. Read by one task; a slow reader does not
    /// hold the consumer up (events are buffered).
    public nonisolated let rebalanceEvents: AsyncStream<RebalanceEvent>
    let eventsContinuation: AsyncStream<RebalanceEvent>.Continuation

    var membership: GroupMembership?
    /// Subscribed topics (group mode), sorted.
    var subscription: [String] = []
    var isManuallyAssigned = false
    /// Owned partitions, sorted.
    var assigned: [TopicPartition] = []
    var positions: [TopicPartition: Int64] = [:]
    var fetchOffsets: [TopicPartition: Int64] = [:]
    /// The log end (high watermark) each partition's last fetch answer reported.
    var highWatermarks: [TopicPartition: Int64] = [:]
    var buffers: [TopicPartition: ArraySlice<ConsumerRecord>] = [:]
    var positionSources: [TopicPartition: PositionSource] = [:]
    var paused: Set<TopicPartition> = []
    var partitionEpochs: [TopicPartition: UInt64] = [:]
    var epochCounter: UInt64 = 0
    var lastCommitted: [TopicPartition: Int64] = [:]
    /// The generation the owned partitions belong to (group mode).
    var generation: GroupGeneration?
    /// A failure for the application, thrown by the next `poll`.
    var pendingFailure: KafkaError?
    var isClosed = false
    var fetchTask: Task<Void, Never>?
    var autoCommitTask: Task<Void, Never>?
    var recordWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextWaiterId = 0
    var fetcherSleeper: (ticket: Int, continuation: CheckedContinuation<Void, Never>)?
    var nextFetcherTicket = 0
    var drainCursor = 0

    public init(client: KafkaClient, configuration: Configuration) throws(KafkaError) {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
        (rebalanceEvents, eventsContinuation) = AsyncStream.makeStream(of: RebalanceEvent.self)
    }

    // MARK: Subscription and assignment

    /// Joins the configured group for `topics`; partitions arrive with the first rebalance
    /// (see `rebalanceEvents`). Calling it again changes the subscription and rebalances.
    public func subscribe(topics: [String]) async throws(KafkaError) {
        let context = "subscribing to \(topics.joined(separator: ","))"
        try checkOpen(context)
        guard let groupId = configuration.groupId else {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "subscribing needs a group id; use assign(_:) without one")
        }
        guard !isManuallyAssigned else {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "the consumer was assigned partitions manually; unassign first")
        }
        guard !topics.isEmpty else { throw KafkaError(kind: .invalidArgument, context: context, detail: "no topic given") }
        for topic in topics { try TopicName.validate(topic) }
        subscription = Array(Set(topics)).sorted()
        if let membership {
            await membership.requestRejoin(reason: "the subscription changed")
        } else {
            let membership = try GroupMembership(
                client: client,
                configuration: .init(
                    groupId: groupId, protocolType: KafkaAdmin.consumerProtocolType, groupInstanceId: configuration.groupInstanceId,
                    sessionTimeoutMilliseconds: configuration.sessionTimeoutMilliseconds,
                    rebalanceTimeoutMilliseconds: configuration.rebalanceTimeoutMilliseconds,
                    heartbeatIntervalMilliseconds: configuration.heartbeatIntervalMilliseconds,
                    retryBackoffMilliseconds: configuration.retryBackoffMilliseconds, clientId: client.configuration.connection.clientId),
                handlers: membershipHandlers())
            self.membership = membership
            await membership.start()
        }
        startBackgroundTasks()
    }

    /// Reads exactly these partitions, without group membership or rebalances. With a group id
    /// the consumer still reads and commits the group's offsets.
    public func assign(_ partitions: [TopicPartition]) async throws(KafkaError) {
        let context = "assigning \(partitions.map(\.description).joined(separator: ","))"
        try checkOpen(context)
        guard subscription.isEmpty else {
            throw KafkaError(kind: .invalidArgument, context: context, detail: "the consumer subscribed to topics; manual assignment is not allowed too")
        }
        for partition in partitions {
            try TopicName.validate(partition.topic)
            guard partition.partition >= 0 else {
                throw KafkaError(kind: .invalidArgument, context: context, detail: "partition \(partition.partition) is negative")
            }
        }
        isManuallyAssigned = true
        let wanted = Set(partitions)
        removePartitions(Set(assigned).subtracting(wanted))
        addPartitions(wanted.subtracting(assigned))
        startBackgroundTasks()
    }

    /// The partitions this consumer owns now, sorted.
    public var assignment: [TopicPartition] { assigned }

    /// The group generation this consumer last synced (nil without a group or between generations).
    public var currentGeneration: GroupGeneration? { generation }

    func addPartitions(_ added: Set<TopicPartition>) {
        guard !added.isEmpty else { return }
        for partition in added {
            bumpEpoch(partition)
            positionSources[partition] = .committed
            buffers[partition] = []
        }
        assigned = Array(Set(assigned).union(added)).sorted()
        wakeFetcher()
    }

    func removePartitions(_ removed: Set<TopicPartition>) {
        guard !removed.isEmpty else { return }
        for partition in removed {
            partitionEpochs[partition] = nil
            positions[partition] = nil
            fetchOffsets[partition] = nil
            highWatermarks[partition] = nil
            buffers[partition] = nil
            positionSources[partition] = nil
            paused.remove(partition)
            lastCommitted[partition] = nil
        }
        assigned.removeAll { removed.contains($0) }
    }

    func bumpEpoch(_ partition: TopicPartition) {
        epochCounter += 1
        partitionEpochs[partition] = epochCounter
    }

    func checkOpen(_ context: String) throws(KafkaError) {
        if isClosed { throw KafkaError(kind: .shutDown, context: context, detail: "the consumer is closed") }
    }

    // MARK: Pause and resume

    /// Stops fetching and delivering these partitions (buffered records are kept for later).
    public func pause(_ partitions: [TopicPartition]) {
        paused.formUnion(partitions.filter { assigned.contains($0) })
    }

    /// Delivers and fetches these partitions again.
    public func resume(_ partitions: [TopicPartition]) {
        paused.subtract(partitions)
        wakeFetcher()
        wakeRecordWaiters()
    }

    public var pausedPartitions: [TopicPartition] { paused.sorted() }

    // MARK: Delivery

    /// Up to `maxRecords` (default `maxPollRecords`) records, waiting up to `timeoutMilliseconds`
    /// for the first; an empty array when none arrived. Throws a failure the background work met
    /// (an out-of-range partition with reset `.none`, a corrupt batch, a fatal group error).
    public func poll(maxRecords: Int? = nil, timeoutMilliseconds: Int64) async throws(KafkaError) -> [ConsumerRecord] {
        let limit = max(1, min(maxRecords ?? configuration.maxPollRecords, configuration.maxPollRecords))
        let deadline = ContinuousClock.now + .milliseconds(max(0, timeoutMilliseconds))
        while true {
            if let failure = pendingFailure {
                pendingFailure = nil
                throw failure
            }
            try checkOpen("polling")
            let records = drain(limit)
            if !records.isEmpty { return records }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero || Task.isCancelled { return [] }
            await waitForRecords(milliseconds: Self.milliseconds(remaining))
        }
    }

    /// Every record from now on, as they arrive; ends when the consumer closes or the task is cancelled.
    public nonisolated var records: ConsumerRecords { ConsumerRecords(consumer: self) }

    /// Records in the batches `poll` returns (up to `maxPollRecords` each).
    public nonisolated var recordBatches: ConsumerRecordBatches { ConsumerRecordBatches(consumer: self) }

    var isOpen: Bool { !isClosed }

    /// Takes up to `limit` buffered records, round-robin over unpaused partitions.
    func drain(_ limit: Int) -> [ConsumerRecord] {
        guard !assigned.isEmpty else { return [] }
        var taken: [ConsumerRecord] = []
        let start = drainCursor % assigned.count
        drainCursor += 1
        for index in 0..<assigned.count where taken.count < limit {
            let partition = assigned[(start + index) % assigned.count]
            guard !paused.contains(partition), var buffer = buffers[partition], let first = buffer.first else { continue }
            // Records buffered before a seek were dropped with their epoch; this guards the invariant.
            guard first.offset >= (positions[partition] ?? first.offset) else {
                buffers[partition] = []
                continue
            }
            let count = min(limit - taken.count, buffer.count)
            taken.append(contentsOf: buffer.prefix(count))
            buffer.removeFirst(count)
            buffers[partition] = buffer
            if let last = taken.last { positions[partition] = last.offset + 1 }
        }
        if !taken.isEmpty { wakeFetcher() }
        return taken
    }

    func waitForRecords(milliseconds: Int64) async {
        nextWaiterId += 1
        let id = nextWaiterId
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                recordWaiters[id] = continuation
                Task { [weak self] in
                    try? await Task.sleep(for: .milliseconds(milliseconds))
                    await self?.resumeRecordWaiter(id)
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.resumeRecordWaiter(id) }
        }
    }

    func resumeRecordWaiter(_ id: Int) {
        recordWaiters.removeValue(forKey: id)?.resume()
    }

    func wakeRecordWaiters() {
        let waiters = recordWaiters
        recordWaiters.removeAll()
        for waiter in waiters.values { waiter.resume() }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    // MARK: Close

    /// Commits positions (with auto-commit on), revokes the partitions (rebalance callback),
    /// leaves the group (dynamic members) and stops fetching. The client stays open.
    public func close() async {
        guard !isClosed else { return }
        autoCommitTask?.cancel()
        autoCommitTask = nil
        if configuration.enableAutoCommit, configuration.groupId != nil {
            try? await commitPositions()
        }
        if membership != nil, !assigned.isEmpty {
            let owned = assigned
            await emit(.revoked(owned))
        }
        isClosed = true
        await membership?.close()
        membership = nil
        removePartitions(Set(assigned))
        fetchTask?.cancel()
        wakeFetcher()
        await fetchTask?.value
        fetchTask = nil
        wakeRecordWaiters()
        eventsContinuation.finish()
    }

    func emit(_ event: RebalanceEvent) async {
        eventsContinuation.yield(event)
        if let onRebalance = configuration.onRebalance { await onRebalance(event) }
    }

    func startBackgroundTasks() {
        if fetchTask == nil {
            fetchTask = Task { await self.runFetchLoop() }
        }
        if autoCommitTask == nil, configuration.enableAutoCommit, configuration.groupId != nil {
            let interval = configuration.autoCommitIntervalMilliseconds
            autoCommitTask = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(interval))
                    guard let self, !Task.isCancelled else { return }
                    try? await self.commitPositions()
                }
            }
        }
    }
}

/// Records one at a time (`KafkaConsumer.records`).
public struct ConsumerRecords: AsyncSequence, Sendable {
    public typealias Element = ConsumerRecord
    /// How long each underlying poll waits before checking for close and cancellation.
    static let pollTimeoutMilliseconds: Int64 = 500
    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer) }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        var pending: ArraySlice<ConsumerRecord> = []

        public mutating func next() async throws(KafkaError) -> ConsumerRecord? {
            while pending.isEmpty {
                guard await consumer.isOpen, !Task.isCancelled else { return nil }
                do {
                    pending = try await consumer.poll(timeoutMilliseconds: ConsumerRecords.pollTimeoutMilliseconds)[...]
                } catch where error.kind == .shutDown {
                    return nil
                }
            }
            return pending.popFirst()
        }
    }
}

/// Record batches as `poll` returns them (`KafkaConsumer.recordBatches`).
public struct ConsumerRecordBatches: AsyncSequence, Sendable {
    public typealias Element = [ConsumerRecord]
    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer) }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer

        public mutating func next() async throws(KafkaError) -> [ConsumerRecord]? {
            while true {
                guard await consumer.isOpen, !Task.isCancelled else { return nil }
                do {
                    let batch = try await consumer.poll(timeoutMilliseconds: ConsumerRecords.pollTimeoutMilliseconds)
                    if !batch.isEmpty { return batch }
                } catch where error.kind == .shutDown {
                    return nil
                }
            }
        }
    }
}
