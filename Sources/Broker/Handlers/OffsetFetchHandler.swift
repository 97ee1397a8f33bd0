// OffsetFetch (key 9): a group's committed offsets. A group without a commit for a partition
// (or a group that does not exist) gets offset -1 and no error, as in Kafka, so the consumer
// falls back to its auto.offset.reset policy. A null topic list (v2+) asks for every committed
// partition. v1-7 ask for one group; v8+ for a batch of groups, answered per group.
// require_stable (v7+) needs no wait here: there are no pending transactional offsets.
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    func handleOffsetFetch(_ request: OffsetFetchRequest, context: RequestContext) -> OffsetFetchResponse {
        if context.version >= 8 {
            let groups = request.groups.map { group in
                let fetched = fetchCommittedOffsets(
                    groupId: group.groupId,
                    topics: group.topics.map { $0.map { (name: $0.name, partitions: $0.partitionIndexes) } })
                return OffsetFetchResponse.OffsetFetchResponseGroup(
                    groupId: group.groupId,
                    topics: fetched.map { topic in
                        .init(
                            name: topic.name,
                            partitions: topic.offsets.map {
                                .init(
                                    partitionIndex: $0.topicPartition.partition, committedOffset: $0.offset,
                                    committedLeaderEpoch: $0.leaderEpoch, metadata: $0.metadata, errorCode: $0.errorCode.wire)
                            })
                    },
                    errorCode: 0)
            }
            return OffsetFetchResponse(throttleTimeMs: 0, groups: groups)
        }
        let fetched = fetchCommittedOffsets(
            groupId: request.groupId, topics: request.topics.map { $0.map { (name: $0.name, partitions: $0.partitionIndexes) } })
        return OffsetFetchResponse(
            throttleTimeMs: 0,
            topics: fetched.map { topic in
                .init(
                    name: topic.name,
                    partitions: topic.offsets.map {
                        .init(
                            partitionIndex: $0.topicPartition.partition, committedOffset: $0.offset,
                            committedLeaderEpoch: $0.leaderEpoch, metadata: $0.metadata, errorCode: $0.errorCode.wire)
                    })
            },
            errorCode: 0)
    }

    /// The committed offsets of `groupId` grouped by topic, in request order (or topic order
    /// when every committed partition was asked for).
    private func fetchCommittedOffsets(groupId: String, topics: [(name: String, partitions: [Int32])]?)
        -> [(name: String, offsets: [FetchedOffset])]
    {
        let wanted = topics.map { topics in
            topics.flatMap { topic in topic.partitions.map { GroupCoordinator.TopicPartition(topic: topic.name, partition: $0) } }
        }
        let fetched = groupCoordinator.read { $0.fetchOffsets(groupId: groupId, partitions: wanted) }
        var result: [(name: String, offsets: [FetchedOffset])] = []
        for offset in fetched {
            if let last = result.indices.last, result[last].name == offset.topicPartition.topic {
                result[last].offsets.append(offset)
            } else {
                result.append((offset.topicPartition.topic, [offset]))
            }
        }
        return result
    }
}
