// EmbeddedCluster: a Brook broker and a schema registry running inside the calling process on
// ephemeral ports, with data in a fresh temporary directory, for tests and local experiments. It
// exposes what a real deployment would (bootstrap servers, registry URL), so code under test is
// configured exactly as in production and can later be pointed at any Kafka-compatible cluster.
//
// It lives in its own target, BrookEmbedded, rather than in Brook: Brook is what every user
// program links, and it must stay a client library that works against any cluster; linking the
// broker, its storage engine and the registry server into every producer would cost every user
// binary size and start-up work for a feature only tests need.
//
// The broker does not replicate yet (no Raft partitions), so a cluster is one broker; a test that
// wants several independent clusters starts several EmbeddedClusters.
import Broker
import Brook
import Foundation
import KafkaClient
import SchemaRegistryClient

public final class EmbeddedCluster: Sendable {
    public struct Configuration: Sendable {
        /// Broker settings with Kafka's names (as `brook serve --set`), e.g. ("num.partitions", "3").
        public var brokerSettings: [(String, String)]
        /// Start a schema registry (over the broker's `_schemas` topic) next to the broker.
        public var startsRegistry: Bool
        /// Event-loop threads for the broker; one keeps tests light on a shared machine.
        public var brokerThreads: Int

        public init(brokerSettings: [(String, String)] = [], startsRegistry: Bool = true, brokerThreads: Int = 1) {
            self.brokerSettings = brokerSettings
            self.startsRegistry = startsRegistry
            self.brokerThreads = max(1, brokerThreads)
        }
    }

    /// "127.0.0.1:PORT", for `KafkaClient(bootstrapServers:)` or any Kafka client.
    public let bootstrapServers: String
    /// "http://127.0.0.1:PORT" when a registry runs.
    public let registryURL: String?
    /// Where the broker keeps its data (removed by `shutdown`).
    public let dataDirectory: String
    private let broker: BrokerServer
    private let registry: EmbeddedRegistry?

    private init(bootstrapServers: String, registryURL: String?, dataDirectory: String, broker: BrokerServer, registry: EmbeddedRegistry?) {
        self.bootstrapServers = bootstrapServers
        self.registryURL = registryURL
        self.dataDirectory = dataDirectory
        self.broker = broker
        self.registry = registry
    }

    /// Starts the broker (and the registry); returns once both accept connections.
    public static func start(_ configuration: Configuration = Configuration()) async throws(BrookError) -> EmbeddedCluster {
        let directory = NSTemporaryDirectory() + "brook-embedded-" + UUID().uuidString
        var brokerConfig = BrokerConfig()
        brokerConfig.dataDirectory = directory
        brokerConfig.listener = HostPort(host: "127.0.0.1", port: 0)
        brokerConfig.numberOfThreads = configuration.brokerThreads
        // Tests start consumers at once; Kafka's 3 s initial rebalance delay would only slow them.
        brokerConfig.groupInitialRebalanceDelayMilliseconds = 0
        let server: BrokerServer
        do {
            for (key, value) in configuration.brokerSettings { try brokerConfig.set(key, value) }
            server = try await BrokerServer(broker: KafkaBroker(config: brokerConfig))
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw BrookError(kind: .invalidConfiguration, message: "the embedded broker did not start: \(error)")
        }
        let bootstrapServers = "127.0.0.1:\(server.boundAddress.port)"
        var registry: EmbeddedRegistry?
        if configuration.startsRegistry {
            do {
                registry = try await EmbeddedRegistry.start(bootstrapServers: bootstrapServers)
            } catch {
                await server.shutdown()
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }
        return EmbeddedCluster(
            bootstrapServers: bootstrapServers, registryURL: registry?.url, dataDirectory: directory, broker: server, registry: registry)
    }

    /// A new Kafka client for this cluster (the caller shuts it down).
    public func makeClient(clientId: String = "brook-embedded") throws(BrookError) -> KafkaClient {
        do {
            return try KafkaClient(bootstrapServers: bootstrapServers, clientId: clientId)
        } catch {
            throw BrookError(error)
        }
    }

    /// A new caching registry client for this cluster's registry (the caller shuts its client down).
    public func makeRegistryClient() throws(BrookError) -> CachedSchemaRegistry {
        guard let registryURL else {
            throw BrookError(kind: .invalidConfiguration, message: "this embedded cluster was started without a registry")
        }
        do {
            return CachedSchemaRegistry(client: try SchemaRegistryClient(url: registryURL))
        } catch {
            throw BrookError(kind: .registry, message: "\(error)", registryError: error)
        }
    }

    /// Stops the registry, then the broker, and removes the data directory.
    public func shutdown() async {
        await registry?.shutdown()
        await broker.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Runs `body` against a fresh cluster and always shuts it down afterwards.
    public static func with<Result>(
        _ configuration: Configuration = Configuration(), _ body: (EmbeddedCluster) async throws -> Result
    ) async throws -> Result {
        let cluster = try await start(configuration)
        do {
            let result = try await body(cluster)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw error
        }
    }
}
