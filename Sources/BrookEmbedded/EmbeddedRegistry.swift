// The registry half of an EmbeddedCluster: Brook's schema registry server (the Confluent REST API
// over the `_schemas` topic) started in-process against the embedded broker, on an ephemeral port.
import Brook
import KafkaClient
import SchemaRegistryServer

struct EmbeddedRegistry: Sendable {
    let server: SchemaRegistryServer

    var url: String { server.listeningURL }

    static func start(bootstrapServers: String) async throws(BrookError) -> EmbeddedRegistry {
        do {
            let address = try BrokerAddress(parsing: bootstrapServers)
            // A lone instance elects itself; no need to wait out a long election window.
            let configuration = SchemaRegistryServer.Configuration(
                bootstrapServers: [address], listenHost: "127.0.0.1", listenPort: 0, clientId: "brook-embedded-registry",
                electionSessionTimeoutMilliseconds: 6_000, electionHeartbeatIntervalMilliseconds: 500,
                electionStartWaitMilliseconds: 5_000)
            return EmbeddedRegistry(server: try await SchemaRegistryServer.start(configuration))
        } catch let error as KafkaError {
            throw BrookError(error)
        } catch {
            throw BrookError(kind: .registry, message: "the embedded schema registry did not start: \(error)")
        }
    }

    func shutdown() async {
        await server.shutdown()
    }
}
