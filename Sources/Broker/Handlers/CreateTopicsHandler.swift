// CreateTopics (key 19): validates name, partition count, replication factor, replica
// assignment and configs, then creates the topic and its partition logs (unless validateOnly).
// Each topic gets its own error; one bad topic does not fail the others.
import KafkaProtocol

extension KafkaBroker {
    /// A topic-level failure: the Kafka code and a sentence for the user.
    struct TopicFailure: Error {
        let code: ErrorCode
        let message: String
    }

    func handleCreateTopics(_ request: CreateTopicsRequest, context: RequestContext) -> CreateTopicsResponse {
        let results = request.topics.map { topic -> CreateTopicsResponse.CreatableTopicResult in
            do {
                return try createTopic(topic, validateOnly: request.validateOnly)
            } catch let failure as TopicFailure {
                return .init(name: topic.name, errorCode: failure.code.rawValue, errorMessage: failure.message, configs: nil)
            } catch {
                return .init(
                    name: topic.name, errorCode: ErrorCode.kafkaStorageError.rawValue, errorMessage: "\(error)",
                    configs: nil)
            }
        }
        return CreateTopicsResponse(throttleTimeMs: 0, topics: results)
    }

    private func createTopic(_ request: CreateTopicsRequest.CreatableTopic, validateOnly: Bool) throws
        -> CreateTopicsResponse.CreatableTopicResult
    {
        if let problem = TopicConfigs.topicNameProblem(request.name) {
            throw TopicFailure(code: .invalidTopicException, message: problem)
        }
        if metadata.current.topics[request.name] != nil {
            throw TopicFailure(code: .topicAlreadyExists, message: "topic '\(request.name)' already exists")
        }
        var partitionCount = request.numPartitions == -1 ? config.defaultPartitionCount : request.numPartitions
        let replicationFactor = request.replicationFactor == -1 ? config.defaultReplicationFactor : request.replicationFactor
        if !request.assignments.isEmpty {
            guard request.numPartitions == -1, request.replicationFactor == -1 else {
                throw TopicFailure(
                    code: .invalidRequest,
                    message: "give either a replica assignment or a partition count and replication factor, not both")
            }
            let indexes = request.assignments.map(\.partitionIndex).sorted()
            guard indexes == Array(0..<Int32(indexes.count)) else {
                throw TopicFailure(code: .invalidReplicaAssignment, message: "assigned partitions must be 0..n-1")
            }
            for assignment in request.assignments where assignment.brokerIds != [config.nodeId] {
                throw TopicFailure(
                    code: .invalidReplicaAssignment,
                    message: "partition \(assignment.partitionIndex) is assigned to brokers \(assignment.brokerIds); this cluster has only broker \(config.nodeId)")
            }
            partitionCount = Int32(indexes.count)
        }
        guard partitionCount >= 1 else {
            throw TopicFailure(code: .invalidPartitions, message: "a topic needs at least one partition, got \(partitionCount)")
        }
        guard partitionCount <= Self.partitionCountMax else {
            throw TopicFailure(code: .invalidPartitions, message: "at most \(Self.partitionCountMax) partitions per topic")
        }
        guard replicationFactor >= 1 else {
            throw TopicFailure(code: .invalidReplicationFactor, message: "replication factor must be at least 1")
        }
        guard replicationFactor <= 1 else {
            throw TopicFailure(
                code: .invalidReplicationFactor,
                message: "replication factor \(replicationFactor) is larger than the number of brokers (1)")
        }
        var configs: [String: String] = [:]
        for entry in request.configs {
            if let problem = TopicConfigs.problem(key: entry.name, value: entry.value) {
                throw TopicFailure(code: .invalidConfig, message: problem)
            }
            if let value = entry.value { configs[entry.name] = value }
        }
        let topic: TopicImage
        if validateOnly {
            topic = TopicImage(
                name: request.name, id: KafkaUUID.zero.hexString, partitionCount: partitionCount,
                replicationFactor: replicationFactor, configs: configs)
        } else {
            topic = try createTopic(
                name: request.name, partitionCount: partitionCount, replicationFactor: replicationFactor,
                configs: configs)
        }
        let effective = TopicConfigs.effective(overrides: configs, broker: config)
        return .init(
            name: topic.name, topicId: topic.topicId, errorCode: 0, errorMessage: nil,
            numPartitions: partitionCount, replicationFactor: replicationFactor,
            configs: effective.keys.sorted().map { key in
                .init(
                    name: key, value: effective[key], readOnly: false,
                    configSource: configs[key] != nil ? ConfigSource.topic : ConfigSource.defaultConfig,
                    isSensitive: false)
            })
    }

    /// A named limit on partitions per topic, so one request cannot exhaust file descriptors.
    static let partitionCountMax: Int32 = 10_000
}

/// Kafka's config source ids (DescribeConfigs v1+, CreateTopics v5+).
enum ConfigSource {
    static let topic: Int8 = 1             // DYNAMIC_TOPIC_CONFIG
    static let staticBroker: Int8 = 4      // STATIC_BROKER_CONFIG
    static let defaultConfig: Int8 = 5     // DEFAULT_CONFIG
}
