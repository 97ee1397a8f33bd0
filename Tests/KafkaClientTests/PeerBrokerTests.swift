// The Swift client against the peer broker (Tansu 0.6.0, from ../shared/bench), unchanged:
// Brook's promise is that its clients work with any Kafka-compatible broker.
//
// These tests need a running peer: scripts/peer-broker-test.sh installs it through
// ../shared/bench/ensure-tools, starts it, runs this suite with BROOK_PEER_BOOTSTRAP=host:port
// and stops it; `make test` (what CI runs) calls that script. Without the variable the suite
// is disabled rather than failing, so `swift test` alone still works on a laptop.
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

private let peerBootstrap = ProcessInfo.processInfo.environment["BROOK_PEER_BOOTSTRAP"].flatMap { $0.isEmpty ? nil : $0 }

private func withPeerClient(_ body: (KafkaClient) async throws -> Void) async throws {
    let client = try KafkaClient(bootstrapServers: try #require(peerBootstrap), clientId: "brook-peer-tests")
    var failure: (any Error)?
    do {
        try await body(client)
    } catch {
        failure = error
    }
    await client.shutdown()
    if let failure { throw failure }
}

private func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

@Suite(.enabled(if: peerBootstrap != nil, "set BROOK_PEER_BOOTSTRAP (scripts/peer-broker-test.sh does)"))
struct PeerBrokerTests {
    @Test func idempotentProduceThenConsumeInOrderWithKeysAndHeaders() async throws {
        try await withPeerClient { client in
            let topic = uniqueName("swift-peer-produce")
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: topic, partitionCount: 3)
            let producer = KafkaProducer(client: client, configuration: .init(compression: .lz4, lingerMilliseconds: 2, batchBytesMax: 2_000))
            var receipts: [DeliveryReceipt] = []
            for index in 0..<600 {
                receipts.append(
                    try await producer.enqueue(
                        topic: topic, key: ByteBuffer(string: "key-\(index % 40)"), value: ByteBuffer(string: "value-\(index)"),
                        headers: [RecordHeader(key: "index", value: ByteBuffer(string: String(index)))]))
            }
            var delivered: [RecordMetadata] = []
            for receipt in receipts { delivered.append(try await receipt.metadata()) }
            await producer.close()
            for (index, metadata) in delivered.enumerated() {
                #expect(Int(metadata.partition) == kafkaPartition(forKey: Array("key-\(index % 40)".utf8), partitionCount: 3))
            }
            for partition in Int32(0)..<3 {
                let expected = delivered.indices.filter { delivered[$0].partition == partition }
                #expect(delivered.filter { $0.partition == partition }.map(\.offset) == Array(0..<Int64(expected.count)))
                var values: [String] = []
                // Read up to the offsets the producer was given. Not `.logEndAtStart`: Tansu
                // 0.6.0 answers ListOffsets(latest) with the last batch's base offset + 1, not
                // the log end (100 records in one batch report an end of 1).
                let end = PartitionConsumer.EndPosition.offset(Int64(expected.count))
                for try await record in PartitionConsumer(client: client, topic: topic, partition: partition, start: .earliest, end: end) {
                    values.append(record.value.map { String(buffer: $0) } ?? "")
                    #expect(record.headers.first?.key == "index")
                }
                #expect(values == expected.map { "value-\($0)" })
            }
            try await admin.deleteTopic(topic)
        }
    }

    @Test func explicitPartitionSendReturnsOffsetsAndAcksLeaderWorks() async throws {
        try await withPeerClient { client in
            let topic = uniqueName("swift-peer-send")
            try await KafkaAdmin(client: client).createTopic(name: topic, partitionCount: 2)
            let idempotent = KafkaProducer(client: client)
            let first = try await idempotent.send(topic: topic, partition: 1, value: ByteBuffer(string: "a"))
            let second = try await idempotent.send(topic: topic, partition: 1, value: ByteBuffer(string: "b"))
            #expect(first.partition == 1 && first.offset == 0 && second.offset == 1)
            let leaderAcks = KafkaProducer(client: client, configuration: .init(acks: .leader))
            #expect(try await leaderAcks.send(topic: topic, partition: 1, value: ByteBuffer(string: "c")).offset == 2)
        }
    }

    @Test func groupOffsetsCommitAndFetch() async throws {
        try await withPeerClient { client in
            let topic = uniqueName("swift-peer-group")
            let group = uniqueName("swift-peer-group")
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: topic, partitionCount: 2)
            let producer = KafkaProducer(client: client)
            for index in 0..<10 { _ = try await producer.send(topic: topic, partition: Int32(index % 2), value: ByteBuffer(string: "\(index)")) }
            let offsets = [TopicPartition(topic: topic, partition: 0): Int64(3), TopicPartition(topic: topic, partition: 1): Int64(5)]
            try await admin.commitOffsets(group: group, offsets: offsets)
            #expect(try await admin.committedOffsets(group: group, partitions: Array(offsets.keys)) == offsets)
        }
    }

    @Test func twoGroupMembersShareThePartitionsAndReadEachRecordOnce() async throws {
        try await withPeerClient { client in
            let topic = uniqueName("swift-peer-members")
            let group = uniqueName("swift-peer-members")
            try await KafkaAdmin(client: client).createTopic(name: topic, partitionCount: 4)
            let producer = KafkaProducer(client: client)
            var receipts: [DeliveryReceipt] = []
            for index in 0..<40 {
                receipts.append(try await producer.enqueue(topic: topic, partition: Int32(index % 4), value: ByteBuffer(string: "v\(index)")))
            }
            for receipt in receipts { _ = try await receipt.metadata() }
            await producer.close()
            // Each member gets its own client: a broker answers one connection's requests in
            // order, so one member's fetch long-poll would hold the other's heartbeats back.
            let bootstrap = try #require(peerBootstrap)
            let clients = [try KafkaClient(bootstrapServers: bootstrap), try KafkaClient(bootstrapServers: bootstrap)]
            let members = try clients.map { try KafkaConsumer(client: $0, configuration: fastConsumerConfiguration(group: group)) }
            for member in members { try await member.subscribe(topics: [topic]) }
            let expected = allPartitions(topic, count: 4)
            try await waitUntil("two members share the partitions", seconds: 30) { await sharesDisjointlyAndCompletely(members, expected) }
            var seen: [TopicPartition: [Int64]] = [:]
            var readByOwner = true
            try await waitUntil("all 40 records were read", seconds: 30) {
                for member in members {
                    let owned = Set(await member.assignment)
                    for record in try await member.poll(timeoutMilliseconds: 50) {
                        let partition = TopicPartition(topic: record.topic, partition: record.partition)
                        readByOwner = readByOwner && owned.contains(partition)
                        seen[partition, default: []].append(record.offset)
                    }
                }
                return seen.values.map(\.count).reduce(0, +) >= 40
            }
            #expect(readByOwner)
            #expect(Set(seen.keys) == expected)
            #expect(seen.values.allSatisfy { $0 == Array(0..<10) })
            for member in members { await member.close() }
            for memberClient in clients { await memberClient.shutdown() }
        }
    }
}
