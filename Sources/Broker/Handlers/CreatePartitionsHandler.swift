// CreatePartitions (key 37): grows a topic's partition count (never shrinks it, as in Kafka).
import KafkaProtocol

extension KafkaBroker {
    func handleCreatePartitions(_ request: CreatePartitionsRequest, context: RequestContext) -> CreatePartitionsResponse {
        let results = request.topics.map { entry -> CreatePartitionsResponse.CreatePartitionsTopicResult in
            func failure(_ code: ErrorCode, _ message: String) -> CreatePartitionsResponse.CreatePartitionsTopicResult {
                .init(name: entry.name, errorCode: code.rawValue, errorMessage: message)
            }
            guard let topic = metadata.current.topics[entry.name] else {
                return failure(.unknownTopicOrPartition, "no topic named '\(entry.name)'")
            }
            guard entry.count > topic.partitionCount else {
                return failure(
                    .invalidPartitions,
                    "topic '\(entry.name)' has \(topic.partitionCount) partitions; the new count must be larger, got \(entry.count)")
            }
            guard entry.count <= Self.partitionCountMax else {
                return failure(.invalidPartitions, "at most \(Self.partitionCountMax) partitions per topic")
            }
            if let assignments = entry.assignments,
                assignments.count != Int(entry.count - topic.partitionCount)
                    || assignments.contains(where: { $0.brokerIds != [config.nodeId] })
            {
                return failure(.invalidReplicaAssignment, "new partitions can only be assigned to broker \(config.nodeId)")
            }
            if request.validateOnly { return .init(name: entry.name, errorCode: 0) }
            do {
                try addPartitions(topic: entry.name, newCount: entry.count)
                return .init(name: entry.name, errorCode: 0)
            } catch {
                return failure(.kafkaStorageError, "\(error)")
            }
        }
        return CreatePartitionsResponse(throttleTimeMs: 0, results: results)
    }
}
