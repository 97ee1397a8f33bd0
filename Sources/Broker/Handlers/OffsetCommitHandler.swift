// OffsetCommit (key 8): a group's consumed positions, stored in `__consumer_offsets` before the
// answer goes out. Partitions this broker does not host get UNKNOWN_TOPIC_OR_PARTITION, as in
// Kafka; the rest go to the coordinator, which checks membership and generation.
//
// v0 has no generation or member (a "simple" commit); v1 adds a per-partition commit timestamp
// and v2-4 a retention time, both ignored (offsets do not expire here; Kafka 2.1+ ignores the
// client's timestamp too). v9+ reports GROUP_ID_NOT_FOUND where older versions said
// ILLEGAL_GENERATION for a member commit to a group that does not exist.
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    func handleOffsetCommit(_ request: OffsetCommitRequest, context: RequestContext) -> HandlerOutcome {
        let version = context.version
        var entries: [OffsetCommitEntry] = []
        var unknown: Set<GroupCoordinator.TopicPartition> = []
        for topic in request.topics {
            for partition in topic.partitions {
                let topicPartition = GroupCoordinator.TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                guard hostsPartition(topic: topic.name, partition: partition.partitionIndex) else {
                    unknown.insert(topicPartition)
                    continue
                }
                entries.append(
                    OffsetCommitEntry(
                        topicPartition: topicPartition, offset: partition.committedOffset,
                        leaderEpoch: partition.committedLeaderEpoch, metadata: partition.committedMetadata ?? ""))
            }
        }
        let groupMissing = groupCoordinator.read { $0.describe(groupId: request.groupId) == nil }
        let input = OffsetCommitInput(
            groupId: request.groupId, generationId: request.generationIdOrMemberEpoch, memberId: request.memberId,
            groupInstanceId: request.groupInstanceId, offsets: entries)
        let requestTopics = request.topics
        let unknownPartitions = unknown
        let convert = { @Sendable (results: [PartitionResult]) -> OffsetCommitResponse in
            var codes: [GroupCoordinator.TopicPartition: Int16] = [:]
            for partition in unknownPartitions { codes[partition] = ErrorCode.unknownTopicOrPartition.rawValue }
            for result in results {
                var code = result.errorCode
                if code == .illegalGeneration && groupMissing && version >= 9 { code = .groupIdNotFound }
                codes[result.topicPartition] = code.wire
            }
            return OffsetCommitResponse(
                throttleTimeMs: 0,
                topics: requestTopics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let key = GroupCoordinator.TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                            return .init(partitionIndex: partition.partitionIndex, errorCode: codes[key] ?? ErrorCode.unknownServerError.rawValue)
                        })
                })
        }
        // Nothing for the coordinator: answer without touching the group (and without creating it).
        if entries.isEmpty { return respond(convert([]), context) }
        var fallback = convert([])
        for topic in fallback.topics.indices {
            for partition in fallback.topics[topic].partitions.indices {
                fallback.topics[topic].partitions[partition].errorCode = ErrorCode.unknownServerError.rawValue
            }
        }
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> OffsetCommitResponse? in
            guard case .offsetCommit(let results) = answer else { return nil }
            return convert(results)
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.commitOffsets(input, requestId: requestId, nowMilliseconds: now)
        }
    }
}
