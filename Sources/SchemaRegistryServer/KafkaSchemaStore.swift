// KafkaSchemaStore: the registry's state kept in the single-partition compacted topic `_schemas`
// of any Kafka-compatible cluster, reached through KafkaClient.
//
// On start it makes sure the topic exists (1 partition, cleanup.policy=compact), starts a reader
// at offset 0 that applies every record to a `SchemaStateMachine`, then writes a NOOP and waits
// until the reader has applied it: only then has it seen everything written before it started.
// Writes have a single writer, as Confluent's: plan against the state, produce the records with
// acks=all, wait until the reader has applied them, and answer with the plan's outcome; writes
// that arrive together go as one group (KafkaSchemaStore+Writes.swift). The reader never stops,
// so records written by other instances are applied too. Reads run against the applied state
// under a lock (no actor hop, no copy).
import KafkaClient
import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore
import SchemaRegistry

public actor KafkaSchemaStore {
    public struct Configuration: Sendable {
        public var topic: String
        /// The replication factor asked for when creating the topic, lowered to the broker count.
        public var replicationFactorMax: Int16
        /// How long a write waits for its records to come back through the reader.
        public var readBackTimeoutMilliseconds: Int64
        /// How long `start` may take to create the topic and catch up.
        public var startTimeoutMilliseconds: Int64
        /// Pause before the reader retries after a failed fetch.
        public var readerRetryMilliseconds: Int64

        public init(
            topic: String = "_schemas", replicationFactorMax: Int16 = 3, readBackTimeoutMilliseconds: Int64 = 30_000,
            startTimeoutMilliseconds: Int64 = 60_000, readerRetryMilliseconds: Int64 = 200
        ) {
            self.topic = topic
            self.replicationFactorMax = max(1, replicationFactorMax)
            self.readBackTimeoutMilliseconds = max(1, readBackTimeoutMilliseconds)
            self.startTimeoutMilliseconds = max(1, startTimeoutMilliseconds)
            self.readerRetryMilliseconds = max(1, readerRetryMilliseconds)
        }
    }

    public nonisolated let configuration: Configuration
    public nonisolated let client: KafkaClient
    /// The reader's own client: Kafka answers a connection's requests in order, so a produce
    /// sharing the connection of a parked long-poll fetch would wait for the fetch to time out.
    private let readerClient: KafkaClient
    let producer: KafkaProducer
    /// The applied state; written by the reader, read by every request.
    private nonisolated let applied = NIOLockedValueBox(AppliedState())
    private var readerTask: Task<Void, Never>?
    /// Writers waiting for the reader to pass an offset.
    private var offsetWaiters: [(id: Int, offset: Int64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiterId = 0
    /// Writes waiting for the next group, in arrival order.
    var pendingWrites: [PendingWrite] = []
    /// Whether a group is being planned or appended (one at a time).
    var isWriting = false
    /// The state writes are planned against: the applied state plus `predictedRecords`; nil =
    /// take the applied state at the next group (see KafkaSchemaStore+Writes.swift).
    var planningState: SchemaStateMachine?
    /// Records this writer appended that the reader has not applied yet, in log order.
    var predictedRecords: [SchemaRegistryRecord] = []
    var isStopped = false

    struct AppliedState {
        var machine = SchemaStateMachine()
        /// Offset of the last record applied (-1 before any).
        var lastOffset: Int64 = -1
        var skippedRecords = 0
        /// Rendered GET /schemas/ids/{id} bodies, valid for `machine` (see SchemaBodyCache).
        var schemaBodies = SchemaBodyCache()
    }

    public init(client: KafkaClient, configuration: Configuration = .init()) {
        self.client = client
        self.readerClient = KafkaClient(configuration: client.configuration)
        self.configuration = configuration
        self.producer = KafkaProducer(
            client: client, configuration: ProducerConfiguration(acks: .all, lingerMilliseconds: 0))
    }

    // MARK: Reads

    /// Runs `body` against the applied state. Keep it short: the reader waits while it runs.
    public nonisolated func read<Result>(_ body: (SchemaStateMachine) -> Result) -> Result {
        applied.withLockedValue { body($0.machine) }
    }

    /// The body of GET /schemas/ids/{id} (without query parameters) as bytes, rendered once per
    /// id; nil when no version carries `id` (the caller answers the usual 404).
    nonisolated func schemaBody(id: Int) -> ByteBuffer? {
        applied.withLockedValue { state in state.schemaBodies.body(id: id, machine: state.machine) }
    }

    /// Offset of the last `_schemas` record applied (-1 before any).
    public nonisolated var lastAppliedOffset: Int64 { applied.withLockedValue { $0.lastOffset } }

    // MARK: Lifecycle

    /// Creates or checks `_schemas`, starts the reader and waits until it has caught up.
    public func start() async throws(RegistryError) {
        guard readerTask == nil else { return }
        try await ensureTopic()
        let topic = configuration.topic
        let client = self.readerClient
        let retryMilliseconds = configuration.readerRetryMilliseconds
        readerTask = Task {
            await Self.readForever(store: self, client: client, topic: topic, retryMilliseconds: retryMilliseconds)
        }
        try await barrier(timeoutMilliseconds: configuration.startTimeoutMilliseconds)
    }

    /// Stops the reader and the producer; waiting writers fail with a store error.
    public func stop() async {
        isStopped = true
        readerTask?.cancel()
        readerTask = nil
        for waiter in offsetWaiters { waiter.continuation.resume(returning: false) }
        offsetWaiters.removeAll()
        failPendingWrites()
        await producer.close()
        await readerClient.shutdown()
    }

    // MARK: Writes

    /// Writes a NOOP and waits until the reader applied it: afterwards the state reflects every
    /// record written before the call (read-your-writes across instances).
    public func barrier(timeoutMilliseconds: Int64? = nil) async throws(RegistryError) {
        let record = read { $0.barrierRecord }
        try await append([record], timeoutMilliseconds: timeoutMilliseconds ?? configuration.readBackTimeoutMilliseconds)
    }

    /// Waits until the reader has applied everything in the log now (without writing): after a
    /// write another instance made, this instance serves it too.
    public func catchUp(timeoutMilliseconds: Int64? = nil) async throws(RegistryError) {
        let end: Int64
        do {
            end = try await KafkaAdmin(client: client).listOffsets(topic: configuration.topic, partitions: [0], spec: .latest)
                .first?.offset ?? 0
        } catch {
            throw .storeError("reading the end of \(configuration.topic): \(error)")
        }
        let timeout = timeoutMilliseconds ?? configuration.readBackTimeoutMilliseconds
        guard end > 0, await waitUntilApplied(through: end - 1, timeoutMilliseconds: timeout) else {
            if end > 0 { throw .operationTimedOut("\(configuration.topic) offset \(end - 1) was not read within \(timeout) ms") }
            return
        }
    }

    // MARK: Read-back

    /// True once the reader has applied `offset`; false on timeout or stop.
    func waitUntilApplied(through offset: Int64, timeoutMilliseconds: Int64) async -> Bool {
        if lastAppliedOffset >= offset { return true }
        if isStopped { return false }
        nextWaiterId += 1
        let id = nextWaiterId
        let timeout = Task {
            try? await Task.sleep(for: .milliseconds(timeoutMilliseconds))
            if !Task.isCancelled { self.expireWaiter(id) }
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { offsetWaiters.append((id, offset, $0)) }
    }

    private func expireWaiter(_ id: Int) {
        guard let index = offsetWaiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = offsetWaiters.remove(at: index)
        waiter.continuation.resume(returning: lastAppliedOffset >= waiter.offset)
    }

    /// Applies records read from the topic, tells the writer which ones it predicted, and wakes
    /// the writers they satisfy.
    func apply(_ records: [ConsumerRecord]) {
        var decodedRecords: [SchemaRegistryRecord] = []
        let last = applied.withLockedValue { state -> Int64 in
            for record in records {
                switch SchemaRegistryRecord.decode(key: record.key?.readableBytesView ?? ByteBuffer().readableBytesView,
                                                   value: record.value?.readableBytesView) {
                case .success(let decoded):
                    state.machine.apply(decoded)
                    decodedRecords.append(decoded)
                case .failure:
                    // Unknown key types (CONTEXT, ASSOC...) and records of other tools are skipped,
                    // as Confluent's reader does; the log stays the truth for what we understand.
                    state.skippedRecords += 1
                }
                state.lastOffset = max(state.lastOffset, record.offset)
            }
            return state.lastOffset
        }
        for decoded in decodedRecords { notePredicted(decoded) }
        guard offsetWaiters.contains(where: { $0.offset <= last }) else { return }
        let (ready, waiting) = offsetWaiters.partitioned { $0.offset <= last }
        offsetWaiters = waiting
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// The reader: fetches `_schemas` from offset 0 until cancelled (`stop`), handing each
    /// record to the store. It runs outside the actor so that a long poll does not hold it;
    /// after a failure it waits and resumes where it stopped.
    private static func readForever(store: KafkaSchemaStore, client: KafkaClient, topic: String, retryMilliseconds: Int64) async {
        var nextOffset: Int64 = 0
        let configuration = PartitionConsumer.Configuration(maxWaitMilliseconds: readerLongPollMilliseconds)
        while !Task.isCancelled {
            var iterator = PartitionConsumer(
                client: client, topic: topic, partition: 0, start: .offset(nextOffset), configuration: configuration
            ).makeAsyncIterator()
            do {
                while let record = try await iterator.next() {
                    nextOffset = record.offset + 1
                    await store.apply([record])
                }
            } catch {
                try? await Task.sleep(for: .milliseconds(retryMilliseconds))
            }
        }
    }

    /// How long one fetch of the reader waits for new records; bounds how late a stop is noticed.
    static let readerLongPollMilliseconds: Int32 = 500

    // MARK: Topic

    private func ensureTopic() async throws(RegistryError) {
        let topic = configuration.topic
        let problem: String?
        do {
            problem = try await prepareTopic()
        } catch {
            throw .storeError("preparing topic \(topic): \(error)")
        }
        if let problem { throw .storeError("topic \(topic) \(problem)") }
    }

    /// Creates the topic unless it exists; returns what is wrong with an existing one.
    private func prepareTopic() async throws(KafkaError) -> String? {
        let admin = KafkaAdmin(client: client)
        let topic = configuration.topic
        let brokers = try await client.refreshMetadata(topics: []).brokers.count
        let replication = Int16(clamping: max(1, min(Int(configuration.replicationFactorMax), brokers)))
        let outcomes = try await admin.createTopics([
            NewTopic(name: topic, partitionCount: 1, replicationFactor: replication, configs: ["cleanup.policy": "compact"])
        ])
        // TOPIC_ALREADY_EXISTS: another instance (or an earlier run) made it; it is checked below.
        if let error = outcomes.first?.error, error.code != .topicAlreadyExists { throw error }
        let described = try await admin.describeTopics([topic])
        guard let metadata = described.first, metadata.partitions.count == 1 else {
            return "must have exactly 1 partition; it has \(described.first?.partitions.count ?? 0)"
        }
        // Some Kafka-compatible brokers (Tansu 0.6) do not answer DescribeConfigs; the policy cannot
        // be checked there, and refusing to start would make the registry unusable on them. The
        // topic was created with compact above, so only a hand-made topic can be wrong.
        guard let entries = try? await admin.describeConfigs(.topic(topic), names: ["cleanup.policy"]) else { return nil }
        if let policy = entries.first(where: { $0.name == "cleanup.policy" })?.value, policy != "compact" {
            return "must have cleanup.policy=compact; it has \(policy)"
        }
        return nil
    }
}

extension Array {
    /// (elements matching, elements not matching), each in their original order.
    fileprivate func partitioned(by isIncluded: (Element) -> Bool) -> ([Element], [Element]) {
        var included: [Element] = []
        var excluded: [Element] = []
        for element in self {
            if isIncluded(element) { included.append(element) } else { excluded.append(element) }
        }
        return (included, excluded)
    }
}
