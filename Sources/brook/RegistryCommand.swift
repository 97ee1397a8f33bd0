// `brook registry`: the schema registry on its own, storing its state in `_schemas` of any
// Kafka-compatible cluster (Brook, Apache Kafka, Redpanda...). Several instances with the same
// --group-id elect one primary; the others forward writes to its --advertised-url. Prints
// `brook: schema registry listening on http://HOST:PORT` when ready; stops on SIGTERM/SIGINT.
import ArgumentParser
import Broker
import Foundation
import KafkaClient
import SchemaRegistryServer

struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Run a Confluent-compatible schema registry against a Kafka-compatible cluster.")

    @Option(name: [.customLong("bootstrap-server"), .customLong("bootstrap-servers")], help: "The cluster's brokers: host:port[,host:port...] (also --bootstrap-servers).")
    var bootstrapServers: String

    @Option(name: .customLong("listen"), help: "HTTP host:port (port 0 picks a free port).")
    var listen: String = "127.0.0.1:\(SchemaRegistryServer.Configuration.defaultPort)"

    @Option(name: .customLong("group-id"), help: "Kafka group through which registry instances elect the primary.")
    var groupId: String = "schema-registry"

    @Option(name: .customLong("advertised-url"), help: "URL other instances forward writes to (default: http://HOST:PORT as bound).")
    var advertisedURL: String?

    func run() async throws {
        let servers: [BrokerAddress]
        let address: HostPort
        do {
            servers = try BrokerAddress.parseList(bootstrapServers)
        } catch {
            throw ValidationError("--bootstrap-servers: \(error)")
        }
        do {
            address = try HostPort(parsing: listen)
        } catch {
            throw ValidationError("--listen: \(error.description)")
        }
        let registry: SchemaRegistryServer
        do {
            registry = try await SchemaRegistryServer.start(
                SchemaRegistryServer.Configuration(
                    bootstrapServers: servers, listenHost: address.host, listenPort: address.port, advertisedURL: advertisedURL,
                    groupId: groupId))
        } catch {
            throw ValidationError("cannot start the schema registry: \(error)")
        }
        print("brook: schema registry listening on \(registry.listeningURL)")
        fflush(nil)
        let signal = await ServeCommand.waitForTerminationSignal()
        FileHandle.standardError.write(Data("brook: signal \(signal), shutting down\n".utf8))
        await registry.shutdown()
    }
}
