// The Orders example's flow, as its README runs it against `brook serve`, here against an
// EmbeddedCluster: a typed v1 producer; a v1 consumer group reading those orders; the producer
// moving to contract v2 while the same v1 group keeps reading (the new field dropped by schema
// resolution); a v2 consumer group reading everything from the start, v1 records with the
// channel's default. Waits are bounded by a record count and a generous deadline, never timed.
import Avro
import Brook
import BrookEmbedded
import KafkaClient
import OrdersExample
import Testing

@Suite(.serialized) struct OrdersFlowTests {
    static let topic = "orders"
    static let placedAt: Int64 = 1_732_400_000_000
    /// Only guards against a hang; the flow normally takes a fraction of it.
    static let deadline = Duration.seconds(60)

    /// Reads exactly `count` records through the group consumer (or fails at the deadline).
    func read<Order: OrderEvent>(_ count: Int, from consumer: Consumer<String, Order>) async throws -> [ConsumedRecord<String, Order>] {
        var records: [ConsumedRecord<String, Order>] = []
        let end = ContinuousClock.now + Self.deadline
        while records.count < count, ContinuousClock.now < end {
            _ = try await consumer.consume(until: ConsumeStop(recordsMax: count - records.count, idleMilliseconds: 1_000)) { result in
                records.append(try result.get())
            }
        }
        try #require(records.count == count, "read \(records.count) of \(count) records before the deadline")
        return records
    }

    /// Orders sorted by id (records of several partitions arrive in no global order); sample ids
    /// are order-1 … order-7, so text order is number order.
    func byOrderId<Order: OrderEvent>(_ orders: [Order]) -> [Order] {
        orders.sorted { $0.orderId < $1.orderId }
    }

    @Test func v1ProducerAndGroupThenV2ProducerWhileV1KeepsReadingAndV2ReadsV1WithTheDefault() async throws {
        try await EmbeddedCluster.with { cluster in
            let connection = try OrdersConnection(bootstrapServers: cluster.bootstrapServers, registryURL: try #require(cluster.registryURL))
            do {
                try await flow(connection)
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        }
    }

    private func flow(_ connection: OrdersConnection) async throws {
        try await KafkaAdmin(client: connection.client).createTopic(name: Self.topic, partitionCount: 3)

        // 1. The v1 producer and the v1 consumer group.
        let v1Orders = (1...4).map { SampleOrders.v1(number: $0, placedAtMilliseconds: Self.placedAt) }
        let v1Stored = try await connection.send(v1Orders, to: Self.topic)
        #expect(Set(v1Stored.map(\.partition)).count > 1, "keys spread over the partitions")
        let v1Group = try await connection.consumer(of: OrderPlacedV1.self, group: "orders-v1", topic: Self.topic)
        let firstRead = try await read(4, from: v1Group)
        #expect(byOrderId(firstRead.compactMap(\.value)) == v1Orders)
        #expect(firstRead.allSatisfy { $0.key == $0.value?.orderId })

        // 2. The producer moves to v2 (a field with a default): the registry accepts it as the
        //    subject's version 2 and the running v1 group reads the new records as v1.
        let v2Orders = (5...7).map { SampleOrders.v2(number: $0, placedAtMilliseconds: Self.placedAt, channel: .mobileApp) }
        _ = try await connection.send(v2Orders, to: Self.topic)
        #expect(try await connection.registry.client.versions(subject: "\(Self.topic)-value") == [1, 2])
        let secondRead = try await read(3, from: v1Group)
        #expect(byOrderId(secondRead.compactMap(\.value)) == v2Orders.map { OrderPlacedV1($0) })
        await v1Group.close()

        // 3. A v2 consumer group from the start: v1 records come with the default channel.
        let v2Group = try await connection.consumer(of: OrderPlacedV2.self, group: "orders-v2", topic: Self.topic)
        let everything = try await read(7, from: v2Group)
        await v2Group.close()
        let expected = v1Orders.map { OrderPlacedV2($0, channel: .web) } + v2Orders
        #expect(byOrderId(everything.compactMap(\.value)) == expected)
        #expect(everything.filter { $0.value?.channel == .web }.count == 4)

        // 4. Both groups committed past everything they read (7 records over the 3 partitions).
        let admin = KafkaAdmin(client: connection.client)
        for group in ["orders-v1", "orders-v2"] {
            #expect(try await admin.committedOffsets(group: group).values.reduce(0, +) == 7, "group \(group)")
        }
    }
}
