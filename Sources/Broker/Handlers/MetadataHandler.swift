// Metadata (key 3): brokers, cluster id, controller and the requested topics with their
// partitions. A single broker leads every partition; leader epoch 0 until replication arrives.
// Unknown topics are auto-created when both the broker (auto.create.topics.enable) and the
// request (v4+ AllowAutoTopicCreation) allow it.
import KafkaProtocol

extension KafkaBroker {
    func handleMetadata(_ request: MetadataRequest, context: RequestContext) -> MetadataResponse {
        let nodeId = config.nodeId
        let address = advertisedAddress
        let broker = MetadataResponse.MetadataResponseBroker(
            nodeId: nodeId, host: address.host, port: Int32(address.port), rack: nil)
        let allowAutoCreate = context.version < 4 || request.allowAutoTopicCreation

        var topics: [MetadataResponse.MetadataResponseTopic] = []
        let current = metadata.current
        if let requested = request.topics, !(context.version == 0 && requested.isEmpty) {
            for entry in requested {
                guard let name = entry.name ?? current.topics.values.first(where: { $0.topicId == entry.topicId })?.name
                else {
                    topics.append(.init(errorCode: ErrorCode.unknownTopicId.rawValue, name: nil, topicId: entry.topicId))
                    continue
                }
                if let problem = TopicConfigs.topicNameProblem(name) {
                    _ = problem
                    topics.append(.init(errorCode: ErrorCode.invalidTopicException.rawValue, name: name))
                } else if let topic = current.topics[name] ?? (allowAutoCreate ? autoCreateTopic(name) : nil) {
                    topics.append(describe(topic))
                } else {
                    topics.append(.init(errorCode: ErrorCode.unknownTopicOrPartition.rawValue, name: name))
                }
            }
        } else {
            topics = current.topics.values.sorted { $0.name < $1.name }.map(describe)
        }
        return MetadataResponse(
            throttleTimeMs: 0, brokers: [broker], clusterId: current.clusterId, controllerId: nodeId, topics: topics)
    }

    private func describe(_ topic: TopicImage) -> MetadataResponse.MetadataResponseTopic {
        let nodeId = config.nodeId
        let partitions = (0..<topic.partitionCount).map { index in
            MetadataResponse.MetadataResponsePartition(
                errorCode: 0, partitionIndex: index, leaderId: nodeId, leaderEpoch: 0,
                replicaNodes: [nodeId], isrNodes: [nodeId], offlineReplicas: [])
        }
        return MetadataResponse.MetadataResponseTopic(
            errorCode: 0, name: topic.name, topicId: topic.topicId, isInternal: topic.name.hasPrefix("__"),
            partitions: partitions)
    }
}
