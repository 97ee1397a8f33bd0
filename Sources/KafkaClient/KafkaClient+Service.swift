// KafkaClient as a swift-service-lifecycle `Service`: it holds its connections until the
// service group shuts down, then closes them. Put it before the producers and consumers that
// use it in the group's service list; the group stops services in reverse order, so they
// flush and leave their groups while the client's connections are still open.
import ServiceLifecycle

extension KafkaClient: Service {
    public func run() async throws {
        // Graceful shutdown and cancellation both end with the connections closed.
        try? await gracefulShutdown()
        await shutdown()
    }
}
