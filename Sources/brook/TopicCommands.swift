// `brook topic create|list|describe|delete|alter-config`: topic administration over KafkaAdmin.
import ArgumentParser
import KafkaClient
import KafkaProtocol

struct TopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic", abstract: "Create, list, describe, delete and configure topics.",
        subcommands: [Create.self, List.self, Describe.self, Delete.self, AlterConfig.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic name.") var topic: String
        @Option(help: "Number of partitions (broker default when omitted).") var partitions: Int32?
        @Option(name: .customLong("replication-factor"), help: "Replicas per partition (broker default when omitted).")
        var replicationFactor: Int16?
        @Option(name: .customLong("config"), help: "Topic config key=value; repeatable.") var configs: [String] = []
        @Option(help: "text or json.") var output: OutputFormat = .text

        func validate() throws {
            if let partitions, partitions < 1 { throw ValidationError("--partitions must be at least 1") }
            if let replicationFactor, replicationFactor < 1 { throw ValidationError("--replication-factor must be at least 1") }
            _ = try KeyValueArgument.parseAll(configs, option: "--config")
            do { try TopicName.validate(topic) } catch { throw ValidationError("\(error.detail ?? "invalid topic name"): \"\(topic)\"") }
        }

        func run() async throws {
            var configMap: [String: String] = [:]
            for pair in try KeyValueArgument.parseAll(configs, option: "--config") { configMap[pair.key] = pair.value }
            try await runClientCommand(connection) { client in
                try await KafkaAdmin(client: client).createTopic(
                    name: topic, partitionCount: partitions ?? -1, replicationFactor: replicationFactor ?? -1, configs: configMap)
            }
            switch output {
            case .text: print("Created topic \(topic).")
            case .json: print(JSONOutput.line(["topic": topic, "created": true]))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics.")

        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .customLong("include-internal"), help: "Also list internal topics.") var includeInternal = false
        @Option(help: "text or json.") var output: OutputFormat = .text

        func run() async throws {
            let topics = try await runClientCommand(connection) { client in
                try await KafkaAdmin(client: client).listTopics(includeInternal: includeInternal)
            }
            print(TopicRendering.list(topics, format: output))
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic's partitions and configs.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic names.") var topics: [String]
        @Flag(name: .customLong("all-configs"), help: "Also show configs left at their defaults.") var allConfigs = false
        @Option(help: "text or json.") var output: OutputFormat = .text

        func validate() throws {
            guard !topics.isEmpty else { throw ValidationError("name at least one topic to describe") }
        }

        func run() async throws {
            let described = try await runClientCommand(connection) { client in
                let admin = KafkaAdmin(client: client)
                var results: [(TopicMetadata, [ConfigEntry])] = []
                for topic in try await admin.describeTopics(topics) {
                    var configs = try await admin.describeConfigs(.topic(topic.name))
                    if !allConfigs { configs = configs.filter { !$0.isDefault } }
                    results.append((topic, configs))
                }
                return results
            }
            print(TopicRendering.describe(described, format: output))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete topics.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic names.") var topics: [String]
        @Option(help: "text or json.") var output: OutputFormat = .text

        func validate() throws {
            guard !topics.isEmpty else { throw ValidationError("name at least one topic to delete") }
        }

        func run() async throws {
            let outcomes = try await runClientCommand(connection) { client in
                try await KafkaAdmin(client: client).deleteTopics(topics)
            }
            var failures: [String] = []
            for outcome in outcomes {
                if let error = outcome.error {
                    failures.append(advice(for: error, bootstrapServer: connection.bootstrapServer))
                } else if output == .text {
                    print("Deleted topic \(outcome.name).")
                }
            }
            if output == .json {
                print(JSONOutput.line(outcomes.map { ["topic": $0.name, "deleted": $0.error == nil, "error": JSONOutput.nullable($0.error?.code?.description)] as [String: Any] }))
            }
            if !failures.isEmpty { throw CommandFailure(failures.joined(separator: "\n")) }
        }
    }

    struct AlterConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alter-config", abstract: "Set or reset topic configs (IncrementalAlterConfigs).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic name.") var topic: String
        @Option(name: .customLong("set"), help: "Config key=value to set; repeatable.") var sets: [String] = []
        @Option(name: .customLong("delete"), help: "Config key to reset to its default; repeatable.") var deletes: [String] = []
        @Option(name: .customLong("add-partitions-to"), help: "Grow the topic to this many partitions.") var partitionCount: Int32?

        func validate() throws {
            _ = try KeyValueArgument.parseAll(sets, option: "--set")
            if sets.isEmpty && deletes.isEmpty && partitionCount == nil {
                throw ValidationError("give at least one --set key=value, --delete key or --add-partitions-to N")
            }
            if let partitionCount, partitionCount < 1 { throw ValidationError("--add-partitions-to must be at least 1") }
        }

        func run() async throws {
            let operations = try KeyValueArgument.parseAll(sets, option: "--set").map { ConfigOperation.set($0.key, $0.value) }
                + deletes.map { ConfigOperation.delete($0) }
            try await runClientCommand(connection) { client in
                let admin = KafkaAdmin(client: client)
                if !operations.isEmpty { try await admin.incrementalAlterConfigs(.topic(topic), operations) }
                if let partitionCount { try await admin.createPartitions(topic: topic, totalCount: partitionCount) }
            }
            print("Updated topic \(topic).")
        }
    }
}

/// Text and JSON views of topic metadata, kept apart from the commands so they can be tested.
enum TopicRendering {
    static func list(_ topics: [TopicMetadata], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONOutput.line(topics.map { ["name": $0.name, "partitions": $0.partitions.count, "internal": $0.isInternal] as [String: Any] })
        case .text:
            var table = TextTable(headers: ["TOPIC", "PARTITIONS", "REPLICAS"], alignments: [.left, .right, .right])
            for topic in topics {
                table.append([topic.name, String(topic.partitions.count), String(topic.partitions.first?.replicas.count ?? 0)])
            }
            return table.render()
        }
    }

    static func describe(_ topics: [(TopicMetadata, [ConfigEntry])], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONOutput.pretty(topics.map { topic, configs in
                [
                    "name": topic.name, "topicId": topic.topicId.description, "internal": topic.isInternal,
                    "partitions": topic.partitions.map {
                        ["partition": $0.partition, "leader": $0.leaderId, "leaderEpoch": $0.leaderEpoch, "replicas": $0.replicas, "isr": $0.inSyncReplicas] as [String: Any]
                    },
                    "configs": Dictionary(uniqueKeysWithValues: configs.map { ($0.name, JSONOutput.nullable($0.value)) }),
                ] as [String: Any]
            })
        case .text:
            var sections: [String] = []
            for (topic, configs) in topics {
                var lines = ["Topic: \(topic.name)  id: \(topic.topicId)  partitions: \(topic.partitions.count)"]
                var table = TextTable(headers: ["PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR"], alignments: [.right, .right, .right, .left, .left])
                for partition in topic.partitions {
                    table.append([
                        String(partition.partition), String(partition.leaderId), String(partition.leaderEpoch),
                        partition.replicas.map(String.init).joined(separator: ","),
                        partition.inSyncReplicas.map(String.init).joined(separator: ","),
                    ])
                }
                lines.append(table.render())
                if !configs.isEmpty {
                    var configTable = TextTable(headers: ["CONFIG", "VALUE", "SOURCE"])
                    for config in configs {
                        configTable.append([config.name, config.isSensitive ? "(sensitive)" : (config.value ?? "(null)"), config.source.description])
                    }
                    lines.append(configTable.render())
                }
                sections.append(lines.joined(separator: "\n"))
            }
            return sections.joined(separator: "\n\n")
        }
    }
}
