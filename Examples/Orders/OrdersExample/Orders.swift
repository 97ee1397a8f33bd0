// The Orders example's shared part: the OrderPlaced contract as Swift types, generated at build
// time by the BrookCodegenPlugin from Schemas/OrderPlaced.v1.avsc and .v2.avsc (links to the
// repository's schemas/orders, so the example always uses the contracts teams share), the typed
// producer and group consumer built on them, and sample orders. The `orders-example` executable
// wraps this in commands; the example's tests run the same code against an EmbeddedCluster.
//
// The contract evolves: v2 adds `channel` (enum SalesChannel, default WEB). Both versions are
// written under the topic's subject (`orders-value`), where the registry accepts v2 as BACKWARD
// compatible. A v1 consumer reads v2 records by Avro schema resolution (the channel is dropped);
// a v2 consumer reads v1 records with the channel's default.
import Avro
import Brook
import KafkaClient
import SchemaRegistryClient

/// An OrderPlaced type of any contract version: keyed by its order id.
public protocol OrderEvent: AvroGeneratedRecord {
    var orderId: String { get }
}

extension OrderPlacedV1: OrderEvent {}
extension OrderPlacedV2: OrderEvent {}

/// The contract versions the example can write and read.
public enum OrderContractVersion: String, CaseIterable, Sendable {
    case v1
    case v2
}

/// One Kafka client, one registry client and one producer: what every command opens once.
public final class OrdersConnection: Sendable {
    public let client: KafkaClient
    public let registry: CachedSchemaRegistry
    public let kafkaProducer: KafkaProducer

    public init(bootstrapServers: String, registryURL: String, clientId: String = "orders-example") throws(BrookError) {
        do {
            client = try KafkaClient(bootstrapServers: bootstrapServers, clientId: clientId)
        } catch {
            throw BrookError(error)
        }
        do {
            registry = CachedSchemaRegistry(client: try SchemaRegistryClient(url: registryURL))
        } catch {
            throw BrookError(kind: .invalidConfiguration, message: "the registry URL '\(registryURL)' is not usable: \(error)")
        }
        // Sends go out at once: the example shows each record as it is stored.
        kafkaProducer = KafkaProducer(client: client, configuration: .init(lingerMilliseconds: 0))
    }

    /// A typed producer of one contract version: keys are order ids, values Avro through the registry.
    public func producer<Order: OrderEvent>(of type: Order.Type) -> Producer<String, Order> {
        Producer(
            producer: kafkaProducer, keySerializer: StringSerializer(),
            valueSerializer: AvroSerializer(registry: registry, type: Order.self))
    }

    /// A typed member of consumer group `group` on `topic`, reading every record into `type`
    /// (whatever contract version wrote it). A new group starts at the earliest offset.
    public func consumer<Order: OrderEvent>(of type: Order.Type, group: String, topic: String) async throws(BrookError) -> Consumer<String, Order> {
        let consumer = try Consumer(
            client: client,
            configuration: KafkaConsumer.Configuration(
                groupId: group, sessionTimeoutMilliseconds: 10_000, heartbeatIntervalMilliseconds: 500, autoOffsetReset: .earliest,
                enableAutoCommit: false, fetchMaxWaitMilliseconds: 200),
            keyDeserializer: StringDeserializer(), valueDeserializer: AvroDeserializer(registry: registry, type: Order.self))
        try await consumer.subscribe(topics: [topic])
        return consumer
    }

    /// Sends each order keyed by its id and returns where each was stored.
    public func send<Order: OrderEvent>(_ orders: [Order], to topic: String) async throws(BrookError) -> [RecordMetadata] {
        let producer = producer(of: Order.self)
        var stored: [RecordMetadata] = []
        for order in orders { stored.append(try await producer.send(to: topic, key: order.orderId, value: order)) }
        return stored
    }

    /// Flushes the producer and closes the clients.
    public func close() async {
        await kafkaProducer.close()
        await registry.client.shutdown()
        await client.shutdown()
    }
}

/// When `consume` stops.
public struct ConsumeStop: Sendable {
    /// Stop after this many records (successful or not); nil: no limit.
    public var recordsMax: Int?
    /// Stop after this long without a record; nil: never (until the task is cancelled).
    public var idleMilliseconds: Int64?

    public init(recordsMax: Int? = nil, idleMilliseconds: Int64? = nil) {
        self.recordsMax = recordsMax
        self.idleMilliseconds = idleMilliseconds
    }
}

extension Consumer where Key == String {
    /// Polls, hands every record (or the reason it could not be read) to `handle`, and commits
    /// after each handled batch, until `stop` says so. Returns how many records were handled.
    public func consume(
        until stop: ConsumeStop, pollMilliseconds: Int64 = 200,
        handle: (Result<ConsumedRecord<String, Value>, BrookError>) async throws -> Void
    ) async throws -> Int {
        var handled = 0
        var lastRecord = ContinuousClock.now
        while !Task.isCancelled {
            if let recordsMax = stop.recordsMax, handled >= recordsMax { break }
            if let idle = stop.idleMilliseconds, ContinuousClock.now - lastRecord >= .milliseconds(idle) { break }
            let remaining = stop.recordsMax.map { $0 - handled }
            let batch = try await poll(maxRecords: remaining, timeoutMilliseconds: pollMilliseconds)
            guard !batch.isEmpty else { continue }
            lastRecord = ContinuousClock.now
            for result in batch { try await handle(result) }
            handled += batch.count
            try await commit()
        }
        return handled
    }
}

/// Deterministic sample orders, so a reader can tell which record is which.
public enum SampleOrders {
    /// Order number `number` under contract v1.
    public static func v1(number: Int, placedAtMilliseconds: Int64) -> OrderPlacedV1 {
        let items = lineItems(number: number)
        return OrderPlacedV1(
            orderId: "order-\(number)", customerId: "customer-\(number % 7)",
            items: items.map { OrderPlacedV1.LineItem(sku: $0.sku, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents) },
            totalCents: items.reduce(0) { $0 + Int64($1.quantity) * $1.unitPriceCents },
            placedAt: AvroTimestampMillis(rawValue: placedAtMilliseconds))
    }

    /// Order number `number` under contract v2, placed through `channel`.
    public static func v2(number: Int, placedAtMilliseconds: Int64, channel: OrderPlacedV2.SalesChannel) -> OrderPlacedV2 {
        OrderPlacedV2(v1(number: number, placedAtMilliseconds: placedAtMilliseconds), channel: channel)
    }

    private static func lineItems(number: Int) -> [(sku: String, quantity: Int32, unitPriceCents: Int64)] {
        (0...(number % 3)).map { line in (sku: "SKU-\(100 + line)", quantity: Int32(1 + (number + line) % 4), unitPriceCents: Int64(250 * (line + 1))) }
    }
}

extension OrderPlacedV2 {
    /// The v1 order with a channel: what a v2 producer writes for the same order.
    public init(_ order: OrderPlacedV1, channel: SalesChannel) {
        self.init(
            orderId: order.orderId, customerId: order.customerId,
            items: order.items.map { LineItem(sku: $0.sku, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents) },
            totalCents: order.totalCents, currency: order.currency, placedAt: order.placedAt, channel: channel)
    }
}

extension OrderPlacedV1 {
    /// The v2 order without its channel: what a v1 reader sees of it.
    public init(_ order: OrderPlacedV2) {
        self.init(
            orderId: order.orderId, customerId: order.customerId,
            items: order.items.map { LineItem(sku: $0.sku, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents) },
            totalCents: order.totalCents, currency: order.currency, placedAt: order.placedAt)
    }
}
