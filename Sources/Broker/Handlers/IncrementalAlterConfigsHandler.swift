// IncrementalAlterConfigs (key 44): SET, DELETE, APPEND and SUBTRACT on a topic's configs.
// The whole resource is validated before anything changes, so a bad entry changes nothing.
// Broker configs are static (config file and flags) and are refused with a sentence saying so.
import KafkaProtocol

enum ConfigOperation {
    static let set: Int8 = 0
    static let delete: Int8 = 1
    static let append: Int8 = 2
    static let subtract: Int8 = 3
}

extension KafkaBroker {
    func handleIncrementalAlterConfigs(_ request: IncrementalAlterConfigsRequest, context: RequestContext)
        -> IncrementalAlterConfigsResponse
    {
        let results = request.resources.map { resource -> IncrementalAlterConfigsResponse.AlterConfigsResourceResponse in
            func failure(_ code: ErrorCode, _ message: String) -> IncrementalAlterConfigsResponse.AlterConfigsResourceResponse {
                .init(errorCode: code.rawValue, errorMessage: message, resourceType: resource.resourceType,
                      resourceName: resource.resourceName)
            }
            guard resource.resourceType == ConfigResourceType.topic else {
                return failure(
                    .invalidRequest,
                    "only topic configs can be altered; broker settings come from the config file and --set flags")
            }
            guard let topic = metadata.current.topics[resource.resourceName] else {
                return failure(.unknownTopicOrPartition, "no topic named '\(resource.resourceName)'")
            }
            var configs = topic.configs
            let defaults = TopicConfigs.defaults(for: config)
            for entry in resource.configs {
                switch entry.configOperation {
                case ConfigOperation.set:
                    if let problem = TopicConfigs.problem(key: entry.name, value: entry.value) {
                        return failure(.invalidConfig, problem)
                    }
                    configs[entry.name] = entry.value
                case ConfigOperation.delete:
                    if let problem = TopicConfigs.problem(key: entry.name, value: nil) { return failure(.invalidConfig, problem) }
                    configs[entry.name] = nil
                case ConfigOperation.append, ConfigOperation.subtract:
                    guard entry.name == "cleanup.policy" else {
                        return failure(.invalidConfig, "'\(entry.name)' is not a list; APPEND and SUBTRACT apply to cleanup.policy only")
                    }
                    var items = (configs[entry.name] ?? defaults[entry.name] ?? "").split(separator: ",").map(String.init)
                    let given = (entry.value ?? "").split(separator: ",").map(String.init)
                    if entry.configOperation == ConfigOperation.append {
                        items += given.filter { !items.contains($0) }
                    } else {
                        items.removeAll { given.contains($0) }
                    }
                    let joined = items.joined(separator: ",")
                    if let problem = TopicConfigs.problem(key: entry.name, value: joined) { return failure(.invalidConfig, problem) }
                    configs[entry.name] = joined
                default:
                    return failure(.invalidRequest, "unknown config operation \(entry.configOperation)")
                }
            }
            if !request.validateOnly {
                do {
                    try setTopicConfigs(topic: topic.name, configs: configs)
                } catch {
                    return failure(.kafkaStorageError, "\(error)")
                }
            }
            return .init(errorCode: 0, errorMessage: nil, resourceType: resource.resourceType, resourceName: resource.resourceName)
        }
        return IncrementalAlterConfigsResponse(throttleTimeMs: 0, responses: results)
    }
}
