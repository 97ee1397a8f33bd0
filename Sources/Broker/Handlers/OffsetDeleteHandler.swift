// OffsetDelete (key 47): removes a group's committed offsets for some partitions. Partitions of
// topics a live member subscribes to get GROUP_SUBSCRIBED_TO_TOPIC; partitions this broker does
// not host get UNKNOWN_TOPIC_OR_PARTITION; group-level errors (GROUP_ID_NOT_FOUND,
// NON_EMPTY_GROUP) come back as the top-level error with no partitions, as in Kafka.
import GroupCoordinator
import KafkaProtocol

extension KafkaBroker {
    func handleOffsetDelete(_ request: OffsetDeleteRequest, context: RequestContext) -> HandlerOutcome {
        var partitions: [GroupCoordinator.TopicPartition] = []
        var unknown: Set<GroupCoordinator.TopicPartition> = []
        for topic in request.topics {
            for partition in topic.partitions {
                let topicPartition = GroupCoordinator.TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                if hostsPartition(topic: topic.name, partition: partition.partitionIndex) {
                    partitions.append(topicPartition)
                } else {
                    unknown.insert(topicPartition)
                }
            }
        }
        let requestTopics = request.topics
        let unknownPartitions = unknown
        let groupId = request.groupId
        let convert = { @Sendable (result: OffsetDeleteResult) -> OffsetDeleteResponse in
            guard result.errorCode == .none else { return OffsetDeleteResponse(errorCode: result.errorCode.wire, throttleTimeMs: 0) }
            var codes: [GroupCoordinator.TopicPartition: Int16] = [:]
            for partition in unknownPartitions { codes[partition] = ErrorCode.unknownTopicOrPartition.rawValue }
            for partition in result.partitions { codes[partition.topicPartition] = partition.errorCode.wire }
            return OffsetDeleteResponse(
                errorCode: 0, throttleTimeMs: 0,
                topics: requestTopics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let key = GroupCoordinator.TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                            return .init(partitionIndex: partition.partitionIndex, errorCode: codes[key] ?? 0)
                        })
                })
        }
        let fallback = OffsetDeleteResponse(errorCode: ErrorCode.unknownServerError.rawValue, throttleTimeMs: 0)
        let encode = Self.groupResponseFramer(context, fallback: fallback) { answer -> OffsetDeleteResponse? in
            guard case .offsetDelete(let result) = answer else { return nil }
            return convert(result)
        }
        return groupCoordinator.submit(context: context, encode: encode) { core, requestId, now in
            core.deleteOffsets(groupId: groupId, partitions: partitions, requestId: requestId, nowMilliseconds: now)
        }
    }
}
