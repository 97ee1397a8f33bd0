// Binds the Kafka listener and runs the broker's periodic housekeeping (retention, time-based
// flushes) until shut down.
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

public final class BrokerServer: Sendable {
    public let broker: KafkaBroker
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let housekeeping: RepeatedTask

    /// How often idle heap is returned to the OS (see `KafkaBroker.releaseFreeMemory`).
    static let memoryReleaseIntervalSeconds: Int64 = 10

    /// The address the listener is bound to (with the real port when 0 was asked for).
    public let boundAddress: HostPort

    public init(broker: KafkaBroker) async throws {
        self.broker = broker
        let threads = broker.config.numberOfThreads > 0 ? broker.config.numberOfThreads : System.coreCount
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let maxFrameBytes = broker.config.socketRequestMaxBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrameBytes)))
                    try channel.pipeline.syncOperations.addHandler(KafkaConnectionHandler(broker: broker))
                }
            }
        do {
            channel = try await bootstrap.bind(host: broker.config.listener.host, port: broker.config.listener.port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let port = channel.localAddress?.port ?? broker.config.listener.port
        boundAddress = HostPort(host: broker.config.listener.host, port: port)
        broker.setBoundAddress(boundAddress)
        broker.groupCoordinator.start(eventLoop: group.next())

        let retentionEvery = max(1, broker.config.logRetentionCheckIntervalMilliseconds / 1000)
        let ticks = NIOLockedValueBox<Int64>(0)
        housekeeping = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            let count = ticks.withLockedValue { count in
                count += 1
                return count
            }
            broker.runHousekeeping(retention: count % retentionEvery == 0)
            if count % Self.memoryReleaseIntervalSeconds == 0 { broker.releaseFreeMemory() }
        }
    }

    /// Waits until the listener closes.
    public func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
    }

    public func shutdown() async {
        housekeeping.cancel()
        // Parked JoinGroups and SyncGroups fail while their event loops still run.
        broker.groupCoordinator.stop()
        try? await channel.close()
        try? await group.shutdownGracefully()
        broker.shutdown()
    }
}
