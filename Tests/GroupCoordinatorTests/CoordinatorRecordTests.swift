// Byte-level tests of the `__consumer_offsets` record format: golden bytes written out by hand
// from Kafka's OffsetCommitKey/Value and GroupMetadataKey/Value specs, older and flexible
// versions, round trips, and corrupt input.

import GroupCoordinator
import Testing

@Test func offsetCommitRecordMatchesKafkaBytes() throws {
    let record = CoordinatorRecord.offsetCommit(
        OffsetCommitKey(groupId: "g", topicPartition: TopicPartition(topic: "t", partition: 1)),
        OffsetCommitValue(offset: 5, leaderEpoch: -1, metadata: "", commitTimestampMilliseconds: 100))
    // Key version 1, group "g", topic "t", partition 1.
    #expect(record.encodeKey() == [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 1])
    // Value version 3: offset, leader epoch, metadata, commit timestamp.
    let value: [UInt8] = [0, 3] + [0, 0, 0, 0, 0, 0, 0, 5] + [0xFF, 0xFF, 0xFF, 0xFF] + [0, 0] + [0, 0, 0, 0, 0, 0, 0, 100]
    #expect(record.encodeValue() == value)
    #expect(try CoordinatorRecord.decode(key: record.encodeKey(), value: value) == record)
}

@Test func groupMetadataTombstoneHasNoValue() throws {
    let record = CoordinatorRecord.groupMetadata(groupId: "g", nil)
    #expect(record.encodeKey() == [0, 2, 0, 1, 0x67])
    #expect(record.encodeValue() == nil)
    #expect(try CoordinatorRecord.decode(key: [0, 2, 0, 1, 0x67], value: nil) == record)
}

@Test func groupMetadataVersion0UsesSessionTimeoutAsRebalanceTimeout() throws {
    let value: [UInt8] =
        [0, 0] + [0, 1, 0x63] + [0, 0, 0, 1] + [0, 1, 0x72] + [0xFF, 0xFF] + [0, 0, 0, 1]
        + [0, 1, 0x6D] + [0, 1, 0x63] + [0, 1, 0x68] + [0, 0, 0x17, 0x70] + [0, 0, 0, 1, 0x41] + [0, 0, 0, 0]
    let decoded = try CoordinatorRecord.decode(key: [0, 2, 0, 1, 0x67], value: value)
    let member = GroupMetadataValue.Member(
        memberId: "m", groupInstanceId: nil, clientId: "c", clientHost: "h", rebalanceTimeoutMilliseconds: 6000,
        sessionTimeoutMilliseconds: 6000, subscription: [0x41], assignment: [])
    let expected = GroupMetadataValue(
        protocolType: "c", generationId: 1, protocolName: "r", leader: nil, currentStateTimestampMilliseconds: -1,
        members: [member])
    #expect(decoded == .groupMetadata(groupId: "g", expected))
}

@Test func flexibleOffsetCommitValueVersion4Decodes() throws {
    // Compact string "x" (length + 1 = 2) and an empty tagged-field section.
    let value: [UInt8] = [0, 4] + [0, 0, 0, 0, 0, 0, 0, 7] + [0, 0, 0, 2] + [2, 0x78] + [0, 0, 0, 0, 0, 0, 0, 9] + [0]
    let decoded = try CoordinatorRecord.decode(key: [0, 0, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 0], value: value)
    let expected = CoordinatorRecord.offsetCommit(
        OffsetCommitKey(groupId: "g", topicPartition: TopicPartition(topic: "t", partition: 0)),
        OffsetCommitValue(offset: 7, leaderEpoch: 2, metadata: "x", commitTimestampMilliseconds: 9))
    #expect(decoded == expected)
}

@Test func groupMetadataRoundTripsWithStaticMembersAndBinaryBytes() throws {
    let members = (0..<3).map { index in
        GroupMetadataValue.Member(
            memberId: "m\(index)", groupInstanceId: index == 1 ? "instance" : nil, clientId: "client", clientHost: "/10.0.0.\(index)",
            rebalanceTimeoutMilliseconds: 300_000, sessionTimeoutMilliseconds: 45_000,
            subscription: (0..<UInt8(index * 7)).map { $0 &* 37 }, assignment: [0, 0xFF, UInt8(index)])
    }
    let record = CoordinatorRecord.groupMetadata(
        groupId: "payments", GroupMetadataValue(
            protocolType: "consumer", generationId: 42, protocolName: "cooperative-sticky", leader: "m0",
            currentStateTimestampMilliseconds: 1_700_000_000_000, members: members))
    #expect(try CoordinatorRecord.decode(key: record.encodeKey(), value: record.encodeValue()) == record)
}

@Test func corruptRecordsGiveTypedErrors() {
    #expect(throws: CoordinatorRecordError.truncated(field: "key version")) {
        try CoordinatorRecord.decode(key: [0], value: nil)
    }
    #expect(throws: CoordinatorRecordError.unsupportedKeyVersion(5)) {
        try CoordinatorRecord.decode(key: [0, 5, 0, 0], value: nil)
    }
    #expect(throws: CoordinatorRecordError.unsupportedValueVersion(record: "GroupMetadataValue", version: 9)) {
        try CoordinatorRecord.decode(key: [0, 2, 0, 1, 0x67], value: [0, 9])
    }
    #expect(throws: CoordinatorRecordError.invalidLength(field: "group", length: 100)) {
        try CoordinatorRecord.decode(key: [0, 2, 0, 100, 0x67], value: nil)
    }
    #expect(throws: CoordinatorRecordError.invalidUTF8(field: "group")) {
        try CoordinatorRecord.decode(key: [0, 2, 0, 1, 0xFF], value: nil)
    }
    // Every truncation of a valid value fails cleanly instead of crashing.
    let record = CoordinatorRecord.groupMetadata(
        groupId: "g", GroupMetadataValue(
            protocolType: "consumer", generationId: 1, protocolName: "range", leader: "m",
            currentStateTimestampMilliseconds: 0,
            members: [.init(memberId: "m", groupInstanceId: "i", clientId: "c", clientHost: "h",
                            rebalanceTimeoutMilliseconds: 1, sessionTimeoutMilliseconds: 1, subscription: [1], assignment: [2])]))
    let value = record.encodeValue() ?? []
    for length in 0..<value.count {
        #expect(throws: CoordinatorRecordError.self) {
            try CoordinatorRecord.decode(key: record.encodeKey(), value: Array(value.prefix(length)))
        }
    }
}
