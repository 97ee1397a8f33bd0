// KafkaProducer as a swift-service-lifecycle `Service`: run it in a `ServiceGroup` next to the
// `KafkaClient` it uses (client first, so the group shuts the producer down before the client).
//
// On graceful shutdown the producer flushes: every record accepted so far is sent and answered
// before `run` returns. When the run task is cancelled instead, it stops taking records and
// returns without waiting; records still buffered fail with `.shutDown`.
import ServiceLifecycle

extension KafkaProducer: Service {
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: there is no time to flush.
            abandon()
            return
        }
        await close()
    }

    /// Refuses new records and fails every record not yet written to the broker.
    func abandon() {
        isClosed = true
        fatalError = KafkaError(kind: .shutDown, context: "producing", detail: "the producer was cancelled before it could flush")
        for topicPartition in Array(partitions.keys) {
            closeOpenBatch(topicPartition)
            pump(topicPartition)
        }
    }
}
