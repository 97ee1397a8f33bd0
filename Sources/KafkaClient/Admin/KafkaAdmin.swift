// Cluster administration: topics, partitions, configs and offset lookups.
//
// Topic creation, deletion and partition growth go to the controller (any broker forwards them
// in KRaft clusters); config calls go to any broker; ListOffsets goes to each partition's leader.
// Multi-topic calls return one `TopicOutcome` per topic so a single failure does not hide the
// rest; the single-topic conveniences throw.
import KafkaProtocol

public struct KafkaAdmin: Sendable {
    public let client: KafkaClient
    /// How long the broker may take to apply a topic change before answering.
    public var operationTimeoutMilliseconds: Int32

    public init(client: KafkaClient, operationTimeoutMilliseconds: Int32 = 30_000) {
        self.client = client
        self.operationTimeoutMilliseconds = operationTimeoutMilliseconds
    }

    // MARK: Topics

    public func createTopics(_ topics: [NewTopic], validateOnly: Bool = false) async throws(KafkaError) -> [TopicOutcome] {
        for topic in topics { try TopicName.validate(topic.name) }
        let request = CreateTopicsRequest(
            topics: topics.map { topic in
                CreateTopicsRequest.CreatableTopic(
                    name: topic.name, numPartitions: topic.partitionCount, replicationFactor: topic.replicationFactor,
                    configs: topic.configs.sorted { $0.key < $1.key }.map {
                        CreateTopicsRequest.CreatableTopicConfig(name: $0.key, value: $0.value)
                    })
            },
            timeoutMs: operationTimeoutMilliseconds, validateOnly: validateOnly)
        let response = try await client.withRetries { () async throws(KafkaError) in
            try await client.controllerConnection().send(request)
        }
        await client.invalidateMetadata()
        return response.topics.map { result in
            TopicOutcome(
                name: result.name,
                error: KafkaError.broker(
                    ErrorCode(rawValue: result.errorCode), context: "creating topic \(result.name)", detail: result.errorMessage))
        }
    }

    /// Creates one topic; throws its error (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, ...).
    public func createTopic(
        name: String, partitionCount: Int32 = -1, replicationFactor: Int16 = -1, configs: [String: String] = [:]
    ) async throws(KafkaError) {
        let outcomes = try await createTopics([
            NewTopic(name: name, partitionCount: partitionCount, replicationFactor: replicationFactor, configs: configs)
        ])
        try Self.throwFirstError(outcomes, name: name, context: "creating topic \(name)")
    }

    public func deleteTopics(_ names: [String]) async throws(KafkaError) -> [TopicOutcome] {
        let request = DeleteTopicsRequest(
            topics: names.map { DeleteTopicsRequest.DeleteTopicState(name: $0) }, topicNames: names,
            timeoutMs: operationTimeoutMilliseconds)
        let response = try await client.withRetries { () async throws(KafkaError) in
            try await client.controllerConnection().send(request)
        }
        await client.invalidateMetadata()
        return response.responses.map { result in
            let name = result.name ?? result.topicId.description
            return TopicOutcome(
                name: name,
                error: KafkaError.broker(
                    ErrorCode(rawValue: result.errorCode), context: "deleting topic \(name)", detail: result.errorMessage))
        }
    }

    public func deleteTopic(_ name: String) async throws(KafkaError) {
        try Self.throwFirstError(try await deleteTopics([name]), name: name, context: "deleting topic \(name)")
    }

    /// Every topic, sorted by name; internal topics only when asked.
    public func listTopics(includeInternal: Bool = false) async throws(KafkaError) -> [TopicMetadata] {
        let metadata = try await client.withRetries { () async throws(KafkaError) in
            try await client.refreshMetadata(topics: nil)
        }
        return metadata.topics.values.filter { includeInternal || !$0.isInternal }.sorted { $0.name < $1.name }
    }

    /// The named topics; throws UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
    public func describeTopics(_ names: [String]) async throws(KafkaError) -> [TopicMetadata] {
        let metadata = try await client.withRetries { () async throws(KafkaError) in
            let metadata = try await client.refreshMetadata(topics: names)
            // A topic whose leader is being elected answers with a retriable code; wait for it.
            for name in names {
                if let topic = metadata.topics[name], topic.errorCode.isRetriable {
                    _ = try metadata.topic(name)
                }
            }
            return metadata
        }
        var topics: [TopicMetadata] = []
        for name in names { topics.append(try metadata.topic(name)) }
        return topics
    }

    /// Grows `topic` to `totalCount` partitions.
    public func createPartitions(topic: String, totalCount: Int32) async throws(KafkaError) {
        let request = CreatePartitionsRequest(
            topics: [CreatePartitionsRequest.CreatePartitionsTopic(name: topic, count: totalCount, assignments: nil)],
            timeoutMs: operationTimeoutMilliseconds, validateOnly: false)
        let response = try await client.withRetries { () async throws(KafkaError) in
            try await client.controllerConnection().send(request)
        }
        await client.invalidateMetadata()
        for result in response.results {
            if let error = KafkaError.broker(
                ErrorCode(rawValue: result.errorCode), context: "adding partitions to \(result.name)", detail: result.errorMessage)
            {
                throw error
            }
        }
    }

    // MARK: Configs

    /// The resource's configs (all of them when `names` is nil), sorted by name.
    public func describeConfigs(_ resource: ConfigResource, names: [String]? = nil) async throws(KafkaError) -> [ConfigEntry] {
        let request = DescribeConfigsRequest(
            resources: [
                DescribeConfigsRequest.DescribeConfigsResource(
                    resourceType: resource.kind.rawValue, resourceName: resource.name, configurationKeys: names)
            ])
        let response = try await client.withRetries { () async throws(KafkaError) in
            try await client.sendToAnyBroker(request)
        }
        guard let result = response.results.first else {
            throw KafkaError(kind: .protocolViolation, context: "describing configs of \(resource)", detail: "the answer named no resource")
        }
        if let error = KafkaError.broker(
            ErrorCode(rawValue: result.errorCode), context: "describing configs of \(resource)", detail: result.errorMessage)
        {
            throw error
        }
        return result.configs.map { config in
            // DescribeConfigs v0 has IsDefault and no ConfigSource.
            let source = config.configSource >= 0 ? ConfigSource(rawValue: config.configSource) : (config.isDefault ? .default : .unknown)
            return ConfigEntry(
                name: config.name, value: config.value, source: source, isReadOnly: config.readOnly,
                isSensitive: config.isSensitive, isDefault: source == .default || config.isDefault)
        }.sorted { $0.name < $1.name }
    }

    public func incrementalAlterConfigs(_ resource: ConfigResource, _ operations: [ConfigOperation], validateOnly: Bool = false)
        async throws(KafkaError)
    {
        guard !operations.isEmpty else {
            throw KafkaError(kind: .invalidArgument, context: "altering configs of \(resource)", detail: "no config change given")
        }
        let request = IncrementalAlterConfigsRequest(
            resources: [
                IncrementalAlterConfigsRequest.AlterConfigsResource(
                    resourceType: resource.kind.rawValue, resourceName: resource.name,
                    configs: operations.map {
                        IncrementalAlterConfigsRequest.AlterableConfig(name: $0.name, configOperation: $0.kind.rawValue, value: $0.value)
                    })
            ],
            validateOnly: validateOnly)
        let response = try await client.withRetries { () async throws(KafkaError) in
            try await client.sendToAnyBroker(request)
        }
        for result in response.responses {
            if let error = KafkaError.broker(
                ErrorCode(rawValue: result.errorCode), context: "altering configs of \(resource)", detail: result.errorMessage)
            {
                throw error
            }
        }
    }

    // MARK: Offsets

    /// Offsets of `partitions` (all of the topic's when nil) for `spec`, sorted by partition.
    public func listOffsets(topic: String, partitions: [Int32]? = nil, spec: OffsetSpec) async throws(KafkaError) -> [ListedOffset] {
        try await client.withRetries { () async throws(KafkaError) in
            let topicMetadata = try await client.metadata(topics: [topic]).topic(topic)
            let wanted = partitions ?? topicMetadata.partitions.map(\.partition)
            var byLeader: [Int32: [Int32]] = [:]
            for partition in wanted {
                guard let partitionMetadata = topicMetadata.partition(partition) else {
                    throw KafkaError(
                        kind: .invalidArgument, context: "listing offsets of \(topic)-\(partition)",
                        detail: "topic \(topic) has partitions 0...\(topicMetadata.partitions.count - 1)")
                }
                guard partitionMetadata.leaderId >= 0 else {
                    throw KafkaError(kind: .broker, code: .leaderNotAvailable, context: "listing offsets of \(topic)-\(partition)")
                }
                byLeader[partitionMetadata.leaderId, default: []].append(partition)
            }
            var offsets: [ListedOffset] = []
            for (leader, leaderPartitions) in byLeader {
                offsets += try await listOffsets(topic: topic, partitions: leaderPartitions, spec: spec, leader: leader)
            }
            return offsets.sorted { $0.partition < $1.partition }
        }
    }

    private func listOffsets(topic: String, partitions: [Int32], spec: OffsetSpec, leader: Int32) async throws(KafkaError) -> [ListedOffset] {
        let request = ListOffsetsRequest(
            replicaId: -1, isolationLevel: 0,
            topics: [
                ListOffsetsRequest.ListOffsetsTopic(
                    name: topic,
                    partitions: partitions.map {
                        ListOffsetsRequest.ListOffsetsPartition(partitionIndex: $0, timestamp: spec.wireTimestamp, maxNumOffsets: 1)
                    })
            ],
            timeoutMs: operationTimeoutMilliseconds)
        let response = try await client.send(request, toBroker: leader)
        var offsets: [ListedOffset] = []
        for topicResponse in response.topics {
            for partition in topicResponse.partitions {
                if let error = KafkaError.broker(
                    ErrorCode(rawValue: partition.errorCode), context: "listing offsets of \(topic)-\(partition.partitionIndex)")
                {
                    throw error
                }
                // Version 0 answers with a list of offsets instead of one offset.
                let offset = partition.oldStyleOffsets.first ?? partition.offset
                offsets.append(ListedOffset(partition: partition.partitionIndex, offset: offset, timestamp: partition.timestamp))
            }
        }
        return offsets
    }

    private static func throwFirstError(_ outcomes: [TopicOutcome], name: String, context: String) throws(KafkaError) {
        guard let outcome = outcomes.first(where: { $0.name == name }) ?? outcomes.first else {
            throw KafkaError(kind: .protocolViolation, context: context, detail: "the answer did not mention the topic")
        }
        if let error = outcome.error { throw error }
    }
}

/// Kafka's topic-name rules (Topic.java): 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
public enum TopicName {
    public static let lengthMax = 249

    public static func validate(_ name: String) throws(KafkaError) {
        func invalid(_ why: String) -> KafkaError {
            KafkaError(kind: .invalidArgument, context: "checking topic name \"\(name)\"", detail: why)
        }
        guard !name.isEmpty else { throw invalid("the name is empty") }
        guard name != "." && name != ".." else { throw invalid("\".\" and \"..\" are not allowed") }
        guard name.utf8.count <= lengthMax else { throw invalid("the name is longer than \(lengthMax) characters") }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard allowed else { throw invalid("use only letters, digits, '.', '_' and '-'") }
    }
}
