// DeleteTopics (key 20): by name (v0-5) or by name or topic id (v6). Deleting closes the
// partition logs and removes their directories.
import KafkaProtocol

extension KafkaBroker {
    func handleDeleteTopics(_ request: DeleteTopicsRequest, context: RequestContext) -> DeleteTopicsResponse {
        let entries: [(name: String?, id: KafkaUUID)] =
            context.version >= 6 ? request.topics.map { ($0.name, $0.topicId) } : request.topicNames.map { ($0, .zero) }
        let results = entries.map { entry -> DeleteTopicsResponse.DeletableTopicResult in
            let current = metadata.current
            let topic = entry.name.flatMap { current.topics[$0] }
                ?? current.topics.values.first { entry.id != .zero && $0.topicId == entry.id }
            guard let topic else {
                let code: ErrorCode = entry.name == nil ? .unknownTopicId : .unknownTopicOrPartition
                return .init(name: entry.name, topicId: entry.id, errorCode: code.rawValue, errorMessage: "no such topic")
            }
            do {
                try deleteTopic(name: topic.name)
                return .init(name: topic.name, topicId: topic.topicId, errorCode: 0)
            } catch {
                return .init(
                    name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.kafkaStorageError.rawValue,
                    errorMessage: "\(error)")
            }
        }
        return DeleteTopicsResponse(throttleTimeMs: 0, responses: results)
    }
}
