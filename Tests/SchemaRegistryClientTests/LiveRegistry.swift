// Test support: a real broker (in process, ephemeral port, temporary data directory) with the
// real registry server in front of it, so the client is tested over real sockets against the
// registry it will meet in production.
import Broker
import Foundation
import KafkaClient
import SchemaRegistryClient
import SchemaRegistryServer

final class LiveRegistry: Sendable {
    let directory: String
    let broker: BrokerServer
    let server: SchemaRegistryServer

    var url: String { server.listeningURL }

    private init(directory: String, broker: BrokerServer, server: SchemaRegistryServer) {
        self.directory = directory
        self.broker = broker
        self.server = server
    }

    static func start() async throws -> LiveRegistry {
        let directory = NSTemporaryDirectory() + "brook-registry-client-tests-" + UUID().uuidString
        var brokerConfig = BrokerConfig()
        brokerConfig.dataDirectory = directory
        brokerConfig.listener = HostPort(host: "127.0.0.1", port: 0)
        brokerConfig.numberOfThreads = 1
        let broker = try await BrokerServer(broker: KafkaBroker(config: brokerConfig))
        var configuration = SchemaRegistryServer.Configuration(
            bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: broker.boundAddress.port)], listenPort: 0)
        configuration.store.readBackTimeoutMilliseconds = 10_000
        do {
            let server = try await SchemaRegistryServer.start(configuration)
            return LiveRegistry(directory: directory, broker: broker, server: server)
        } catch {
            await broker.shutdown()
            throw error
        }
    }

    func stop() async {
        await server.shutdown()
        await broker.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` with a fresh registry and a client for it, always stopping both.
func withLiveRegistry(_ body: (LiveRegistry, SchemaRegistryClient) async throws -> Void) async throws {
    let registry = try await LiveRegistry.start()
    let client = try SchemaRegistryClient(url: registry.url)
    do {
        try await body(registry, client)
    } catch {
        await client.shutdown()
        await registry.stop()
        throw error
    }
    await client.shutdown()
    await registry.stop()
}
