// Consumer groups end to end over real TCP: FindCoordinator, the JoinGroup/SyncGroup/Heartbeat
// cycle (including a parked join completed by another member), offset commits and fetches,
// group administration, `__consumer_offsets` records in Kafka's format, and a restart that
// must bring committed offsets and group state back by replaying that topic.
import Broker
import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// Session timeout for test members: long enough that no session expires during a test.
private let sessionTimeoutMilliseconds: Int32 = 30_000

/// The `consumer` protocol metadata of a member subscribed to `topics` (version 0 subscription).
private func subscription(_ topics: [String]) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(Int16(0))
    ConsumerProtocolSubscription(topics: topics, userData: nil, ownedPartitions: [], generationId: -1, rackId: nil)
        .encode(into: &buffer, version: 0)
    return buffer
}

private func joinRequest(_ group: String, memberId: String = "", topics: [String] = ["orders"]) -> JoinGroupRequest {
    JoinGroupRequest(
        groupId: group, sessionTimeoutMs: sessionTimeoutMilliseconds, rebalanceTimeoutMs: 10_000, memberId: memberId,
        groupInstanceId: nil, protocolType: "consumer",
        protocols: [.init(name: "range", metadata: subscription(topics))], reason: nil)
}

/// Joins with the KIP-394 two-step (v5): the first answer hands out the member id.
private func joinAsNewMember(_ client: WireClient, _ group: String) throws -> JoinGroupResponse {
    let first = try client.send(joinRequest(group), version: 5)
    #expect(first.errorCode == ErrorCode.memberIdRequired.rawValue)
    #expect(!first.memberId.isEmpty)
    return try client.send(joinRequest(group, memberId: first.memberId), version: 5)
}

/// A lone member joins and syncs; returns its member id and generation.
private func joinAndSync(_ client: WireClient, _ group: String, assignment: String = "all of it") throws
    -> (memberId: String, generation: Int32)
{
    let joined = try joinAsNewMember(client, group)
    #expect(joined.errorCode == 0)
    let sync = try client.send(
        SyncGroupRequest(
            groupId: group, generationId: joined.generationId, memberId: joined.memberId,
            assignments: [.init(memberId: joined.memberId, assignment: ByteBuffer(string: assignment))]),
        version: 3)
    #expect(sync.errorCode == 0)
    #expect(String(buffer: sync.assignment) == assignment)
    return (joined.memberId, joined.generationId)
}

private func commit(_ client: WireClient, _ group: String, generation: Int32, memberId: String, topic: String,
                    offsets: [Int32: Int64], version: Int16 = 8) throws -> [Int32: Int16] {
    let request = OffsetCommitRequest(
        groupId: group, generationIdOrMemberEpoch: generation, memberId: memberId,
        topics: [.init(name: topic, partitions: offsets.sorted { $0.key < $1.key }.map {
            .init(partitionIndex: $0.key, committedOffset: $0.value, committedMetadata: "m\($0.value)")
        })])
    let response = try client.send(request, version: version)
    return Dictionary(uniqueKeysWithValues: response.topics[0].partitions.map { ($0.partitionIndex, $0.errorCode) })
}

/// Committed offsets with OffsetFetch v1 (one group, named partitions).
private func fetchOffsets(_ client: WireClient, _ group: String, topic: String, partitions: [Int32]) throws -> [Int32: Int64] {
    let response = try client.send(
        OffsetFetchRequest(groupId: group, topics: [.init(name: topic, partitionIndexes: partitions)]), version: 1)
    var offsets: [Int32: Int64] = [:]
    for partition in response.topics.flatMap(\.partitions) {
        #expect(partition.errorCode == 0)
        offsets[partition.partitionIndex] = partition.committedOffset
    }
    return offsets
}

private func describe(_ client: WireClient, _ group: String) throws -> DescribeGroupsResponse.DescribedGroup {
    try client.send(DescribeGroupsRequest(groups: [group]), version: 5).groups[0]
}

/// Java's String.hashCode, written out here as an independent oracle for the partition choice.
private func javaHash(_ text: String) -> Int32 {
    text.utf16.reduce(Int32(0)) { $0 &* 31 &+ Int32($1) }
}

@Suite struct GroupTests {
    @Test func versionWindowsEnableLibrdkafkasGroupConsumer() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            let keys = try client.send(ApiVersionsRequest(clientSoftwareName: "t", clientSoftwareVersion: "1"), version: 3).apiKeys
            func window(_ key: ApiKey) -> ClosedRange<Int16>? {
                keys.first { $0.apiKey == key.rawValue }.map { $0.minVersion...$0.maxVersion }
            }
            // librdkafka 2.0.2's balanced-consumer feature windows (reference §2, gotcha 1).
            let needed: [(ApiKey, ClosedRange<Int16>)] = [
                (.findCoordinator, 0...0), (.joinGroup, 0...0), (.syncGroup, 0...0), (.heartbeat, 0...0),
                (.leaveGroup, 0...0), (.offsetCommit, 1...2), (.offsetFetch, 1...1),
            ]
            for (key, librdkafka) in needed {
                let advertised = try #require(window(key), "\(key.name) is not advertised")
                #expect(advertised.overlaps(librdkafka), "\(key.name) \(advertised) misses \(librdkafka)")
            }
            for key: ApiKey in [.describeGroups, .listGroups, .deleteGroups, .offsetDelete] {
                #expect(window(key) != nil, "\(key.name) is not advertised")
            }
        }
    }

    @Test func offsetsTopicPartitionCountIsBounded() throws {
        var config = BrokerConfig()
        #expect(throws: BrokerConfigError.self) { try config.set("offsets.topic.num.partitions", "0") }
        #expect(throws: BrokerConfigError.self) { try config.set("offsets.topic.num.partitions", "1001") }
        try config.set("offsets.topic.num.partitions", "50")
        #expect(config.offsetsTopicPartitionCount == 50)
    }

    @Test func findCoordinatorNamesThisBrokerForGroupsOnly() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            for version: Int16 in 0...3 {
                let response = try client.send(FindCoordinatorRequest(key: "g", keyType: 0), version: version)
                #expect(response.errorCode == 0)
                #expect(response.nodeId == 1)
                #expect(response.port == Int32(broker.port))
            }
            let transaction = try client.send(FindCoordinatorRequest(key: "tx", keyType: 1), version: 2)
            #expect(transaction.errorCode == ErrorCode.coordinatorNotAvailable.rawValue)
            let batch = try client.send(FindCoordinatorRequest(keyType: 0, coordinatorKeys: ["a", "b"]), version: 4)
            #expect(batch.coordinators.map(\.key) == ["a", "b"])
            #expect(batch.coordinators.allSatisfy { $0.errorCode == 0 && $0.nodeId == 1 && $0.port == Int32(broker.port) })
            let badType = try client.send(FindCoordinatorRequest(keyType: 7, coordinatorKeys: ["a"]), version: 4)
            #expect(badType.coordinators[0].errorCode == ErrorCode.invalidRequest.rawValue)
        }
    }

    @Test func joinNeedsAKnownMemberIdFromV4AndNotBefore() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            let joined = try joinAsNewMember(client, "two-step")
            #expect(joined.errorCode == 0)
            #expect(joined.generationId == 1)
            #expect(joined.leader == joined.memberId)
            #expect(joined.protocolName == "range")
            #expect(joined.members.map(\.memberId) == [joined.memberId])
            // JoinGroup v3 has no member-id round trip: the first answer is the generation.
            let old = try client.send(joinRequest("one-step"), version: 3)
            #expect(old.errorCode == 0)
            #expect(old.generationId == 1)
            #expect(!old.memberId.isEmpty)
            let tooShort = JoinGroupRequest(
                groupId: "short", sessionTimeoutMs: 10, rebalanceTimeoutMs: 10, memberId: "", protocolType: "consumer",
                protocols: [.init(name: "range", metadata: subscription(["t"]))])
            #expect(try client.send(tooShort, version: 5).errorCode == ErrorCode.invalidSessionTimeout.rawValue)
        }
    }

    @Test func singleMemberJoinsSyncsAndHeartbeats() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            let (memberId, generation) = try joinAndSync(client, "solo", assignment: "orders:0,1")
            let heartbeat = try client.send(
                HeartbeatRequest(groupId: "solo", generationId: generation, memberId: memberId), version: 3)
            #expect(heartbeat.errorCode == 0)
            let stale = try client.send(
                HeartbeatRequest(groupId: "solo", generationId: generation + 1, memberId: memberId), version: 3)
            #expect(stale.errorCode == ErrorCode.illegalGeneration.rawValue)
            let stranger = try client.send(HeartbeatRequest(groupId: "solo", generationId: generation, memberId: "x"), version: 3)
            #expect(stranger.errorCode == ErrorCode.unknownMemberId.rawValue)
            let group = try describe(client, "solo")
            #expect(group.groupState == "Stable")
            #expect(group.protocolType == "consumer")
            #expect(group.protocolData == "range")
            #expect(group.members.map(\.memberId) == [memberId])
            #expect(group.members.first?.clientId == "brook-tests")
            #expect(group.members.first?.clientHost == "/127.0.0.1")
            #expect(String(buffer: group.members.first?.memberAssignment ?? ByteBuffer()) == "orders:0,1")
        }
    }

    @Test func aParkedJoinCompletesWhenTheOtherMemberRejoins() async throws {
        try await withBroker { broker in
            let first = try broker.client()
            let second = try broker.client()
            let (firstId, generation) = try joinAndSync(first, "pair")
            // The newcomer's JoinGroup parks until the existing member rejoins.
            let probe = try second.send(joinRequest("pair"), version: 5)
            #expect(probe.errorCode == ErrorCode.memberIdRequired.rawValue)
            let parked = try second.sendOnly(joinRequest("pair", memberId: probe.memberId), version: 5)
            let heartbeat = try first.send(HeartbeatRequest(groupId: "pair", generationId: generation, memberId: firstId), version: 3)
            #expect(heartbeat.errorCode == ErrorCode.rebalanceInProgress.rawValue)
            let rejoin = try first.send(joinRequest("pair", memberId: firstId), version: 5)
            let secondJoin = try second.receive(JoinGroupRequest.self, version: 5, correlationId: parked)
            #expect(rejoin.errorCode == 0 && secondJoin.errorCode == 0)
            #expect(rejoin.generationId == generation + 1 && secondJoin.generationId == generation + 1)
            #expect(rejoin.leader == secondJoin.leader)
            let (leader, follower) = rejoin.leader == firstId ? (first, second) : (second, first)
            let leaderJoin = rejoin.leader == firstId ? rejoin : secondJoin
            let followerJoin = rejoin.leader == firstId ? secondJoin : rejoin
            #expect(Set(leaderJoin.members.map(\.memberId)) == [firstId, probe.memberId])
            #expect(followerJoin.members.isEmpty)
            // The follower's SyncGroup parks until the leader brings the assignment.
            let followerSync = try follower.sendOnly(
                SyncGroupRequest(groupId: "pair", generationId: followerJoin.generationId, memberId: followerJoin.memberId),
                version: 3)
            let leaderSync = try leader.send(
                SyncGroupRequest(
                    groupId: "pair", generationId: leaderJoin.generationId, memberId: leaderJoin.memberId,
                    assignments: [
                        .init(memberId: leaderJoin.memberId, assignment: ByteBuffer(string: "leader part")),
                        .init(memberId: followerJoin.memberId, assignment: ByteBuffer(string: "follower part")),
                    ]),
                version: 3)
            #expect(String(buffer: leaderSync.assignment) == "leader part")
            let followerAnswer = try follower.receive(SyncGroupRequest.self, version: 3, correlationId: followerSync)
            #expect(followerAnswer.errorCode == 0)
            #expect(String(buffer: followerAnswer.assignment) == "follower part")
            #expect(try describe(first, "pair").members.count == 2)

            // LeaveGroup v3 (batch form) for one member sends the other back into a rebalance.
            let leave = try follower.send(
                LeaveGroupRequest(groupId: "pair", members: [.init(memberId: followerJoin.memberId)]), version: 3)
            #expect(leave.errorCode == 0 && leave.members.map(\.errorCode) == [0])
            let afterLeave = try leader.send(
                HeartbeatRequest(groupId: "pair", generationId: leaderJoin.generationId, memberId: leaderJoin.memberId),
                version: 3)
            #expect(afterLeave.errorCode == ErrorCode.rebalanceInProgress.rawValue)
        }
    }

    @Test func committedOffsetsAreFetchedInEveryForm() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "orders", partitions: 3).errorCode == 0)
            let (memberId, generation) = try joinAndSync(client, "readers")
            let results = try commit(client, "readers", generation: generation, memberId: memberId, topic: "orders",
                                     offsets: [0: 5, 2: 9])
            #expect(results == [0: 0, 2: 0])
            #expect(try fetchOffsets(client, "readers", topic: "orders", partitions: [0, 1, 2]) == [0: 5, 1: -1, 2: 9])

            // A wrong generation, a partition that does not exist, and a simple commit to a live group.
            #expect(try commit(client, "readers", generation: generation + 1, memberId: memberId, topic: "orders",
                               offsets: [0: 1]) == [0: ErrorCode.illegalGeneration.rawValue])
            #expect(try commit(client, "readers", generation: generation, memberId: memberId, topic: "orders",
                               offsets: [7: 1]) == [7: ErrorCode.unknownTopicOrPartition.rawValue])
            #expect(try commit(client, "readers", generation: -1, memberId: "", topic: "orders", offsets: [0: 1])
                    == [0: ErrorCode.unknownMemberId.rawValue])
            // v9 names a missing group instead of blaming the generation.
            #expect(try commit(client, "nobody", generation: 3, memberId: "m", topic: "orders", offsets: [0: 1], version: 9)
                    == [0: ErrorCode.groupIdNotFound.rawValue])
            // A simple (v2, generation -1) commit creates an empty group.
            #expect(try commit(client, "simple", generation: -1, memberId: "", topic: "orders", offsets: [1: 4], version: 2)
                    == [1: 0])

            // v8 batch form: all committed partitions of one group, and an unknown group.
            let batch = try client.send(
                OffsetFetchRequest(groups: [.init(groupId: "readers", topics: nil), .init(groupId: "ghost", topics: [
                    .init(name: "orders", partitionIndexes: [0]),
                ])]),
                version: 8)
            #expect(batch.groups.map(\.groupId) == ["readers", "ghost"])
            let readers = batch.groups[0].topics.flatMap(\.partitions)
            #expect(readers.map(\.partitionIndex) == [0, 2])
            #expect(readers.map(\.committedOffset) == [5, 9])
            #expect(readers.map(\.metadata) == ["m5", "m9"])
            #expect(batch.groups[1].errorCode == 0)
            #expect(batch.groups[1].topics.flatMap(\.partitions).map(\.committedOffset) == [-1])
            // v2+ null topics: every committed partition.
            let all = try client.send(OffsetFetchRequest(groupId: "simple", topics: nil), version: 5)
            #expect(all.topics.flatMap(\.partitions).map(\.committedOffset) == [4])
        }
    }

    @Test func offsetsAndGroupsSurviveARestart() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "orders", partitions: 2).errorCode == 0)
            let (memberId, generation) = try joinAndSync(client, "durable", assignment: "orders:0,1")
            #expect(try commit(client, "durable", generation: generation, memberId: memberId, topic: "orders",
                               offsets: [0: 42, 1: 7]) == [0: 0, 1: 0])
            #expect(try commit(client, "gone", generation: -1, memberId: "", topic: "orders", offsets: [0: 3]) == [0: 0])
            #expect(try client.send(DeleteGroupsRequest(groupsNames: ["gone"]), version: 2).results[0].errorCode == 0)

            try await broker.restart()
            let after = try broker.client()
            #expect(try fetchOffsets(after, "durable", topic: "orders", partitions: [0, 1]) == [0: 42, 1: 7])
            #expect(try fetchOffsets(after, "gone", topic: "orders", partitions: [0]) == [0: -1])
            let group = try describe(after, "durable")
            #expect(group.groupState == "Stable")
            #expect(group.members.map(\.memberId) == [memberId])
            #expect(String(buffer: group.members.first?.memberAssignment ?? ByteBuffer()) == "orders:0,1")
            // The member's session restarted with the broker: it carries on with its generation.
            let heartbeat = try after.send(
                HeartbeatRequest(groupId: "durable", generationId: generation, memberId: memberId), version: 3)
            #expect(heartbeat.errorCode == 0)
            #expect(try commit(after, "durable", generation: generation, memberId: memberId, topic: "orders",
                               offsets: [0: 43]) == [0: 0])
            let listed = try after.send(ListGroupsRequest(), version: 3).groups.map(\.groupId)
            #expect(listed == ["durable"])
        }
    }

    @Test func groupsAreListedDescribedAndDeleted() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "orders", partitions: 2).errorCode == 0)
            let (memberId, generation) = try joinAndSync(client, "busy")
            #expect(try commit(client, "idle", generation: -1, memberId: "", topic: "orders", offsets: [0: 1, 1: 2]) == [0: 0, 1: 0])

            let all = try client.send(ListGroupsRequest(), version: 5).groups
            #expect(all.map(\.groupId) == ["busy", "idle"])
            #expect(all.map(\.groupState) == ["Stable", "Empty"])
            #expect(all.map(\.protocolType) == ["consumer", ""])
            #expect(all.allSatisfy { $0.groupType == "classic" })
            let stable = try client.send(ListGroupsRequest(statesFilter: ["stable"]), version: 4).groups
            #expect(stable.map(\.groupId) == ["busy"])
            let consumerType = try client.send(ListGroupsRequest(typesFilter: ["consumer"]), version: 5).groups
            #expect(consumerType.isEmpty)

            let unknown = try describe(client, "never")
            #expect(unknown.errorCode == 0 && unknown.groupState == "Dead" && unknown.members.isEmpty)

            // OffsetDelete: the busy group's member subscribes to "orders", the idle group has no members.
            let refused = try client.send(
                OffsetDeleteRequest(groupId: "busy", topics: [.init(name: "orders", partitions: [.init(partitionIndex: 0)])]),
                version: 0)
            #expect(refused.topics.flatMap(\.partitions).map(\.errorCode) == [ErrorCode.groupSubscribedToTopic.rawValue])
            let deleted = try client.send(
                OffsetDeleteRequest(groupId: "idle", topics: [.init(name: "orders", partitions: [.init(partitionIndex: 1)])]),
                version: 0)
            #expect(deleted.errorCode == 0 && deleted.topics.flatMap(\.partitions).map(\.errorCode) == [0])
            #expect(try fetchOffsets(client, "idle", topic: "orders", partitions: [0, 1]) == [0: 1, 1: -1])

            let first = try client.send(DeleteGroupsRequest(groupsNames: ["busy", "idle", "never"]), version: 2).results
            #expect(first.map(\.errorCode) == [
                ErrorCode.nonEmptyGroup.rawValue, 0, ErrorCode.groupIdNotFound.rawValue,
            ])
            let leave = try client.send(LeaveGroupRequest(groupId: "busy", memberId: memberId), version: 1)
            #expect(leave.errorCode == 0)
            #expect(try describe(client, "busy").groupState == "Empty")
            #expect(try client.send(DeleteGroupsRequest(groupsNames: ["busy"]), version: 0).results[0].errorCode == 0)
            #expect(try client.send(ListGroupsRequest(), version: 0).groups.isEmpty)
            _ = generation
        }
    }

    @Test func recordsLandInTheGroupsPartitionOfAnInternalCompactedTopic() async throws {
        try await withBroker(settings: [("offsets.topic.num.partitions", "4")]) { broker in
            #expect(javaHash("hello") == 99_162_322)  // the oracle itself, against Java's value
            let client = try broker.client()
            let metadata = try client.send(MetadataRequest(topics: nil), version: 9)
            let internalTopic = try #require(metadata.topics.first { $0.name == "__consumer_offsets" })
            #expect(internalTopic.isInternal)
            #expect(internalTopic.partitions.count == 4)
            let configs = try client.send(
                DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "__consumer_offsets", configurationKeys: ["cleanup.policy"])]),
                version: 4)
            #expect(configs.results.first?.configs.first?.value == "compact")

            #expect(try createTopic(client, "orders").errorCode == 0)
            let group = "placement-check"
            #expect(try commit(client, group, generation: -1, memberId: "", topic: "orders", offsets: [0: 11]) == [0: 0])
            let expected = Int32(abs(Int(javaHash(group)))) % 4
            for index: Int32 in 0..<4 {
                let read = try fetch(client, "__consumer_offsets", partition: index, offset: 0)
                let batches = try RecordBatch.decode(read.records ?? ByteBuffer())
                let keys = batches.flatMap(\.records).compactMap(\.key)
                if index == expected {
                    // Key: int16 version 1, then group, topic (int16-length strings), partition.
                    var key = try #require(keys.first)
                    #expect(key.readInteger(as: Int16.self) == 1)
                    let groupLength = Int(key.readInteger(as: Int16.self) ?? 0)
                    #expect(key.readString(length: groupLength) == group)
                    #expect(batches.allSatisfy { $0.header.magic == 2 })
                } else {
                    #expect(keys.isEmpty)
                }
            }
        }
    }
}
