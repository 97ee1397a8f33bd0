// `brook group ...`: argument validation, rendering, and the commands run against the
// in-process broker (reset-offsets dry run and --execute for every target, delete).
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
import Testing

@testable import brook

/// Parses a `brook` command line and runs it against the test broker on `port`.
private func runBrook(_ arguments: [String], port: Int) async throws {
    let parsed = try Brook.parseAsRoot(arguments + ["--bootstrap-server", "127.0.0.1:\(port)", "--retries", "0"])
    var command = try #require(parsed as? AsyncParsableCommand)
    try await command.run()
}

@Suite struct GroupArgumentTests {
    @Test func resetOffsetsNeedsExactlyOneTarget() throws {
        let base = ["group", "reset-offsets", "g", "--topic", "t"]
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base + ["--to-earliest", "--to-latest"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base + ["--to-offset", "3", "--shift-by", "1"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base + ["--to-earliest", "--dry-run", "--execute"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base + ["--to-offset", "-1"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base + ["--to-datetime", "yesterday"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(base + ["--to-latest", "--partition", "-2"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["group", "reset-offsets", "g", "--to-latest"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["group", "reset-offsets", "g", "--topic", "bad/name", "--to-latest"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["group", "reset-offsets", "", "--topic", "t", "--to-latest"]) }
        do {
            _ = try Brook.parseAsRoot(base)
        } catch {
            #expect(Brook.message(for: error).contains("--to-earliest, --to-latest, --to-offset, --to-datetime or --shift-by"))
        }
    }

    @Test func resetOffsetsTargetsParse() throws {
        let base = ["group", "reset-offsets", "g", "--topic", "t"]
        func spec(_ extra: [String]) throws -> OffsetResetSpec {
            try #require(try Brook.parseAsRoot(base + extra) as? GroupCommand.ResetOffsets).spec
        }
        #expect(try spec(["--to-earliest"]) == .earliest)
        #expect(try spec(["--to-latest"]) == .latest)
        #expect(try spec(["--to-offset", "12"]) == .offset(12))
        #expect(try spec(["--shift-by", "-3"]) == .shift(-3))
        #expect(try spec(["--shift-by", "4"]) == .shift(4))
        #expect(try spec(["--to-datetime", "2024-05-01T12:30:00Z"]) == .timestamp(1_714_566_600_000))
        let command = try #require(
            try Brook.parseAsRoot(base + ["--to-latest", "--partition", "1", "--partition", "0", "--execute"]) as? GroupCommand.ResetOffsets)
        #expect(command.partitions == [1, 0])
        #expect(command.execute)
        #expect(try #require(try Brook.parseAsRoot(base + ["--to-latest"]) as? GroupCommand.ResetOffsets).execute == false)
    }

    @Test func listDescribeAndDeleteArguments() throws {
        let list = try #require(try Brook.parseAsRoot(["group", "list", "--state", "stable,Empty", "--state", "Dead"]) as? GroupCommand.List)
        #expect(try list.parsedStates == [.stable, .empty, .dead])
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["group", "list", "--state", "Sleeping"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["group", "describe"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["group", "delete"]) }
        let delete = try #require(try Brook.parseAsRoot(["group", "delete", "a", "b", "--output", "json"]) as? GroupCommand.Delete)
        #expect(delete.groups == ["a", "b"])
        #expect(delete.output == .json)
    }

    @Test func groupsRenderAsTablesAndJSON() {
        let member = ConsumerGroupMember(
            memberId: "m-1", clientId: "app", host: "/10.0.0.1",
            assignedPartitions: [TopicPartition(topic: "b", partition: 1), TopicPartition(topic: "a", partition: 0), TopicPartition(topic: "a", partition: 2)])
        #expect(GroupRendering.partitionList(member) == "a:0,2 b:1")
        let description = ConsumerGroupDescription(
            groupId: "g", state: .stable, protocolType: "consumer", protocolName: "range", members: [member], coordinatorId: 1)
        let lags = [
            PartitionLag(topicPartition: TopicPartition(topic: "a", partition: 0), committedOffset: 6, logEndOffset: 10, memberId: "m-1"),
            PartitionLag(topicPartition: TopicPartition(topic: "a", partition: 2), committedOffset: nil, logEndOffset: 3, memberId: "m-1"),
        ]
        let text = GroupRendering.describe([(description, lags)], format: .text)
        #expect(text.hasPrefix("Group g  state Stable  protocol consumer/range  coordinator 1"))
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["MEMBER-ID", "CLIENT-ID", "HOST", "PARTITIONS"]))
        #expect(rows.contains(["m-1", "app", "/10.0.0.1", "a:0,2", "b:1"]))
        #expect(rows.contains(["TOPIC", "PARTITION", "COMMITTED-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID"]))
        #expect(rows.contains(["a", "0", "6", "10", "4", "m-1"]))
        #expect(rows.contains(["a", "2", "-", "3", "-", "m-1"]))
        let json = GroupRendering.describe([(description, lags)], format: .json)
        #expect(json.hasPrefix("["))
        #expect(json.contains("\"lag\" : 4"))
        #expect(json.contains("\"committedOffset\" : null"))
        let listed = GroupRendering.list([ConsumerGroupListing(groupId: "g", protocolType: "", state: .empty)], format: .json)
        #expect(listed == #"[{"group":"g","protocolType":"","state":"Empty"}]"#)
        let plan = GroupRendering.resetPlan(
            [OffsetResetPlanEntry(topicPartition: TopicPartition(topic: "a", partition: 0), currentOffset: nil, newOffset: 0)],
            group: "g", executed: false, format: .text)
        #expect(plan.contains("Dry run: nothing changed"))
    }

    @Test func groupErrorsSayWhatToDo() {
        let missing = KafkaError(kind: .broker, code: .groupIdNotFound, context: "deleting group g", detail: "no such group")
        #expect(groupAdvice(for: missing, bootstrapServer: "b:1") == "Deleting group g failed: GROUP_ID_NOT_FOUND(69) (no such group). Check the name with `brook group list`.")
        let busy = KafkaError(kind: .broker, code: .nonEmptyGroup, context: "deleting group g")
        #expect(groupAdvice(for: busy, bootstrapServer: "b:1").contains("Stop the group's consumers"))
        let refused = KafkaError(kind: .connectionFailed, context: "connecting", detail: "Connection refused")
        #expect(groupAdvice(for: refused, bootstrapServer: "b:1").contains("--bootstrap-server"))
    }
}

@Suite struct GroupCommandTests {
    @Test func resetOffsetsDryRunChangesNothingAndExecuteCommitsEachTarget() async throws {
        try await withGroupTestBroker { client, port in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "events", partitionCount: 2)
            try await produceRecords(client, topic: "events", partition: 0, count: 10)
            try await produceRecords(client, topic: "events", partition: 1, count: 6)
            let first = TopicPartition(topic: "events", partition: 0)
            let second = TopicPartition(topic: "events", partition: 1)
            try await admin.commitOffsets(group: "app", offsets: [first: 5, second: 2])
            func committed() async throws -> [TopicPartition: Int64] { try await admin.committedOffsets(group: "app") }
            let reset = ["group", "reset-offsets", "app", "--topic", "events"]

            try await runBrook(reset + ["--to-earliest"], port: port)
            try await runBrook(reset + ["--to-latest", "--dry-run", "--output", "json"], port: port)
            #expect(try await committed() == [first: 5, second: 2])

            try await runBrook(reset + ["--to-earliest", "--execute"], port: port)
            #expect(try await committed() == [first: 0, second: 0])

            try await runBrook(reset + ["--to-offset", "7", "--execute"], port: port)
            #expect(try await committed() == [first: 7, second: 6])  // Partition 1 ends at 6: clamped.

            try await runBrook(reset + ["--shift-by", "-3", "--partition", "0", "--execute"], port: port)
            #expect(try await committed() == [first: 4, second: 6])
            try await runBrook(reset + ["--shift-by", "100", "--execute"], port: port)
            #expect(try await committed() == [first: 10, second: 6])

            let third = ISO8601Timestamp.format(milliseconds: testBaseTimestamp + 2_000)
            try await runBrook(reset + ["--to-datetime", third, "--execute"], port: port)
            #expect(try await committed() == [first: 2, second: 2])
            let later = ISO8601Timestamp.format(milliseconds: testBaseTimestamp + 7_500)
            try await runBrook(reset + ["--to-datetime", later, "--execute"], port: port)
            #expect(try await committed() == [first: 8, second: 6])  // No record that late in partition 1: its log end.

            // A group with a member is refused, dry run or not, and keeps its offsets.
            let member = try await TestGroupMember.join(client, group: "app", assignment: ["events": [0, 1]])
            await #expect(throws: CommandFailure.self) { try await runBrook(reset + ["--to-earliest"], port: port) }
            do {
                try await runBrook(reset + ["--to-earliest", "--execute"], port: port)
                Issue.record("a reset of a group with members must fail")
            } catch let failure as CommandFailure {
                #expect(failure.description.contains("NON_EMPTY_GROUP"))
                #expect(failure.description.contains("Stop the group's consumers"))
            }
            try await member.leave()
            #expect(try await committed() == [first: 8, second: 6])

            // Kafka's tool may also set offsets for a group that does not exist yet; that creates it.
            try await runBrook(["group", "reset-offsets", "fresh", "--topic", "events", "--to-latest", "--execute"], port: port)
            #expect(try await admin.committedOffsets(group: "fresh") == [first: 10, second: 6])
            #expect(try await admin.describeGroup("fresh").state == .empty)
        }
    }

    @Test func listDescribeAndDeleteAgainstTheBroker() async throws {
        try await withGroupTestBroker { client, port in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: "orders", partitionCount: 1)
            try await produceRecords(client, topic: "orders", partition: 0, count: 3)
            try await admin.commitOffsets(group: "reports", offsets: [TopicPartition(topic: "orders", partition: 0): 1])

            try await runBrook(["group", "list"], port: port)
            try await runBrook(["group", "list", "--state", "Empty", "--output", "json"], port: port)
            try await runBrook(["group", "describe", "reports"], port: port)
            do {
                try await runBrook(["group", "describe", "ghost"], port: port)
                Issue.record("describing an unknown group must fail")
            } catch let failure as CommandFailure {
                #expect(failure.description == "Group ghost does not exist. List groups with `brook group list`.")
            }

            try await runBrook(["group", "delete", "reports"], port: port)
            #expect(try await admin.listGroups().isEmpty)
            do {
                try await runBrook(["group", "delete", "reports"], port: port)
                Issue.record("deleting an unknown group must fail")
            } catch let failure as CommandFailure {
                #expect(failure.description.contains("GROUP_ID_NOT_FOUND"))
                #expect(failure.description.contains("brook group list"))
            }
        }
    }
}
