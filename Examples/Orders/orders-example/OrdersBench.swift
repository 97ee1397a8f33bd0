// `orders-example bench`: records per second of the generated OrderPlaced types, alone and
// through the typed layer (AvroSerializer/AvroDeserializer with their registry caches warm), on
// one fixed OrderPlaced v2 datum. bench/schema-bench.py runs it beside fastavro's
// schemaless_writer/schemaless_reader on the same datum and schema and prints the ratios; the
// datum and its encoding are printed too, so the script can check both sides write the same
// bytes. It needs a registry once, to register v1 and v2 under the bench topic's subject; every
// timed call after that is served from the serializers' caches.
import ArgumentParser
import Avro
import Brook
import Foundation
import NIOCore
import OrdersExample

struct BenchOrders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Records/s of the generated OrderPlaced types and the typed Avro serdes (figures only).")

    @Option(help: "Schema registry URL (used once, to register the contracts).")
    var registryURL = "http://127.0.0.1:8081"
    @Option(help: "Topic whose value subject the contracts are registered under.")
    var topic = "orders-bench"
    @Option(help: "Time box of each measurement, in seconds.")
    var seconds = 1.5
    @Option(help: "Warm-up before each measurement, in seconds.")
    var warmupSeconds = 0.3
    @Option(help: "text, or json (for bench/schema-bench.py).")
    var output: OutputFormat = .text

    /// Longest time box accepted, so a typo cannot hold the bench lock for an hour.
    static let secondsMax = 600.0
    /// Iterations between clock reads, so reading the clock costs nothing measurable.
    static let batchIterations = 200

    /// The datum every side measures (the script re-encodes it with fastavro).
    static let datum = SampleOrders.v2(number: 2, placedAtMilliseconds: 1_700_000_000_000, channel: .mobileApp)

    func validate() throws {
        guard seconds > 0, seconds <= Self.secondsMax, warmupSeconds >= 0, warmupSeconds <= Self.secondsMax else {
            throw ValidationError("--seconds and --warmup-seconds must be within 0...\(Self.secondsMax)")
        }
    }

    struct Report: Encodable {
        var recordsPerSecond: [String: Double]
        var datum: OrderPlacedV2
        var encodedHex: String
        var encodedV1Hex: String
    }

    func run() async throws {
        // The bench only needs the registry; the Kafka bootstrap is never contacted.
        let connection = try OrdersConnection(bootstrapServers: "127.0.0.1:9092", registryURL: registryURL)
        let report: Report
        do {
            report = try await measureAll(connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        switch output {
        case .json:
            try printJSONLine(report)
        case .text:
            print("OrderPlaced v2 datum, \(report.encodedHex.count / 2) bytes; \(seconds) s per measurement")
            for (name, rate) in report.recordsPerSecond.sorted(by: { $0.key < $1.key }) {
                print(name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(Int(rate.rounded())) + " records/s")
            }
        }
    }

    private func measureAll(_ connection: OrdersConnection) async throws -> Report {
        let order = Self.datum
        let orderV1 = OrderPlacedV1(order)
        let encoded = order.avroEncoded()
        let serializerV2 = AvroSerializer(registry: connection.registry, type: OrderPlacedV2.self)
        let serializerV1 = AvroSerializer(registry: connection.registry, type: OrderPlacedV1.self)
        let deserializer = AvroDeserializer(registry: connection.registry, type: OrderPlacedV2.self)
        let context = SerializationContext(topic: topic, component: .value)
        // Registers v1, then v2 (BACKWARD compatible), and fills every cache before timing.
        let framedV1 = try await serializerV1.serialize(orderV1, context: context)
        let framedV2 = try await serializerV2.serialize(order, context: context)
        guard try await deserializer.deserialize(framedV2, context: context) == order,
            try await deserializer.deserialize(framedV1, context: context) == OrderPlacedV2(orderV1, channel: .web),
            try OrderPlacedV2.avroDecode(encoded) == order
        else {
            throw ValidationError("the typed serdes do not read back the datum they wrote")
        }

        var rates: [String: Double] = [:]
        rates["generated-encode"] = try await measure { order.avroEncoded().count }
        rates["generated-decode"] = try await measure { try OrderPlacedV2.avroDecode(encoded).items.count }
        rates["typed-serialize"] = try await measure { try await serializerV2.serialize(order, context: context).readableBytes }
        rates["typed-deserialize"] = try await measure { try await deserializer.deserialize(framedV2, context: context).items.count }
        rates["typed-deserialize-v1-as-v2"] = try await measure {
            try await deserializer.deserialize(framedV1, context: context).items.count
        }
        let encodedV1 = Array(framedV1.readableBytesView.dropFirst(ConfluentWireFormat.headerBytes))
        return Report(recordsPerSecond: rates, datum: order, encodedHex: hex(encoded), encodedV1Hex: hex(encodedV1))
    }

    /// Records per second of `body` after a warm-up, in batches until the time box is used up.
    private func measure(_ body: () async throws -> Int) async throws -> Double {
        var checksum = 0
        let clock = ContinuousClock()
        let warmupEnd = clock.now + .nanoseconds(Int64(warmupSeconds * 1e9))
        while clock.now < warmupEnd {
            for _ in 0..<Self.batchIterations { checksum &+= try await body() }
        }
        let start = clock.now
        let deadline = start + .nanoseconds(Int64(seconds * 1e9))
        var iterations = 0
        repeat {
            for _ in 0..<Self.batchIterations { checksum &+= try await body() }
            iterations += Self.batchIterations
        } while clock.now < deadline
        let elapsed = start.duration(to: clock.now)
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The checksum is folded from every result so the optimizer cannot drop the work.
        guard checksum != Int.min else { throw ValidationError("checksum overflow") }
        return Double(iterations) / elapsedSeconds
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
