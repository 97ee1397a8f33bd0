// Options shared by the client commands and the translation of failures into advice.
//
// Every client command runs its body through `runClientCommand`, which turns a `KafkaError`
// into one sentence saying what went wrong and what to change, and makes the process exit
// non-zero (ArgumentParser prints `Error: <sentence>` and exits 1).
import ArgumentParser
import KafkaClient
import KafkaProtocol

struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-server"), help: "Broker address(es), host:port, comma-separated.")
    var bootstrapServer: String = "127.0.0.1:9092"

    @Option(name: .customLong("request-timeout-ms"), help: "How long to wait for each broker answer.")
    var requestTimeoutMilliseconds: Int64 = 30_000

    @Option(help: "Retries of a failed request that may succeed when tried again (connection refused, leader moving).")
    var retries: Int = 3

    func validate() throws {
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        do {
            _ = try BrokerAddress.parseList(bootstrapServer)
        } catch {
            throw ValidationError("--bootstrap-server \"\(bootstrapServer)\" is not host:port (for example 127.0.0.1:9092)")
        }
        guard requestTimeoutMilliseconds > 0 else {
            throw ValidationError("--request-timeout-ms must be positive")
        }
    }

    func makeClient() throws -> KafkaClient {
        var connection = KafkaConnection.Configuration()
        connection.clientId = "brook-cli"
        connection.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        return KafkaClient(
            configuration: KafkaClient.Configuration(
                bootstrapServers: try BrokerAddress.parseList(bootstrapServer), connection: connection,
                retry: KafkaClient.RetryPolicy(attemptsMax: retries + 1)))
    }
}

/// A failure explained for the person at the terminal.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// "k=v" pairs from repeatable options (`--config`, `--header`, `--set`).
enum KeyValueArgument {
    static func parse(_ text: String, option: String) throws -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError("\(option) \"\(text)\" must look like key=value")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    static func parseAll(_ texts: [String], option: String) throws -> [(key: String, value: String)] {
        try texts.map { try parse($0, option: option) }
    }
}

/// Runs a command body with a client, always shutting the client down, and explains failures.
func runClientCommand<Result>(
    _ options: ConnectionOptions, _ body: (KafkaClient) async throws -> Result
) async throws -> Result {
    let client = try options.makeClient()
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch let error as KafkaError {
        await client.shutdown()
        throw CommandFailure(advice(for: error, bootstrapServer: options.bootstrapServer))
    } catch {
        await client.shutdown()
        throw error
    }
}

/// One sentence: what failed, why, and what to do about it.
func advice(for error: KafkaError, bootstrapServer: String) -> String {
    let what = error.context.prefix(1).uppercased() + error.context.dropFirst()
    let detail = error.detail.map { " (\($0))" } ?? ""
    switch error.kind {
    case .connectionFailed:
        return "\(what) failed\(detail). Is a broker running at \(bootstrapServer)? Start one with `brook serve` or pass --bootstrap-server host:port."
    case .connectionClosed:
        return "\(what) failed: the broker closed the connection\(detail). Check the broker's log, then try again."
    case .timedOut:
        return "\(what) timed out\(detail). The broker may be overloaded; raise --request-timeout-ms or try again."
    case .unsupportedVersion:
        return "\(what) failed: the broker does not support a protocol version this client speaks\(detail)."
    case .invalidArgument:
        return "\(what) failed\(detail). Fix the argument and try again."
    case .protocolViolation:
        return "\(what) failed: the broker's answer could not be decoded\(detail). Is \(bootstrapServer) a Kafka broker?"
    default:
        break
    }
    guard let code = error.code else { return "\(what) failed\(detail)." }
    let hint: String
    switch code {
    case .topicAlreadyExists: hint = "Choose another name, or delete it first with `brook topic delete`."
    case .unknownTopicOrPartition: hint = "Check the name with `brook topic list`, or create it with `brook topic create`."
    case .invalidPartitions: hint = "Use a partition count of at least 1 (and more than the current count when adding partitions)."
    case .invalidReplicationFactor: hint = "Use a replication factor no larger than the number of brokers."
    case .invalidConfig: hint = "Check the config name and value with `brook topic describe`."
    case .invalidTopicException: hint = "Topic names use letters, digits, '.', '_' and '-' (at most 249)."
    case .messageTooLarge, .recordListTooLarge: hint = "Send smaller records, or raise max.message.bytes on the topic."
    case .offsetOutOfRange: hint = "Use --from-beginning, or an --offset inside the partition's range."
    case .topicAuthorizationFailed, .clusterAuthorizationFailed: hint = "Ask an operator for access."
    default: hint = code.isRetriable ? "This is usually temporary; try again." : ""
    }
    return "\(what) failed: \(code)\(detail). \(hint)".trimmingTrailingSpace()
}

extension String {
    func trimmingTrailingSpace() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
