// DescribeConfigs (key 32): a topic's effective configs (its own overrides and the broker
// defaults, with their sources), or the broker's own settings.
import KafkaProtocol

enum ConfigResourceType {
    static let topic: Int8 = 2
    static let broker: Int8 = 4
}

extension KafkaBroker {
    func handleDescribeConfigs(_ request: DescribeConfigsRequest, context: RequestContext) -> DescribeConfigsResponse {
        let results = request.resources.map { resource -> DescribeConfigsResponse.DescribeConfigsResult in
            var result = DescribeConfigsResponse.DescribeConfigsResult(
                errorCode: 0, errorMessage: nil, resourceType: resource.resourceType,
                resourceName: resource.resourceName, configs: [])
            let entries: [(name: String, value: String, source: Int8)]
            switch resource.resourceType {
            case ConfigResourceType.topic:
                guard let topic = metadata.current.topics[resource.resourceName] else {
                    result.errorCode = ErrorCode.unknownTopicOrPartition.rawValue
                    result.errorMessage = "no topic named '\(resource.resourceName)'"
                    return result
                }
                let defaults = TopicConfigs.defaults(for: config)
                entries = defaults.keys.sorted().map { key in
                    if let value = topic.configs[key] { return (key, value, ConfigSource.topic) }
                    return (key, defaults[key] ?? "", ConfigSource.defaultConfig)
                }
            case ConfigResourceType.broker:
                guard resource.resourceName.isEmpty || resource.resourceName == String(config.nodeId) else {
                    result.errorCode = ErrorCode.invalidRequest.rawValue
                    result.errorMessage = "this broker is node \(config.nodeId), not '\(resource.resourceName)'"
                    return result
                }
                entries = brokerConfigEntries().map { ($0.0, $0.1, ConfigSource.staticBroker) }
            default:
                result.errorCode = ErrorCode.invalidRequest.rawValue
                result.errorMessage = "resource type \(resource.resourceType) is not supported (2 = topic, 4 = broker)"
                return result
            }
            let wanted = resource.configurationKeys.map(Set.init)
            result.configs = entries.filter { wanted?.contains($0.name) ?? true }.map { entry in
                DescribeConfigsResponse.DescribeConfigsResourceResult(
                    name: entry.name, value: entry.value, readOnly: resource.resourceType == ConfigResourceType.broker,
                    isDefault: entry.source == ConfigSource.defaultConfig, configSource: entry.source,
                    isSensitive: false,
                    synonyms: request.includeSynonyms
                        ? [.init(name: entry.name, value: entry.value, source: entry.source)] : [])
            }
            return result
        }
        return DescribeConfigsResponse(throttleTimeMs: 0, results: results)
    }

    private func brokerConfigEntries() -> [(String, String)] {
        [
            ("node.id", String(config.nodeId)),
            ("auto.create.topics.enable", String(config.autoCreateTopicsEnable)),
            ("num.partitions", String(config.defaultPartitionCount)),
            ("default.replication.factor", String(config.defaultReplicationFactor)),
            ("message.max.bytes", String(config.messageMaxBytes)),
            ("socket.request.max.bytes", String(config.socketRequestMaxBytes)),
            ("log.dirs", config.dataDirectory),
            ("log.segment.bytes", String(config.logSegmentBytes)),
            ("log.retention.ms", String(config.logRetentionMilliseconds)),
            ("log.retention.bytes", String(config.logRetentionBytes)),
            ("log.flush.interval.messages", String(config.logFlushIntervalMessages)),
            ("log.flush.interval.ms", String(config.logFlushIntervalMilliseconds)),
            ("log.cleanup.policy", config.logCleanupPolicy),
        ]
    }
}
