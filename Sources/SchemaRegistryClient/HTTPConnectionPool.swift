// A keep-alive pool of HTTP/1.1 connections to one registry endpoint. Requests borrow a
// connection, run one exchange on it and give it back; at most `connectionsMax` connections are
// open, and borrowers beyond that wait in arrival order. A connection the server closed while idle
// is dropped when next borrowed; one whose exchange failed is closed, never reused.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

actor HTTPConnectionPool {
    private let endpoint: SchemaRegistryEndpoint
    private let connectTimeout: TimeAmount
    private let connectionsMax: Int
    private let eventLoopGroup: any EventLoopGroup

    private var idle: [any Channel] = []
    /// Connections open or being opened (idle and borrowed together).
    private var openCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isShutDown = false

    /// Exchanges started, for statistics and for tests that check requests were coalesced.
    private(set) var exchangesStarted = 0
    /// TCP connections opened, for tests that check connections are reused.
    private(set) var connectionsOpened = 0

    init(endpoint: SchemaRegistryEndpoint, connectTimeoutMilliseconds: Int64, connectionsMax: Int, eventLoopGroup: any EventLoopGroup) {
        self.endpoint = endpoint
        self.connectTimeout = .milliseconds(connectTimeoutMilliseconds)
        self.connectionsMax = connectionsMax
        self.eventLoopGroup = eventLoopGroup
    }

    /// A connection to run one exchange on, and whether it carried an exchange before.
    func borrow() async throws(SchemaRegistryClientError) -> (channel: any Channel, isReused: Bool) {
        while true {
            guard !isShutDown else {
                throw SchemaRegistryClientError(kind: .shutDown, message: "the registry client was shut down")
            }
            while let channel = idle.popLast() {
                if channel.isActive {
                    exchangesStarted += 1
                    return (channel, true)
                }
                openCount -= 1
            }
            if openCount < connectionsMax {
                openCount += 1
                do {
                    let channel = try await connect()
                    connectionsOpened += 1
                    exchangesStarted += 1
                    return (channel, false)
                } catch {
                    openCount -= 1
                    wakeOneWaiter()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Gives a connection back; `isReusable` is false after a failure or a `Connection: close`.
    func giveBack(_ channel: any Channel, isReusable: Bool) {
        if isReusable && channel.isActive && !isShutDown {
            idle.append(channel)
        } else {
            openCount -= 1
            channel.close(promise: nil)
        }
        wakeOneWaiter()
    }

    func shutdown() async {
        isShutDown = true
        let closing = idle
        idle.removeAll()
        openCount -= closing.count
        for channel in closing { try? await channel.close() }
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }

    private func wakeOneWaiter() {
        guard !waiters.isEmpty else { return }
        waiters.removeFirst().resume()
    }

    private func connect() async throws(SchemaRegistryClientError) -> any Channel {
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(RegistryHTTPHandler())
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw SchemaRegistryClientError(
                kind: .connectionFailed,
                message: "cannot connect to the registry at \(endpoint) (\(Self.describeConnectFailure(error)))")
        }
    }

    /// A short reason ("Connection refused") instead of NIO's nested error dump.
    private static func describeConnectFailure(_ error: any Error) -> String {
        if let connectionError = error as? NIOConnectionError, let first = connectionError.connectionErrors.first {
            return describeConnectFailure(first.error)
        }
        if let ioError = error as? IOError { return String(cString: strerror(ioError.errnoCode)) }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return "timed out" }
        return "\(error)"
    }
}
