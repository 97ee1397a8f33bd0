// `brook group list|describe|delete|reset-offsets`: consumer-group administration over KafkaAdmin.
//
// Failures become one sentence with what to do next; group-specific broker codes (no such
// group, group still has members) get their own advice before falling back to the general one.
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "List, describe and delete consumer groups, and reset their offsets.",
        subcommands: [List.self, Describe.self, Delete.self, ResetOffsets.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consumer groups.")

        @OptionGroup var connection: ConnectionOptions
        @Option(
            name: .customLong("state"),
            help: "Only groups in this state (Empty, Stable, PreparingRebalance, CompletingRebalance, Dead); repeatable or comma-separated.")
        var states: [String] = []
        @Option(help: "text or json.") var output: OutputFormat = .text

        var parsedStates: Set<ConsumerGroupState> {
            get throws {
                var parsed: Set<ConsumerGroupState> = []
                for name in states.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let state = ConsumerGroupState(parsing: name) else {
                        throw ValidationError(
                            "--state \"\(name)\" is not a group state; use one of \(ConsumerGroupState.known.map(\.name).joined(separator: ", "))")
                    }
                    parsed.insert(state)
                }
                return parsed
            }
        }

        func validate() throws {
            _ = try parsedStates
        }

        func run() async throws {
            let states = try parsedStates
            let groups = try await runGroupCommand(connection) { admin in try await admin.listGroups(states: states) }
            print(GroupRendering.list(groups, format: output))
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a group's state, members and, per partition, committed offset, log end offset and lag.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group ids.") var groups: [String]
        @Option(help: "text or json.") var output: OutputFormat = .text

        func validate() throws {
            guard !groups.isEmpty else { throw ValidationError("name at least one group to describe") }
            if groups.contains("") { throw ValidationError("a group id cannot be empty") }
        }

        func run() async throws {
            let described = try await runGroupCommand(connection) { admin in
                var results: [(ConsumerGroupDescription, [PartitionLag])] = []
                for description in try await admin.describeGroups(groups) {
                    guard description.exists else {
                        throw CommandFailure("Group \(description.groupId) does not exist. List groups with `brook group list`.")
                    }
                    results.append((description, try await admin.groupLag(description.groupId)))
                }
                return results
            }
            print(GroupRendering.describe(described, format: output))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete consumer groups that have no members, with their offsets.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group ids.") var groups: [String]
        @Option(help: "text or json.") var output: OutputFormat = .text

        func validate() throws {
            guard !groups.isEmpty else { throw ValidationError("name at least one group to delete") }
            if groups.contains("") { throw ValidationError("a group id cannot be empty") }
        }

        func run() async throws {
            let outcomes = try await runGroupCommand(connection) { admin in try await admin.deleteGroups(groups) }
            var failures: [String] = []
            for outcome in outcomes {
                if let error = outcome.error {
                    failures.append(groupAdvice(for: error, bootstrapServer: connection.bootstrapServer))
                } else if output == .text {
                    print("Deleted group \(outcome.groupId).")
                }
            }
            if output == .json {
                print(
                    JSONOutput.line(
                        outcomes.map {
                            ["group": $0.groupId, "deleted": $0.error == nil, "error": JSONOutput.nullable($0.error?.code?.description)] as [String: Any]
                        }))
            }
            if !failures.isEmpty { throw CommandFailure(failures.joined(separator: "\n")) }
        }
    }
}

/// Runs a group command body with an admin client; group errors get group-specific advice.
func runGroupCommand<Result>(_ options: ConnectionOptions, _ body: (KafkaAdmin) async throws -> Result) async throws -> Result {
    try await runClientCommand(options) { client in
        do {
            return try await body(KafkaAdmin(client: client))
        } catch let error as KafkaError {
            throw CommandFailure(groupAdvice(for: error, bootstrapServer: options.bootstrapServer))
        }
    }
}

/// One sentence for a failed group operation: what failed, why, and what to do about it.
func groupAdvice(for error: KafkaError, bootstrapServer: String) -> String {
    guard error.kind == .broker, let code = error.code else { return advice(for: error, bootstrapServer: bootstrapServer) }
    let what = error.context.prefix(1).uppercased() + error.context.dropFirst()
    let detail = error.detail.map { " (\($0))" } ?? ""
    let hint: String
    switch code {
    case .groupIdNotFound: hint = "Check the name with `brook group list`."
    case .nonEmptyGroup, .unknownMemberId, .illegalGeneration, .rebalanceInProgress:
        hint = "Stop the group's consumers (or wait for their sessions to expire), check with `brook group describe`, then try again."
    case .invalidGroupId: hint = "Use a non-empty group id."
    case .groupAuthorizationFailed: hint = "Ask an operator for access to the group."
    case .unknownTopicOrPartition: hint = "Check the topic with `brook topic describe`."
    default: return advice(for: error, bootstrapServer: bootstrapServer)
    }
    return "\(what) failed: \(code)\(detail). \(hint)"
}

/// Text and JSON views of groups, kept apart from the commands so they can be tested.
enum GroupRendering {
    static func list(_ groups: [ConsumerGroupListing], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONOutput.line(groups.map { ["group": $0.groupId, "state": $0.state.name, "protocolType": $0.protocolType] as [String: Any] })
        case .text:
            var table = TextTable(headers: ["GROUP", "STATE", "PROTOCOL-TYPE"])
            for group in groups { table.append([group.groupId, group.state.name, group.protocolType.isEmpty ? "-" : group.protocolType]) }
            return table.render()
        }
    }

    static func describe(_ groups: [(ConsumerGroupDescription, [PartitionLag])], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONOutput.pretty(groups.map { description, lags in describeJSON(description, lags) })
        case .text:
            return groups.map { describeText($0.0, $0.1) }.joined(separator: "\n\n")
        }
    }

    /// "orders:0,1,2 payments:3"; "-" for none, "?" for an assignment that is not the consumer protocol's.
    static func partitionList(_ member: ConsumerGroupMember) -> String {
        guard member.assignmentIsReadable else { return "?" }
        guard !member.assignedPartitions.isEmpty else { return "-" }
        var byTopic: [(topic: String, partitions: [Int32])] = []
        for partition in member.assignedPartitions.sorted() {
            if let last = byTopic.indices.last, byTopic[last].topic == partition.topic {
                byTopic[last].partitions.append(partition.partition)
            } else {
                byTopic.append((partition.topic, [partition.partition]))
            }
        }
        return byTopic.map { "\($0.topic):\($0.partitions.map(String.init).joined(separator: ","))" }.joined(separator: " ")
    }

    private static func describeText(_ description: ConsumerGroupDescription, _ lags: [PartitionLag]) -> String {
        var protocolText = description.protocolType.isEmpty ? "-" : description.protocolType
        if !description.protocolName.isEmpty { protocolText += "/" + description.protocolName }
        var lines = [
            "Group \(description.groupId)  state \(description.state)  protocol \(protocolText)  coordinator \(description.coordinatorId)",
            "",
        ]
        if description.members.isEmpty {
            lines.append("No active members.")
        } else {
            var members = TextTable(headers: ["MEMBER-ID", "CLIENT-ID", "HOST", "PARTITIONS"])
            for member in description.members {
                members.append([member.memberId, member.clientId, member.host, partitionList(member)])
            }
            lines.append(members.render())
        }
        lines.append("")
        if lags.isEmpty {
            lines.append("No committed offsets.")
        } else {
            var offsets = TextTable(
                headers: ["TOPIC", "PARTITION", "COMMITTED-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID"],
                alignments: [.left, .right, .right, .right, .right, .left])
            func text(_ value: Int64?) -> String { value.map(String.init) ?? "-" }
            for lag in lags {
                offsets.append([
                    lag.topicPartition.topic, String(lag.topicPartition.partition), text(lag.committedOffset), text(lag.logEndOffset),
                    text(lag.lag), lag.memberId ?? "-",
                ])
            }
            lines.append(offsets.render())
        }
        return lines.joined(separator: "\n")
    }

    private static func describeJSON(_ description: ConsumerGroupDescription, _ lags: [PartitionLag]) -> [String: Any] {
        [
            "group": description.groupId, "state": description.state.name, "protocolType": description.protocolType,
            "protocol": description.protocolName, "coordinator": Int(description.coordinatorId),
            "members": description.members.map { member in
                [
                    "memberId": member.memberId, "groupInstanceId": JSONOutput.nullable(member.groupInstanceId),
                    "clientId": member.clientId, "host": member.host,
                    "assignment": member.assignmentIsReadable
                        ? member.assignedPartitions.map { ["topic": $0.topic, "partition": Int($0.partition)] as [String: Any] } as Any
                        : JSONOutput.nullable(nil),
                ] as [String: Any]
            },
            "offsets": lags.map { lag in
                [
                    "topic": lag.topicPartition.topic, "partition": Int(lag.topicPartition.partition),
                    "committedOffset": JSONOutput.nullable(lag.committedOffset), "logEndOffset": JSONOutput.nullable(lag.logEndOffset),
                    "lag": JSONOutput.nullable(lag.lag), "memberId": JSONOutput.nullable(lag.memberId),
                ] as [String: Any]
            },
        ]
    }
}
