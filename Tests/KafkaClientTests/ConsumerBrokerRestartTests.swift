// A group consumer across a broker restart: every connection breaks (the coordinator's
// included), the coordinator rebuilds the group from __consumer_offsets, and the consumer must
// find it again, rejoin if its membership was forgotten, and go on from its positions without
// losing or repeating committed records.
import Broker
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

@Suite struct ConsumerBrokerRestartTests {
    @Test func aConsumerSurvivesABrokerRestart() async throws {
        let directory = NSTemporaryDirectory() + "brook-consumer-restart-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = BrokerConfig()
        config.dataDirectory = directory
        config.listener = HostPort(host: "127.0.0.1", port: 0)
        config.numberOfThreads = 1
        config.groupInitialRebalanceDelayMilliseconds = 0
        var server = try await BrokerServer(broker: KafkaBroker(config: config))
        let port = server.boundAddress.port
        let address = BrokerAddress(host: "127.0.0.1", port: port)
        let consumerClient = KafkaClient(configuration: .init(bootstrapServers: [address]))
        let producerClient = KafkaClient(configuration: .init(bootstrapServers: [address]))

        try await KafkaAdmin(client: producerClient).createTopic(name: "restarts", partitionCount: 2)
        for partition in 0..<Int32(2) { try await produceRecords(producerClient, topic: "restarts", partition: partition, count: 3) }
        let consumer = try KafkaConsumer(client: consumerClient, configuration: fastConsumerConfiguration(group: "survivors"))
        try await consumer.subscribe(topics: ["restarts"])
        let before = try await readRecords(consumer, count: 6)
        try await consumer.commit()

        await server.shutdown()
        config.listener = HostPort(host: "127.0.0.1", port: port)
        server = try await BrokerServer(broker: KafkaBroker(config: config))

        for partition in 0..<Int32(2) { try await produceRecords(producerClient, topic: "restarts", partition: partition, count: 2) }
        let after = try await readRecords(consumer, count: 4)
        #expect(Set(after.map { "\($0.partition)/\($0.offset)" }) == ["0/3", "0/4", "1/3", "1/4"])
        #expect(Set(before.map(\.offset)) == [0, 1, 2])
        try await waitUntil("the consumer owns both partitions again") { await consumer.assignment.count == 2 }
        try await consumer.commit()
        let partitions = allPartitions("restarts", count: 2).sorted()
        #expect(try await consumer.committed(partitions) == Dictionary(uniqueKeysWithValues: partitions.map { ($0, 5) }))

        await consumer.close()
        await consumerClient.shutdown()
        await producerClient.shutdown()
        await server.shutdown()
    }
}
