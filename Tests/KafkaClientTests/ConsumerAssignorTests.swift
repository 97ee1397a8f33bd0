// The assignors as pure functions: range and round-robin give the partitions Kafka's javadoc
// examples give, static members order before dynamic ones, cooperative-sticky keeps owned
// partitions, balances, resolves double claims by generation and holds back moving partitions,
// and the ConsumerProtocol bytes round-trip.
import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

private func partitions(_ topic: String, _ indexes: [Int32]) -> [TopicPartition] {
    indexes.map { TopicPartition(topic: topic, partition: $0) }
}

@Suite struct ConsumerAssignorTests {
    let twoTopics = [
        ConsumerGroupSubscriber(memberId: "C0", topics: ["t0", "t1"]),
        ConsumerGroupSubscriber(memberId: "C1", topics: ["t0", "t1"]),
    ]

    @Test func rangeGivesConsecutiveRangesPerTopic() {
        // RangeAssignor javadoc: t0, t1 with 3 partitions each over C0, C1.
        let result = ConsumerAssignor.range.assign(twoTopics, ["t0": 3, "t1": 3])
        #expect(result["C0"] == partitions("t0", [0, 1]) + partitions("t1", [0, 1]))
        #expect(result["C1"] == partitions("t0", [2]) + partitions("t1", [2]))
    }

    @Test func roundRobinCyclesOverAllPartitions() {
        // RoundRobinAssignor javadoc: C0 gets t0p0, t0p2, t1p1; C1 gets t0p1, t1p0, t1p2.
        let result = ConsumerAssignor.roundRobin.assign(twoTopics, ["t0": 3, "t1": 3])
        #expect(result["C0"] == partitions("t0", [0, 2]) + partitions("t1", [1]))
        #expect(result["C1"] == partitions("t0", [1]) + partitions("t1", [0, 2]))
    }

    @Test func roundRobinSkipsMembersNotSubscribedAndMissingTopics() {
        let subscribers = [
            ConsumerGroupSubscriber(memberId: "A", topics: ["t0"]),
            ConsumerGroupSubscriber(memberId: "B", topics: ["t0", "t1", "gone"]),
        ]
        let result = ConsumerAssignor.roundRobin.assign(subscribers, ["t0": 2, "t1": 2])
        #expect(result["A"] == partitions("t0", [0]))
        #expect(result["B"] == partitions("t0", [1]) + partitions("t1", [0, 1]))
    }

    @Test func staticMembersComeFirstInRangeOrder() {
        let subscribers = [
            ConsumerGroupSubscriber(memberId: "a-dynamic", topics: ["t"]),
            ConsumerGroupSubscriber(memberId: "z-static", groupInstanceId: "instance-1", topics: ["t"]),
        ]
        let result = ConsumerAssignor.range.assign(subscribers, ["t": 3])
        #expect(result["z-static"] == partitions("t", [0, 1]))
        #expect(result["a-dynamic"] == partitions("t", [2]))
    }

    @Test func cooperativeStickyKeepsOwnedAndHoldsBackMovingPartitions() {
        // C0 owned all four; C1 is new. C0 keeps two, and the two that move are handed to
        // nobody until C0 has revoked them.
        let first = [
            ConsumerGroupSubscriber(memberId: "C0", topics: ["t"], ownedPartitions: partitions("t", [0, 1, 2, 3]), generationId: 1),
            ConsumerGroupSubscriber(memberId: "C1", topics: ["t"]),
        ]
        let round1 = ConsumerAssignor.cooperativeSticky.assign(first, ["t": 4])
        #expect(round1["C0"] == partitions("t", [0, 1]))
        #expect(round1["C1"] == [])

        let second = [
            ConsumerGroupSubscriber(memberId: "C0", topics: ["t"], ownedPartitions: partitions("t", [0, 1]), generationId: 2),
            ConsumerGroupSubscriber(memberId: "C1", topics: ["t"], ownedPartitions: [], generationId: 2),
        ]
        let round2 = ConsumerAssignor.cooperativeSticky.assign(second, ["t": 4])
        #expect(round2["C0"] == partitions("t", [0, 1]))
        #expect(round2["C1"] == partitions("t", [2, 3]))
    }

    @Test func cooperativeStickyResolvesDoubleClaimsByGeneration() {
        let subscribers = [
            ConsumerGroupSubscriber(memberId: "stale", topics: ["t"], ownedPartitions: partitions("t", [0, 1]), generationId: 3),
            ConsumerGroupSubscriber(memberId: "fresh", topics: ["t"], ownedPartitions: partitions("t", [1]), generationId: 4),
        ]
        let result = ConsumerAssignor.cooperativeSticky.assign(subscribers, ["t": 2])
        #expect(result["stale"] == partitions("t", [0]))
        #expect(result["fresh"] == partitions("t", [1]))
    }

    @Test func cooperativeStickyBalancesAFreshGroup() {
        let subscribers = (0..<3).map { ConsumerGroupSubscriber(memberId: "m\($0)", topics: ["a", "b"]) }
        let result = ConsumerAssignor.cooperativeSticky.assign(subscribers, ["a": 4, "b": 3])
        let counts = result.values.map(\.count).sorted()
        #expect(counts == [2, 2, 3])
        #expect(Set(result.values.flatMap { $0 }).count == 7)
    }

    @Test func subscriptionAndAssignmentBytesRoundTrip() throws {
        let owned = partitions("t", [2, 0]) + partitions("s", [1])
        let bytes = ConsumerProtocolCodec.encodeSubscription(topics: ["t", "s"], ownedPartitions: owned, generationId: 7)
        let decoded = try ConsumerProtocolCodec.decodeSubscription(GroupMemberMetadata(memberId: "m", groupInstanceId: "i", metadata: bytes))
        #expect(decoded.topics == ["s", "t"])
        #expect(Set(decoded.ownedPartitions) == Set(owned))
        #expect(decoded.generationId == 7)
        #expect(decoded.groupInstanceId == "i")

        #expect(try ConsumerProtocolCodec.decodeAssignment(ConsumerProtocolCodec.encodeAssignment(owned)) == owned.sorted())
        #expect(try ConsumerProtocolCodec.decodeAssignment(ByteBuffer()) == [])
        #expect(throws: KafkaError.self) { try ConsumerProtocolCodec.decodeAssignment(ByteBuffer(bytes: [0, 0, 0xFF])) }
        #expect(throws: KafkaError.self) {
            try ConsumerProtocolCodec.decodeSubscription(GroupMemberMetadata(memberId: "m", groupInstanceId: nil, metadata: ByteBuffer(bytes: [0])))
        }
    }

    @Test func configurationsThatCannotWorkAreRefused() {
        #expect(throws: KafkaError.self) { try KafkaConsumer.Configuration(groupId: "").validate() }
        #expect(throws: KafkaError.self) { try KafkaConsumer.Configuration(groupInstanceId: "i").validate() }
        #expect(throws: KafkaError.self) { try KafkaConsumer.Configuration(groupId: "g", assignors: []).validate() }
        #expect(throws: KafkaError.self) { try KafkaConsumer.Configuration(groupId: "g", maxPollRecords: 0).validate() }
        #expect(throws: KafkaError.self) {
            try GroupMembership.Configuration(groupId: "g", protocolType: "sr", sessionTimeoutMilliseconds: 100, heartbeatIntervalMilliseconds: 100).validate()
        }
        #expect(KafkaConsumer.Configuration(assignors: [.cooperativeSticky]).rebalanceProtocol == .cooperative)
        #expect(KafkaConsumer.Configuration(assignors: [.cooperativeSticky, .range]).rebalanceProtocol == .eager)
    }
}
