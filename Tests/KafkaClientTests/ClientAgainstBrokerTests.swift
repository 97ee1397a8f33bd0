// KafkaClient end to end against the real Brook broker, in process, on an ephemeral port with
// a temporary data directory: admin calls, the batching producer and the partition consumer.
import Broker
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

private func withBrokerAndClient(settings: [(String, String)] = [], _ body: (KafkaClient) async throws -> Void) async throws {
    let directory = NSTemporaryDirectory() + "brook-client-tests-" + UUID().uuidString
    var config = BrokerConfig()
    for (key, value) in settings { try config.set(key, value) }
    config.dataDirectory = directory
    config.listener = HostPort(host: "127.0.0.1", port: 0)
    config.numberOfThreads = 1
    let server = try await BrokerServer(broker: KafkaBroker(config: config))
    let client = KafkaClient(
        configuration: .init(bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: server.boundAddress.port)]))
    do {
        try await body(client)
    } catch {
        await client.shutdown()
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
        throw error
    }
    await client.shutdown()
    await server.shutdown()
    try? FileManager.default.removeItem(atPath: directory)
}

private func text(_ buffer: ByteBuffer?) -> String? {
    buffer.map { String(buffer: $0) }
}

@Suite struct ClientAgainstBrokerTests {
    @Test func adminCreatesDescribesConfiguresGrowsAndDeletesTopics() async throws {
        try await withBrokerAndClient { client in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "orders", partitionCount: 3, configs: ["retention.ms": "86400000"])
            do {
                try await admin.createTopic(name: "orders", partitionCount: 3)
                Issue.record("a duplicate create must fail")
            } catch let error as KafkaError {
                #expect(error.code == .topicAlreadyExists)
                #expect(!error.isRetriable)
            }
            #expect(try await admin.listTopics().map(\.name) == ["orders"])
            let described = try await admin.describeTopics(["orders"])
            #expect(described.first?.partitions.map(\.partition) == [0, 1, 2])

            let configs = try await admin.describeConfigs(.topic("orders"))
            #expect(configs.first { $0.name == "retention.ms" }?.value == "86400000")
            try await admin.incrementalAlterConfigs(.topic("orders"), [.set("retention.ms", "1000")])
            #expect(try await admin.describeConfigs(.topic("orders"), names: ["retention.ms"]).first?.value == "1000")

            try await admin.createPartitions(topic: "orders", totalCount: 4)
            #expect(try await admin.describeTopics(["orders"]).first?.partitions.count == 4)

            try await admin.deleteTopic("orders")
            #expect(try await admin.listTopics().isEmpty)
            await #expect(throws: KafkaError.self) { try await admin.describeTopics(["orders"]) }
        }
    }

    @Test func producedRecordsComeBackInOrderWithKeysHeadersAndMurmur2Partitions() async throws {
        try await withBrokerAndClient { client in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "events", partitionCount: 3)
            let producer = KafkaProducer(client: client, configuration: .init(compression: .gzip, lingerMilliseconds: 20))
            var receipts: [DeliveryReceipt] = []
            for index in 0..<30 {
                receipts.append(
                    try await producer.enqueue(
                        topic: "events", key: ByteBuffer(string: "key-\(index % 3)"), value: ByteBuffer(string: "value-\(index)"),
                        headers: [RecordHeader(key: "index", value: ByteBuffer(string: String(index)))]))
            }
            var delivered: [RecordMetadata] = []
            for receipt in receipts { delivered.append(try await receipt.metadata()) }
            for (index, metadata) in delivered.enumerated() {
                let expected = kafkaPartition(forKey: Array("key-\(index % 3)".utf8), partitionCount: 3)
                #expect(Int(metadata.partition) == expected)
            }
            // Within a partition, offsets follow send order.
            for partition in Set(delivered.map(\.partition)) {
                let offsets = delivered.filter { $0.partition == partition }.map(\.offset)
                #expect(offsets == Array(0..<Int64(offsets.count)))
            }

            let partition = delivered[0].partition
            let expectedValues = (0..<30).filter { delivered[$0].partition == partition }.map { "value-\($0)" }
            // Start inside the first batch: the records before offset 2 must be skipped.
            var consumed: [ConsumerRecord] = []
            for try await record in PartitionConsumer(client: client, topic: "events", partition: partition, start: .offset(2), end: .logEndAtStart) {
                consumed.append(record)
            }
            #expect(consumed.map { text($0.value) } == Array(expectedValues.dropFirst(2)))
            #expect(consumed.first?.offset == 2)
            #expect(consumed.allSatisfy { $0.headers.first?.key == "index" && text($0.key)?.hasPrefix("key-") == true })
        }
    }

    @Test func sendWaitsForTheOffsetAndListOffsetsFindsTheEnds() async throws {
        try await withBrokerAndClient { client in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "single", partitionCount: 1)
            let producer = KafkaProducer(client: client, configuration: .init(acks: .leader, compression: .zstd))
            let first = try await producer.send(topic: "single", value: ByteBuffer(string: "a"), timestamp: 1_000)
            let second = try await producer.send(topic: "single", partition: 0, value: ByteBuffer(string: "b"), timestamp: 5_000)
            #expect(first.offset == 0 && second.offset == 1)
            #expect(try await admin.listOffsets(topic: "single", spec: .earliest).first?.offset == 0)
            #expect(try await admin.listOffsets(topic: "single", spec: .latest).first?.offset == 2)
            #expect(try await admin.listOffsets(topic: "single", spec: .timestamp(3_000)).first?.offset == 1)

            let noAcks = KafkaProducer(client: client, configuration: .init(acks: .none))
            #expect(try await noAcks.send(topic: "single", value: ByteBuffer(string: "c")).offset == -1)
            var values: [String?] = []
            for try await record in PartitionConsumer(client: client, topic: "single", partition: 0, start: .timestamp(3_000), end: .offset(3)) {
                values.append(text(record.value))
            }
            #expect(values == ["b", "c"])
            await #expect(throws: KafkaError.self) {
                try await producer.send(topic: "single", partition: 7, value: ByteBuffer(string: "x"))
            }
            let grouped = try await producer.enqueue(["d", "e", "f"].map { ProducerRecord(topic: "single", value: ByteBuffer(string: $0)) })
            var groupedOffsets: [Int64] = []
            for receipt in grouped { groupedOffsets.append(try await receipt.metadata().offset) }
            #expect(groupedOffsets == [3, 4, 5])
        }
    }

    @Test func producerLetsTheBrokerAutoCreateATopicAsJavasDoes() async throws {
        try await withBrokerAndClient { client in
            let producer = KafkaProducer(client: client)
            let sent = try await producer.send(topic: "made-on-first-send", value: ByteBuffer(string: "a"))
            #expect(sent.offset == 0)
            // Lookups other than the producer's do not create topics.
            let metadata = try await client.refreshMetadata(topics: ["looked-up-only"])
            #expect(throws: KafkaError.self) { try metadata.topic("looked-up-only") }
        }
        try await withBrokerAndClient(settings: [("auto.create.topics.enable", "false")]) { client in
            let producer = KafkaProducer(client: client)
            let error = await #expect(throws: KafkaError.self) {
                try await producer.send(topic: "never-made", value: ByteBuffer(string: "a"))
            }
            #expect(error?.code == .unknownTopicOrPartition)
        }
    }
}
