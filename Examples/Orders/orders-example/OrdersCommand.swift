// `orders-example`: the Orders example's commands against a running cluster and registry
// (`make serve`: broker 127.0.0.1:9092, registry http://127.0.0.1:8081).
//
//   orders-example produce --contract v1 --count 5            # typed v1 producer
//   orders-example consume --contract v1 --group orders-v1    # typed v1 consumer group (Ctrl-C ends it)
//   orders-example produce --contract v2 --channel MOBILE_APP # v2 records: the v1 group keeps reading them
//   orders-example consume --contract v2 --group orders-v2 --idle-exit-ms 3000   # v2 reads v1 data with the default channel
//
// `--output json` prints one JSON object per record ({topic, partition, offset, key, value} or
// {…, error}); `produce --input FILE` sends orders given as JSON lines (`-` for standard input).
// The interop tests drive the example through these two options.
import ArgumentParser
import Avro
import Brook
import Foundation
import KafkaClient
import OrdersExample

@main
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders-example",
        abstract: "Typed OrderPlaced producer and consumer group over Avro and the schema registry.",
        subcommands: [ProduceOrders.self, ConsumeOrders.self, BenchOrders.self])
}

/// Where the cluster and registry are, and which topic and contract version to use.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port[,host:port]).")
    var bootstrapServer = "127.0.0.1:9092"
    @Option(help: "Schema registry URL.")
    var registryURL = "http://127.0.0.1:8081"
    @Option(help: "Topic the orders go to.")
    var topic = "orders"
    @Option(help: "OrderPlaced contract version: v1 or v2.")
    var contract: OrderContractVersion = .v1
    @Option(help: "text, or json (one object per record).")
    var output: OutputFormat = .text

    func connect() throws -> OrdersConnection {
        try OrdersConnection(bootstrapServers: bootstrapServer, registryURL: registryURL)
    }
}

enum OutputFormat: String, ExpressibleByArgument {
    case text
    case json
}

extension OrderContractVersion: ExpressibleByArgument {}

extension OrderPlacedV2.SalesChannel: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }
}

struct ProduceOrders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce", abstract: "Send sample orders (or orders read as JSON lines) with a typed producer.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "How many sample orders to send.")
    var count = 5
    @Option(help: "Number of the first sample order (its id is order-N).")
    var firstNumber = 1
    @Option(help: "v2 only: the channel of the sample orders (WEB, MOBILE_APP, IN_STORE).")
    var channel: OrderPlacedV2.SalesChannel = .web
    @Option(help: "Send the orders in this file, one JSON object per line, instead of samples ('-': standard input).")
    var input: String?

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
    }

    func run() async throws {
        let placedAt = Int64(Date().timeIntervalSince1970 * 1_000)
        let numbers = firstNumber..<(firstNumber + count)
        let session = try connection.connect()
        do {
            switch connection.contract {
            case .v1:
                let orders = try input.map { try readOrders(OrderPlacedV1.self, from: $0) }
                    ?? numbers.map { SampleOrders.v1(number: $0, placedAtMilliseconds: placedAt) }
                try await send(orders, over: session)
            case .v2:
                let orders = try input.map { try readOrders(OrderPlacedV2.self, from: $0) }
                    ?? numbers.map { SampleOrders.v2(number: $0, placedAtMilliseconds: placedAt, channel: channel) }
                try await send(orders, over: session)
            }
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }

    private func send<Order: OrderEvent & OrderSummary>(_ orders: [Order], over session: OrdersConnection) async throws {
        let producer = session.producer(of: Order.self)
        for order in orders {
            let stored = try await producer.send(to: self.connection.topic, key: order.orderId, value: order)
            switch self.connection.output {
            case .text:
                print("sent \(order.orderId) (\(self.connection.contract)) to \(stored.topic)-\(stored.partition)@\(stored.offset): \(order.summary)")
            case .json:
                try printJSONLine(
                    RecordLine(topic: stored.topic, partition: stored.partition, offset: stored.offset, key: order.orderId, value: order))
            }
        }
    }

    private func readOrders<Order: Decodable>(_ type: Order.Type, from path: String) throws -> [Order] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read --input \(path)")
            }
            data = contents
        }
        let decoder = JSONDecoder()
        var orders: [Order] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == UInt8(ascii: " ") }) {
            do {
                orders.append(try decoder.decode(Order.self, from: Data(line)))
            } catch {
                throw ValidationError("line \(index + 1) of \(path) is not an OrderPlaced \(connection.contract) order: \(error)")
            }
        }
        return orders
    }
}

struct ConsumeOrders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume", abstract: "Read orders as a member of a consumer group, into the chosen contract version.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Consumer group (default: orders-<contract>).")
    var group: String?
    @Option(help: "Stop after this many records.")
    var maxRecords: Int?
    @Option(help: "Stop after this many milliseconds without a record.")
    var idleExitMs: Int64?

    func run() async throws {
        let session = try connection.connect()
        let failures: Int
        do {
            switch connection.contract {
            case .v1: failures = try await consume(OrderPlacedV1.self, over: session)
            case .v2: failures = try await consume(OrderPlacedV2.self, over: session)
            }
        } catch {
            await session.close()
            throw error
        }
        await session.close()
        if failures > 0 { throw ExitCode(1) }
    }

    /// Consumes until a stop condition; returns how many records could not be read.
    private func consume<Order: OrderEvent & OrderSummary>(_ type: Order.Type, over session: OrdersConnection) async throws -> Int {
        let options = self.connection
        let consumer = try await session.consumer(
            of: Order.self, group: group ?? "orders-\(options.contract)", topic: options.topic)
        var failures = 0
        do {
            _ = try await consumer.consume(until: ConsumeStop(recordsMax: maxRecords, idleMilliseconds: idleExitMs)) { result in
                switch (result, options.output) {
                case (.success(let record), .text):
                    let summary = record.value.map(\.summary) ?? "tombstone"
                    print("\(record.topic)-\(record.partition)@\(record.offset) \(record.key ?? "-"): \(summary)")
                case (.success(let record), .json):
                    try printJSONLine(
                        RecordLine(topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, value: record.value))
                case (.failure(let error), .text):
                    failures += 1
                    print("could not read a record: \(error)")
                case (.failure(let error), .json):
                    failures += 1
                    let location = error.location
                    try printJSONLine(
                        RecordLine<Order>(
                            topic: location?.topic ?? options.topic, partition: location?.partition ?? -1, offset: location?.offset ?? -1,
                            key: nil, value: nil, error: "\(error)"))
                }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return failures
    }
}

/// One record in `--output json`.
struct RecordLine<Order: Encodable>: Encodable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: Order?
    var error: String?
}

func printJSONLine(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A one-line description of an order for text output.
protocol OrderSummary {
    var summary: String { get }
}

extension OrderPlacedV1: OrderSummary {
    var summary: String {
        "\(customerId), \(items.count) item(s), total \(totalCents) \(currency) cents, placed at \(placedAt.rawValue) ms"
    }
}

extension OrderPlacedV2: OrderSummary {
    var summary: String {
        "\(customerId), \(items.count) item(s), total \(totalCents) \(currency) cents, placed at \(placedAt.rawValue) ms, channel \(channel.rawValue)"
    }
}
