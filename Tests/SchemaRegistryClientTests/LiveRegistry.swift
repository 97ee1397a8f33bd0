// Test support: a real broker (in process, ephemeral port, temporary data directory) with the
// real registry server in front of it, so the client is tested over real sockets against the
// registry it will meet in production.
import Brook
import BrookEmbedded
import SchemaRegistryClient

/// The registry of an `EmbeddedCluster` (the same fixture the typed-layer tests use).
final class LiveRegistry: Sendable {
    let cluster: EmbeddedCluster
    let url: String

    private init(cluster: EmbeddedCluster, url: String) {
        self.cluster = cluster
        self.url = url
    }

    static func start() async throws -> LiveRegistry {
        let cluster = try await EmbeddedCluster.start()
        guard let url = cluster.registryURL else {
            await cluster.shutdown()
            throw BrookError(kind: .invalidConfiguration, message: "the embedded cluster started no registry")
        }
        return LiveRegistry(cluster: cluster, url: url)
    }

    func stop() async { await cluster.shutdown() }
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
