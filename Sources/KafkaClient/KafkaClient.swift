// The cluster-level client: bootstrap, metadata cache, one connection per broker, retries.
//
// `KafkaClient` is what producers, consumers and the admin share. It learns the cluster from
// any bootstrap server, keeps the metadata it has seen (refreshed when older than
// `metadataMaxAgeMilliseconds` or when a request fails with a retriable error), opens at most
// one connection per broker id, and runs operations under `withRetries`, which retries
// retriable failures with exponential backoff.
import KafkaProtocol
import NIOCore
import NIOPosix

public actor KafkaClient {
    public struct RetryPolicy: Sendable {
        /// Attempts in all, the first included.
        public var attemptsMax: Int
        public var initialBackoffMilliseconds: Int64
        public var backoffMaxMilliseconds: Int64

        public init(attemptsMax: Int = 6, initialBackoffMilliseconds: Int64 = 100, backoffMaxMilliseconds: Int64 = 2_000) {
            self.attemptsMax = max(1, attemptsMax)
            self.initialBackoffMilliseconds = max(0, initialBackoffMilliseconds)
            self.backoffMaxMilliseconds = max(self.initialBackoffMilliseconds, backoffMaxMilliseconds)
        }

        /// Delay before attempt `attempt` (1 = the first retry): doubling, capped, with up to 20% jitter.
        public func backoffMilliseconds(attempt: Int) -> Int64 {
            let exponent = min(max(attempt - 1, 0), 20)
            let base = min(backoffMaxMilliseconds, initialBackoffMilliseconds << Int64(exponent))
            return base + Int64.random(in: 0...max(0, base / 5))
        }
    }

    public struct Configuration: Sendable {
        public var bootstrapServers: [BrokerAddress]
        public var connection: KafkaConnection.Configuration
        public var retry: RetryPolicy
        /// Metadata older than this is fetched again before use.
        public var metadataMaxAgeMilliseconds: Int64

        public init(
            bootstrapServers: [BrokerAddress],
            connection: KafkaConnection.Configuration = .init(),
            retry: RetryPolicy = .init(),
            metadataMaxAgeMilliseconds: Int64 = 300_000
        ) {
            self.bootstrapServers = bootstrapServers
            self.connection = connection
            self.retry = retry
            self.metadataMaxAgeMilliseconds = metadataMaxAgeMilliseconds
        }
    }

    public nonisolated let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup
    private var cachedMetadata: ClusterMetadata?
    private var metadataFetchedAt: ContinuousClock.Instant?
    private var metadataIsStale = false
    /// Connections by broker id, as tasks so that concurrent callers share one connect.
    private var brokerConnections: [Int32: Task<KafkaConnection, any Error>] = [:]
    private var bootstrapConnection: KafkaConnection?
    private var isShutDown = false

    public init(configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    /// Convenience: a client for "host:port[,host:port...]".
    public init(bootstrapServers: String, clientId: String = "brook") throws(KafkaError) {
        var connection = KafkaConnection.Configuration()
        connection.clientId = clientId
        self.init(configuration: Configuration(bootstrapServers: try BrokerAddress.parseList(bootstrapServers), connection: connection))
    }

    // MARK: Metadata

    /// Metadata for `topics` (nil = every topic), from the cache when fresh and complete.
    /// `allowAutoTopicCreation` lets a broker with `auto.create.topics.enable` create missing
    /// topics, as Java's producer asks it to; admin and consumer lookups leave it off.
    public func metadata(topics: [String]? = nil, allowAutoTopicCreation: Bool = false) async throws(KafkaError) -> ClusterMetadata {
        if let cachedMetadata, let metadataFetchedAt, !metadataIsStale, let topics,
            ContinuousClock.now - metadataFetchedAt < .milliseconds(configuration.metadataMaxAgeMilliseconds),
            topics.allSatisfy({ cachedMetadata.topics[$0].map { $0.errorCode == .none } ?? false })
        {
            return cachedMetadata
        }
        return try await refreshMetadata(topics: topics, allowAutoTopicCreation: allowAutoTopicCreation)
    }

    /// Asks the cluster for metadata now. `topics` nil asks for every topic.
    @discardableResult
    public func refreshMetadata(topics: [String]? = nil, allowAutoTopicCreation: Bool = false) async throws(KafkaError) -> ClusterMetadata {
        let request = MetadataRequest(
            topics: topics?.map { MetadataRequest.MetadataRequestTopic(name: $0) },
            allowAutoTopicCreation: allowAutoTopicCreation)
        let response = try await sendToAnyBroker(request)
        let fresh = ClusterMetadata(response: response)
        var merged = cachedMetadata ?? fresh
        merged.merge(fresh, replacingAllTopics: topics == nil)
        cachedMetadata = merged
        metadataFetchedAt = .now
        metadataIsStale = false
        return merged
    }

    /// Marks the cache stale so the next lookup asks the cluster (after NOT_LEADER and friends).
    public func invalidateMetadata() {
        metadataIsStale = true
    }

    /// The current leader of a partition, refreshing metadata when the cache has none.
    public func leader(topic: String, partition: Int32) async throws(KafkaError) -> Int32 {
        let topicMetadata = try await metadata(topics: [topic]).topic(topic)
        guard let partitionMetadata = topicMetadata.partition(partition) else {
            throw KafkaError(
                kind: .broker, code: .unknownTopicOrPartition, context: "looking up \(topic)-\(partition)",
                detail: "topic \(topic) has \(topicMetadata.partitions.count) partitions")
        }
        guard partitionMetadata.leaderId >= 0 else {
            invalidateMetadata()
            throw KafkaError(kind: .broker, code: .leaderNotAvailable, context: "looking up the leader of \(topic)-\(partition)")
        }
        return partitionMetadata.leaderId
    }

    // MARK: Connections

    /// The connection to broker `brokerId`, opened on first use.
    public func connection(toBroker brokerId: Int32) async throws(KafkaError) -> KafkaConnection {
        guard !isShutDown else { throw KafkaError(kind: .shutDown, context: "connecting to broker \(brokerId)") }
        if let task = brokerConnections[brokerId] {
            if let connection = try? await task.value, connection.isActive { return connection }
            brokerConnections[brokerId] = nil
        }
        var address = cachedMetadata?.brokers[brokerId]
        if address == nil {
            address = try await refreshMetadata(topics: []).brokers[brokerId]
        }
        guard let address else {
            throw KafkaError(kind: .metadataUnavailable, context: "connecting to broker \(brokerId)", detail: "no such broker in metadata")
        }
        let configuration = configuration.connection
        let group = eventLoopGroup
        let task = Task { () async throws -> KafkaConnection in
            try await KafkaConnection.connect(host: address.host, port: address.port, configuration: configuration, eventLoopGroup: group)
        }
        brokerConnections[brokerId] = task
        do {
            return try await task.value
        } catch {
            brokerConnections[brokerId] = nil
            throw Self.asKafkaError(error, context: "connecting to broker \(brokerId) at \(address)")
        }
    }

    /// Any usable connection: a known broker's, else a bootstrap server's (tried in order).
    public func anyConnection() async throws(KafkaError) -> KafkaConnection {
        guard !isShutDown else { throw KafkaError(kind: .shutDown, context: "connecting to the cluster") }
        if let bootstrapConnection, bootstrapConnection.isActive { return bootstrapConnection }
        for task in brokerConnections.values {
            if let connection = try? await task.value, connection.isActive { return connection }
        }
        var failures: [String] = []
        for address in configuration.bootstrapServers {
            do {
                let connection = try await KafkaConnection.connect(
                    host: address.host, port: address.port, configuration: configuration.connection, eventLoopGroup: eventLoopGroup)
                bootstrapConnection = connection
                return connection
            } catch {
                failures.append(error.detail ?? error.kind.name)
            }
        }
        throw KafkaError(
            kind: .connectionFailed,
            context: "connecting to bootstrap servers \(configuration.bootstrapServers.map(\.description).joined(separator: ","))",
            detail: failures.joined(separator: "; "))
    }

    /// The controller's connection when metadata names one, else any broker's (which forwards).
    public func controllerConnection() async throws(KafkaError) -> KafkaConnection {
        let metadata = try await metadata(topics: [])
        if metadata.controllerId >= 0, metadata.brokers[metadata.controllerId] != nil {
            return try await connection(toBroker: metadata.controllerId)
        }
        return try await anyConnection()
    }

    /// Sends to any broker; used for metadata and cluster-wide requests.
    public func sendToAnyBroker<Request: KafkaRequest>(_ request: Request) async throws(KafkaError) -> Request.Response {
        let connection = try await anyConnection()
        do {
            return try await connection.send(request)
        } catch {
            if !connection.isActive { forget(connection) }
            throw error
        }
    }

    /// Sends to one broker by id.
    public func send<Request: KafkaRequest>(_ request: Request, toBroker brokerId: Int32) async throws(KafkaError) -> Request.Response {
        let connection = try await connection(toBroker: brokerId)
        do {
            return try await connection.send(request)
        } catch {
            if !connection.isActive { forget(connection) }
            throw error
        }
    }

    // MARK: Retries

    /// Runs `operation` until it succeeds, fails with a non-retriable error or runs out of
    /// attempts; between attempts it waits (exponential backoff) and marks metadata stale.
    public func withRetries<Result: Sendable>(
        _ operation: @Sendable () async throws(KafkaError) -> Result
    ) async throws(KafkaError) -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await operation()
            } catch {
                guard error.isRetriable, attempt < configuration.retry.attemptsMax, !isShutDown else { throw error }
                invalidateMetadata()
                let delay = configuration.retry.backoffMilliseconds(attempt: attempt)
                do {
                    try await Task.sleep(for: .milliseconds(delay))
                } catch {
                    throw KafkaError(kind: .shutDown, context: "waiting to retry", detail: "the task was cancelled")
                }
            }
        }
    }

    // MARK: Shutdown

    /// Closes every connection. Later calls fail with `.shutDown`.
    public func shutdown() async {
        isShutDown = true
        let tasks = brokerConnections.values
        brokerConnections.removeAll()
        for task in tasks {
            if let connection = try? await task.value { await connection.close() }
        }
        if let bootstrapConnection { await bootstrapConnection.close() }
        bootstrapConnection = nil
    }

    private func forget(_ connection: KafkaConnection) {
        if bootstrapConnection === connection { bootstrapConnection = nil }
        invalidateMetadata()
    }

    static func asKafkaError(_ error: any Error, context: String) -> KafkaError {
        if let error = error as? KafkaError { return error }
        return KafkaError(kind: .connectionFailed, context: context, detail: "\(error)")
    }
}
