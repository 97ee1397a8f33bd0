// `brook serve`: runs a broker on the embedded default (127.0.0.1:9092, data in ./data) or as
// configured by a properties file and flags, and then the schema registry in the same process
// (127.0.0.1:8081 unless --registry-listen or --no-registry). The registry reaches the broker
// over loopback through KafkaClient, exactly as it would reach an external cluster. Prints one
// line per listener when it is ready (tests and scripts wait for them) and shuts down cleanly
// on SIGTERM/SIGINT: the registry first, then the broker, whose logs are flushed and marked
// clean, so the next start skips recovery.
import ArgumentParser
import Broker
import Dispatch
import Foundation
import KafkaClient
import SchemaRegistryServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a Brook broker.",
        discussion: """
            Broker settings use Kafka's names and may come from a properties file (--config) and \
            from --set key=value flags (which win). Supported keys: \
            \(BrokerConfig.supportedKeys.joined(separator: ", ")).
            """)

    @Option(name: .customLong("data-dir"), help: "Directory for partition logs and metadata.")
    var dataDirectory: String?

    @Option(name: .customLong("listen"), help: "Kafka listener host:port (port 0 picks a free port).")
    var listen: String?

    @Option(name: .customLong("advertised-listener"), help: "host:port clients are told to connect to.")
    var advertisedListener: String?

    @Option(name: .customLong("node-id"), help: "This broker's node id.")
    var nodeId: Int32?

    @Option(name: .customLong("config"), help: "A properties file of broker settings (key=value lines).")
    var configFile: String?

    @Option(name: .customLong("set"), help: "A broker setting as key=value; repeatable.")
    var settings: [String] = []

    @Option(name: .customLong("registry-listen"), help: "Schema registry HTTP host:port (port 0 picks a free port).")
    var registryListen: String = "127.0.0.1:\(SchemaRegistryServer.Configuration.defaultPort)"

    @Flag(name: .customLong("no-registry"), help: "Run the broker only, without the schema registry.")
    var noRegistry = false

    func run() async throws {
        let config: BrokerConfig
        do {
            config = try makeConfig()
        } catch {
            throw ValidationError(error.description)
        }
        let broker = try KafkaBroker(config: config)
        let server: BrokerServer
        do {
            server = try await BrokerServer(broker: broker)
        } catch {
            broker.shutdown()
            throw ValidationError("cannot listen on \(config.listener): \(error)")
        }
        print("brook: kafka listener ready on \(server.boundAddress)")
        fflush(nil)  // flush stdout without touching the (non-Sendable) global

        var registry: SchemaRegistryServer?
        if !noRegistry {
            do {
                registry = try await startRegistry(broker: server.boundAddress)
            } catch {
                await server.shutdown()
                throw ValidationError("cannot start the schema registry: \(error)")
            }
        }

        let signal = await Self.waitForTerminationSignal()
        FileHandle.standardError.write(Data("brook: signal \(signal), shutting down\n".utf8))
        await registry?.shutdown()
        await server.shutdown()
    }

    /// Starts the registry against this process's broker, over loopback when it listens on all addresses.
    private func startRegistry(broker: HostPort) async throws -> SchemaRegistryServer {
        let listen: HostPort
        do {
            listen = try HostPort(parsing: registryListen)
        } catch {
            throw ValidationError("--registry-listen: \(error.description)")
        }
        let wildcard = ["0.0.0.0", "::", ""].contains(broker.host)
        let bootstrap = BrokerAddress(host: wildcard ? "127.0.0.1" : broker.host, port: broker.port)
        let registry = try await SchemaRegistryServer.start(
            SchemaRegistryServer.Configuration(bootstrapServers: [bootstrap], listenHost: listen.host, listenPort: listen.port))
        print("brook: schema registry listening on \(registry.listeningURL)")
        fflush(nil)
        return registry
    }

    private func makeConfig() throws(BrokerConfigError) -> BrokerConfig {
        var config = BrokerConfig()
        if let configFile {
            let text: String
            do {
                text = try String(contentsOfFile: configFile, encoding: .utf8)
            } catch {
                throw .unreadableFile(path: configFile, why: "\(error.localizedDescription)")
            }
            try config.load(propertiesText: text, path: configFile)
        }
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw .invalid(key: setting, value: "", why: "--set takes key=value")
            }
            try config.set(String(setting[..<equals]), String(setting[setting.index(after: equals)...]))
        }
        if let dataDirectory { config.dataDirectory = dataDirectory }
        if let listen { config.listener = try HostPort(parsing: listen) }
        if let advertisedListener { config.advertisedListener = try HostPort(parsing: advertisedListener) }
        if let nodeId { config.nodeId = nodeId }
        return config
    }

    /// Suspends until SIGTERM or SIGINT arrives and returns its number.
    static func waitForTerminationSignal() async -> Int32 {
        await withCheckedContinuation { continuation in
            let once = SignalOnce(continuation)
            for number in [SIGTERM, SIGINT] {
                Foundation.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { once.resume(number) }
                source.resume()
                once.keep(source)
            }
        }
    }
}

/// Resumes the waiting task on the first signal and keeps the signal sources alive.
private final class SignalOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    func keep(_ source: DispatchSourceSignal) { lock.withLock { sources.append(source) } }

    func resume(_ number: Int32) {
        let pending = lock.withLock { () -> CheckedContinuation<Int32, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: number)
    }
}
