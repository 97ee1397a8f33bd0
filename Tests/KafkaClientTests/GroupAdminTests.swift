// KafkaAdmin's consumer-group calls end to end against the in-process Brook broker: lag after a
// partial read, members with decoded assignments, the Empty-only rule for administrative
// commits, resets and deletes, and the pure offset-reset arithmetic.
import Broker
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

/// A broker on an ephemeral port with a temporary data directory, and a client for it. The
/// body also gets the port, for CLI commands. Groups form without the initial rebalance delay.
func withGroupTestBroker(_ body: (KafkaClient, Int) async throws -> Void) async throws {
    let directory = NSTemporaryDirectory() + "brook-group-tests-" + UUID().uuidString
    var config = BrokerConfig()
    config.dataDirectory = directory
    config.listener = HostPort(host: "127.0.0.1", port: 0)
    config.numberOfThreads = 1
    config.groupInitialRebalanceDelayMilliseconds = 0
    let server = try await BrokerServer(broker: KafkaBroker(config: config))
    let port = server.boundAddress.port
    let client = KafkaClient(configuration: .init(bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: port)]))
    do {
        try await body(client, port)
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

/// An hour ago in milliseconds since the epoch: recent enough that retention keeps the records.
let testBaseTimestamp = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000 - 3_600_000

/// Produces `count` records to one partition with timestamps `firstTimestamp`, +1000, ...
func produceRecords(_ client: KafkaClient, topic: String, partition: Int32, count: Int, firstTimestamp: Int64 = testBaseTimestamp) async throws {
    let producer = KafkaProducer(client: client)
    for index in 0..<count {
        _ = try await producer.send(
            topic: topic, partition: partition, value: ByteBuffer(string: "record-\(index)"), timestamp: firstTimestamp + Int64(index) * 1000)
    }
}

/// A consumer-protocol member that joins, receives `assignment` and stays until it leaves.
struct TestGroupMember {
    let client: KafkaClient
    let group: String
    let coordinator: Int32
    let memberId: String

    static func join(_ client: KafkaClient, group: String, assignment: [String: [Int32]]) async throws -> TestGroupMember {
        let coordinator = try await KafkaAdmin(client: client).findCoordinator(group: group)
        var subscription = ByteBuffer()
        ConsumerProtocolSubscription(topics: assignment.keys.sorted()).encodeWithVersionPrefix(into: &subscription, version: 0)
        var join = JoinGroupRequest(
            groupId: group, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 10_000, memberId: "", protocolType: "consumer",
            protocols: [.init(name: "range", metadata: subscription)])
        var joined = try await client.send(join, toBroker: coordinator)
        // KIP-394: the first join of a new member only hands out its id.
        if joined.errorCode == ErrorCode.memberIdRequired.rawValue {
            join.memberId = joined.memberId
            joined = try await client.send(join, toBroker: coordinator)
        }
        try #require(joined.errorCode == 0)
        var assignmentBytes = ByteBuffer()
        ConsumerProtocolAssignment(
            assignedPartitions: assignment.keys.sorted().map { .init(topic: $0, partitions: assignment[$0] ?? []) }
        ).encodeWithVersionPrefix(into: &assignmentBytes, version: 0)
        let synced = try await client.send(
            SyncGroupRequest(
                groupId: group, generationId: joined.generationId, memberId: joined.memberId, protocolType: "consumer",
                protocolName: "range", assignments: [.init(memberId: joined.memberId, assignment: assignmentBytes)]),
            toBroker: coordinator)
        try #require(synced.errorCode == 0)
        return TestGroupMember(client: client, group: group, coordinator: coordinator, memberId: joined.memberId)
    }

    func leave() async throws {
        let response = try await client.send(
            LeaveGroupRequest(groupId: group, memberId: memberId, members: [.init(memberId: memberId)]), toBroker: coordinator)
        try #require(response.errorCode == 0)
    }
}

@Suite struct GroupAdminTests {
    @Test func committedOffsetsShowLagAfterAPartialRead() async throws {
        try await withGroupTestBroker { client, _ in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "orders", partitionCount: 2)
            try await produceRecords(client, topic: "orders", partition: 0, count: 10)
            try await produceRecords(client, topic: "orders", partition: 1, count: 4)

            // Read six records of partition 0 and all of partition 1, committing the next offsets.
            var readOffsets: [Int64] = []
            for try await record in PartitionConsumer(client: client, topic: "orders", partition: 0, start: .earliest, end: .never) {
                readOffsets.append(record.offset)
                if readOffsets.count == 6 { break }
            }
            let firstPartition = TopicPartition(topic: "orders", partition: 0)
            let secondPartition = TopicPartition(topic: "orders", partition: 1)
            try await admin.commitOffsets(group: "billing", offsets: [firstPartition: try #require(readOffsets.last) + 1, secondPartition: 4])

            let lags = try await admin.groupLag("billing")
            #expect(lags.map(\.topicPartition) == [firstPartition, secondPartition])
            #expect(lags.map(\.committedOffset) == [6, 4])
            #expect(lags.map(\.logEndOffset) == [10, 4])
            #expect(lags.map(\.lag) == [4, 0])
            #expect(lags.allSatisfy { $0.memberId == nil })

            #expect(try await admin.committedOffsets(group: "billing", partitions: [firstPartition]) == [firstPartition: 6])
            #expect(try await admin.committedOffsets(group: "nobody").isEmpty)
            let listed = try await admin.listGroups()
            #expect(listed.map(\.groupId) == ["billing"])
            #expect(listed.first?.state == .empty)
            #expect(try await admin.listGroups(states: [.stable]).isEmpty)
            #expect(try await admin.describeGroup("nobody").state == .dead)
        }
    }

    @Test func activeMembersShowTheirAssignmentsAndBlockAdministrativeChanges() async throws {
        try await withGroupTestBroker { client, _ in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "orders", partitionCount: 3)
            try await produceRecords(client, topic: "orders", partition: 2, count: 5)
            let member = try await TestGroupMember.join(client, group: "shipping", assignment: ["orders": [0, 2]])

            let description = try await admin.describeGroup("shipping")
            #expect(description.state == .stable)
            #expect(description.protocolType == "consumer")
            #expect(description.protocolName == "range")
            #expect(description.members.count == 1)
            let described = try #require(description.members.first)
            #expect(described.memberId == member.memberId)
            #expect(described.clientId == client.configuration.connection.clientId)
            #expect(!described.host.isEmpty)
            #expect(described.assignedPartitions == [TopicPartition(topic: "orders", partition: 0), TopicPartition(topic: "orders", partition: 2)])
            #expect(try await admin.listGroups(states: [.stable]).map(\.groupId) == ["shipping"])

            // Assigned partitions appear in the lag view even before any commit.
            let lags = try await admin.groupLag("shipping")
            #expect(lags.map(\.topicPartition.partition) == [0, 2])
            #expect(lags.map(\.logEndOffset) == [0, 5])
            #expect(lags.allSatisfy { $0.committedOffset == nil && $0.lag == nil && $0.memberId == member.memberId })

            let partition = TopicPartition(topic: "orders", partition: 2)
            await expectKafkaError(.nonEmptyGroup) { try await admin.planOffsetReset(group: "shipping", topic: "orders", to: .earliest) }
            await expectKafkaError(.unknownMemberId) { try await admin.commitOffsets(group: "shipping", offsets: [partition: 1]) }
            await expectKafkaError(.nonEmptyGroup) { try await admin.deleteGroup("shipping") }

            try await member.leave()
            #expect(try await admin.describeGroup("shipping").state == .empty)
            try await admin.commitOffsets(group: "shipping", offsets: [partition: 1])
            #expect(try await admin.groupLag("shipping").map(\.lag) == [4])
            try await admin.deleteGroup("shipping")
            #expect(try await admin.describeGroup("shipping").state == .dead)
            #expect(try await admin.committedOffsets(group: "shipping").isEmpty)
            await expectKafkaError(.groupIdNotFound) { try await admin.deleteGroup("shipping") }
        }
    }

    @Test func deleteReportsEachGroupSeparately() async throws {
        try await withGroupTestBroker { client, _ in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "orders", partitionCount: 1)
            try await admin.commitOffsets(group: "old", offsets: [TopicPartition(topic: "orders", partition: 0): 0])
            let outcomes = try await admin.deleteGroups(["old", "never-existed"])
            #expect(outcomes.map(\.groupId) == ["old", "never-existed"])
            #expect(outcomes[0].error == nil)
            #expect(outcomes[1].error?.code == .groupIdNotFound)
            #expect(try await admin.listGroups().isEmpty)
            await #expect(throws: KafkaError.self) { try await admin.deleteGroups([""]) }
            await #expect(throws: KafkaError.self) {
                try await admin.commitOffsets(group: "old", offsets: [TopicPartition(topic: "orders", partition: 0): -5])
            }
        }
    }

    @Test func offsetResetPlansClampAndCommit() async throws {
        try await withGroupTestBroker { client, _ in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "events", partitionCount: 2)
            try await produceRecords(client, topic: "events", partition: 0, count: 10)
            try await produceRecords(client, topic: "events", partition: 1, count: 3)
            let first = TopicPartition(topic: "events", partition: 0)
            try await admin.commitOffsets(group: "replay", offsets: [first: 5])

            let shifted = try await admin.planOffsetReset(group: "replay", topic: "events", partitions: [0], to: .shift(-2))
            #expect(shifted == [OffsetResetPlanEntry(topicPartition: first, currentOffset: 5, newOffset: 3)])
            #expect(try await admin.committedOffsets(group: "replay") == [first: 5])
            // Partition 1 has no commit to shift from.
            await expectKafkaError(nil) { try await admin.planOffsetReset(group: "replay", topic: "events", to: .shift(1)) }

            let byTime = try await admin.planOffsetReset(group: "replay", topic: "events", to: .timestamp(testBaseTimestamp + 2_500))
            #expect(byTime.map(\.newOffset) == [3, 3])  // Partition 1 has no record that late: its log end.
            #expect(byTime.map(\.currentOffset) == [5, nil])
            try await admin.executeOffsetReset(group: "replay", plan: byTime)
            #expect(try await admin.committedOffsets(group: "replay") == [first: 3, TopicPartition(topic: "events", partition: 1): 3])
            await #expect(throws: KafkaError.self) { try await admin.planOffsetReset(group: "replay", topic: "events", partitions: [7], to: .latest) }
        }
    }

    @Test func resetTargetsFollowKafkasRules() throws {
        let partition = TopicPartition(topic: "t", partition: 0)
        func target(_ spec: OffsetResetSpec, current: Int64? = 50, timestampOffset: Int64? = nil) throws -> Int64 {
            try KafkaAdmin.resetTarget(spec, current: current, logStart: 10, logEnd: 100, offsetForTimestamp: timestampOffset, partition: partition)
        }
        #expect(try target(.earliest) == 10)
        #expect(try target(.latest) == 100)
        #expect(try target(.offset(42)) == 42)
        #expect(try target(.offset(3)) == 10)
        #expect(try target(.offset(1_000)) == 100)
        #expect(try target(.shift(-5)) == 45)
        #expect(try target(.shift(-500)) == 10)
        #expect(try target(.shift(500)) == 100)
        #expect(try target(.shift(Int64.max)) == 100)
        #expect(try target(.shift(Int64.min), current: 20) == 10)
        #expect(try target(.timestamp(0), timestampOffset: 60) == 60)
        #expect(try target(.timestamp(0), timestampOffset: -1) == 100)
        #expect(throws: KafkaError.self) { try target(.shift(1), current: nil) }
    }

    @Test func assignmentsDecodeFromConsumerProtocolBytes() {
        var bytes = ByteBuffer()
        ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "b", partitions: [2, 0]), .init(topic: "a", partitions: [1])])
            .encodeWithVersionPrefix(into: &bytes, version: 1)
        #expect(
            ConsumerGroupDescription.decodeAssignment(bytes) == [
                TopicPartition(topic: "a", partition: 1), TopicPartition(topic: "b", partition: 0), TopicPartition(topic: "b", partition: 2),
            ])
        #expect(ConsumerGroupDescription.decodeAssignment(ByteBuffer()) == [])
        #expect(ConsumerGroupDescription.decodeAssignment(ByteBuffer(bytes: [0, 0, 0xFF])) == nil)
    }
}

/// Expects `body` to throw a KafkaError with `code` (any KafkaError when `code` is nil).
func expectKafkaError<Result>(
    _ code: ErrorCode?, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Result
) async {
    do {
        _ = try await body()
        Issue.record("expected a KafkaError\(code.map { " \($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch let error as KafkaError {
        if let code { #expect(error.code == code, "\(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected a KafkaError, got \(error)", sourceLocation: sourceLocation)
    }
}
