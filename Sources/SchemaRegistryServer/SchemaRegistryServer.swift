// SchemaRegistryServer: the running Confluent-compatible Schema Registry. It joins three parts:
// a `KafkaSchemaStore` (the state, kept in `_schemas` on any Kafka-compatible cluster and reached
// only through KafkaClient, so Brook's own broker and Apache Kafka are the same to it), the REST
// API served by Hummingbird (HTTP/RegistryResponder and the route files), and, with several
// instances, the election of one primary that runs every write (the others forward them).
//
// The `SchemaRegistry` target stays sans-IO: plans, records and queries, no sockets or clocks.
// Everything that talks to the network — Kafka, HTTP, the group protocol — lives here, so the
// core can be tested (and simulated) without a cluster and this target carries the I/O only.
import Foundation
import Hummingbird
import KafkaClient
import NIOCore
import SchemaRegistry
import ServiceLifecycle

public final class SchemaRegistryServer: Sendable {
    public struct Configuration: Sendable {
        public var bootstrapServers: [BrokerAddress]
        public var listenHost: String
        /// 0 picks a free port (see `boundPort`).
        public var listenPort: Int
        /// The URL other instances use to forward writes here (default http://host:port as bound).
        public var advertisedURL: String?
        /// Kafka group through which instances elect the primary.
        public var groupId: String
        /// Whether this instance may become the primary.
        public var isPrimaryEligible: Bool
        /// Largest request body accepted (413 beyond); above the largest schema, which JSON escaping grows.
        public var requestBodyBytesMax: Int
        public var clientId: String
        public var store: KafkaSchemaStore.Configuration
        /// Group membership timing of the primary election.
        public var electionSessionTimeoutMilliseconds: Int32
        public var electionHeartbeatIntervalMilliseconds: Int64
        /// How long `start` waits for the first election result before serving anyway.
        public var electionStartWaitMilliseconds: Int64

        public static let defaultPort = 8081
        public static let requestBodyBytesMaxDefault = 4 * SchemaStateMachine.schemaBytesMax

        public init(
            bootstrapServers: [BrokerAddress], listenHost: String = "127.0.0.1", listenPort: Int = defaultPort,
            advertisedURL: String? = nil, groupId: String = "schema-registry", isPrimaryEligible: Bool = true,
            requestBodyBytesMax: Int = requestBodyBytesMaxDefault, clientId: String = "brook-schema-registry",
            store: KafkaSchemaStore.Configuration = .init(), electionSessionTimeoutMilliseconds: Int32 = 10_000,
            electionHeartbeatIntervalMilliseconds: Int64 = 1_000, electionStartWaitMilliseconds: Int64 = 20_000
        ) {
            self.electionSessionTimeoutMilliseconds = electionSessionTimeoutMilliseconds
            self.electionHeartbeatIntervalMilliseconds = electionHeartbeatIntervalMilliseconds
            self.electionStartWaitMilliseconds = electionStartWaitMilliseconds
            self.bootstrapServers = bootstrapServers
            self.listenHost = listenHost
            self.listenPort = listenPort
            self.advertisedURL = advertisedURL
            self.groupId = groupId
            self.isPrimaryEligible = isPrimaryEligible
            self.requestBodyBytesMax = max(1, requestBodyBytesMax)
            self.clientId = clientId
            self.store = store
        }
    }

    public let configuration: Configuration
    public let store: KafkaSchemaStore
    /// The host and port the HTTP listener is bound to.
    public let boundHost: String
    public let boundPort: Int
    private let client: KafkaClient
    private let httpTask: Task<Void, any Error>
    private let serviceGroup: ServiceGroup
    /// Who the primary is; every instance takes part, a lone one elects itself.
    public let election: PrimaryElection
    private let forwarding: WriteForwarding

    /// "http://host:port" as bound (what `brook` prints when the registry is ready).
    public var listeningURL: String { "http://\(Self.urlHost(boundHost)):\(boundPort)" }
    /// The URL other instances forward writes to: the advertised one, else `listeningURL`.
    public var url: String { configuration.advertisedURL ?? listeningURL }

    private init(configuration: Configuration, store: KafkaSchemaStore, client: KafkaClient, boundHost: String, boundPort: Int,
                 httpTask: Task<Void, any Error>, serviceGroup: ServiceGroup, election: PrimaryElection, forwarding: WriteForwarding) {
        self.serviceGroup = serviceGroup
        self.forwarding = forwarding
        self.election = election
        self.configuration = configuration
        self.store = store
        self.client = client
        self.boundHost = boundHost
        self.boundPort = boundPort
        self.httpTask = httpTask
    }

    /// Connects to the cluster, catches up with `_schemas`, then opens the HTTP listener.
    public static func start(_ configuration: Configuration) async throws -> SchemaRegistryServer {
        var connection = KafkaConnection.Configuration()
        connection.clientId = configuration.clientId
        let client = KafkaClient(configuration: KafkaClient.Configuration(bootstrapServers: configuration.bootstrapServers, connection: connection))
        let store = KafkaSchemaStore(client: client, configuration: configuration.store)
        do {
            try await store.start()
        } catch {
            await store.stop()
            await client.shutdown()
            throw error
        }
        let forwarding = WriteForwarding(store: store, timeoutMilliseconds: configuration.store.readBackTimeoutMilliseconds)
        let responder = RegistryResponder(
            routes: RegistryRoutes(store: store), requestBodyBytesMax: configuration.requestBodyBytesMax,
            forwardWrite: { request, target, contentType in await forwarding.forward(request, target: target, contentType: contentType) },
            schemaBody: { id in store.schemaBody(id: id) })
        let bound = BoundAddress()
        var application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listenHost, port: configuration.listenPort), serverName: "brook-schema-registry"),
            onServerRunning: { channel in bound.resolve(channel.localAddress) })
        application.logger.logLevel = .error
        // A service group of its own (no signal handling: `brook` owns the signals) gives a
        // graceful stop: the listener closes and requests in flight finish.
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [application], logger: application.logger))
        let httpTask = Task {
            do {
                try await serviceGroup.run()
            } catch {
                bound.fail(error)
                throw error
            }
            bound.fail(SchemaRegistryServerError.listenerClosed)
        }
        let address: SocketAddress
        do {
            address = try await bound.wait()
        } catch {
            httpTask.cancel()
            await store.stop()
            await client.shutdown()
            throw SchemaRegistryServerError.cannotListen(
                "\(configuration.listenHost):\(configuration.listenPort)", "\(error)")
        }
        let boundHost = address.ipAddress ?? configuration.listenHost
        let boundPort = address.port ?? configuration.listenPort
        let election = PrimaryElection(
            configuration: PrimaryElection.Configuration(
                groupId: configuration.groupId,
                url: configuration.advertisedURL ?? "http://\(urlHost(boundHost)):\(boundPort)",
                isEligible: configuration.isPrimaryEligible,
                sessionTimeoutMilliseconds: configuration.electionSessionTimeoutMilliseconds,
                rebalanceTimeoutMilliseconds: configuration.electionSessionTimeoutMilliseconds,
                heartbeatIntervalMilliseconds: configuration.electionHeartbeatIntervalMilliseconds),
            client: KafkaClient(configuration: client.configuration), controlClient: client,
            onPromotion: { try? await store.barrier() })
        forwarding.election.withLockedValue { $0 = election }
        await election.start(waitMilliseconds: configuration.electionStartWaitMilliseconds)
        return SchemaRegistryServer(
            configuration: configuration, store: store, client: client, boundHost: boundHost, boundPort: boundPort,
            httpTask: httpTask, serviceGroup: serviceGroup, election: election, forwarding: forwarding)
    }

    /// Closes the listener, stops the store's reader and disconnects from the cluster.
    public func shutdown() async {
        await election.stop()
        await serviceGroup.triggerGracefulShutdown()
        _ = await httpTask.result
        await forwarding.shutdown()
        await store.stop()
        await client.shutdown()
    }

    static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

public enum SchemaRegistryServerError: Error, CustomStringConvertible {
    case cannotListen(String, String)
    case listenerClosed

    public var description: String {
        switch self {
        case .cannotListen(let address, let why): return "cannot listen on \(address): \(why)"
        case .listenerClosed: return "the HTTP listener closed"
        }
    }
}

/// Hands the listener's address (or its failure to start) from Hummingbird's callback to `start`.
private final class BoundAddress: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<SocketAddress, any Error>?
    private var waiter: CheckedContinuation<SocketAddress, any Error>?

    func resolve(_ address: SocketAddress?) {
        guard let address else { return fail(SchemaRegistryServerError.listenerClosed) }
        finish(.success(address))
    }

    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ outcome: Result<SocketAddress, any Error>) {
        let pending = lock.withLock { () -> CheckedContinuation<SocketAddress, any Error>? in
            guard result == nil else { return nil }
            result = outcome
            defer { waiter = nil }
            return waiter
        }
        pending?.resume(with: outcome)
    }

    func wait() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let ready = lock.withLock { () -> Result<SocketAddress, any Error>? in
                if let result { return result }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
