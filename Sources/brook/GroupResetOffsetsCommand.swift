// `brook group reset-offsets GROUP --topic T [--partition N] SPEC [--dry-run | --execute]`.
//
// Like Kafka's `kafka-consumer-groups.sh --reset-offsets`: exactly one target (--to-earliest,
// --to-latest, --to-offset N, --to-datetime ISO8601, --shift-by N); without --execute the plan
// (topic, partition, current offset, new offset) is printed and nothing changes. The group must
// have no members — a running consumer would overwrite the new offsets with its next commit.
import ArgumentParser
import KafkaClient
import KafkaProtocol

extension GroupCommand {
    struct ResetOffsets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-offsets",
            abstract: "Move a group's committed offsets (prints the plan unless --execute is given).",
            discussion: "The group must have no active members. New offsets are kept inside the partition's [log start, log end].")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group id.") var group: String
        @Option(help: "Topic whose offsets to move.") var topic: String
        @Option(name: .customLong("partition"), help: "Only this partition; repeatable (default: all).") var partitions: [Int32] = []
        @Flag(name: .customLong("to-earliest"), help: "Move to the log start.") var toEarliest = false
        @Flag(name: .customLong("to-latest"), help: "Move to the log end.") var toLatest = false
        @Option(name: .customLong("to-offset"), help: "Move to this offset.") var toOffset: Int64?
        @Option(
            name: .customLong("to-datetime"),
            help: "Move to the first record at or after this ISO-8601 time (e.g. 2024-05-01T12:00:00Z); the log end if none.")
        var toDatetime: String?
        @Option(name: .customLong("shift-by"), parsing: .unconditional, help: "Move the committed offset by N records (negative: back).")
        var shiftBy: Int64?
        @Flag(name: .customLong("dry-run"), help: "Only print the plan (the default).") var dryRun = false
        @Flag(help: "Commit the new offsets.") var execute = false
        @Option(help: "text or json.") var output: OutputFormat = .text

        static let specOptions = "--to-earliest, --to-latest, --to-offset, --to-datetime or --shift-by"

        func validate() throws {
            guard !group.isEmpty else { throw ValidationError("a group id cannot be empty") }
            let specCount = [toEarliest, toLatest, toOffset != nil, toDatetime != nil, shiftBy != nil].filter { $0 }.count
            guard specCount == 1 else {
                throw ValidationError(
                    specCount == 0 ? "say where to move the offsets: give one of \(Self.specOptions)" : "give only one of \(Self.specOptions)")
            }
            guard !(dryRun && execute) else { throw ValidationError("use either --dry-run or --execute, not both") }
            if let toOffset, toOffset < 0 { throw ValidationError("--to-offset must be 0 or more") }
            if let negative = partitions.first(where: { $0 < 0 }) { throw ValidationError("--partition \(negative) must be 0 or more") }
            do { try TopicName.validate(topic) } catch { throw ValidationError("\(error.detail ?? "invalid topic name"): \"\(topic)\"") }
            _ = try spec
        }

        var spec: OffsetResetSpec {
            get throws {
                if toEarliest { return .earliest }
                if toLatest { return .latest }
                if let toOffset { return .offset(toOffset) }
                if let shiftBy { return .shift(shiftBy) }
                if let toDatetime {
                    do {
                        return .timestamp(try ISO8601Timestamp.parseMilliseconds(toDatetime))
                    } catch {
                        throw ValidationError("--to-datetime: \(error.description)")
                    }
                }
                throw ValidationError("say where to move the offsets: give one of \(Self.specOptions)")
            }
        }

        func run() async throws {
            let spec = try spec
            let plan = try await runGroupCommand(connection) { admin in
                let plan = try await admin.planOffsetReset(
                    group: group, topic: topic, partitions: partitions.isEmpty ? nil : Array(Set(partitions)).sorted(), to: spec)
                if execute { try await admin.executeOffsetReset(group: group, plan: plan) }
                return plan
            }
            print(GroupRendering.resetPlan(plan, group: group, executed: execute, format: output))
        }
    }
}

extension GroupRendering {
    static func resetPlan(_ plan: [OffsetResetPlanEntry], group: String, executed: Bool, format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONOutput.line([
                "group": group, "executed": executed,
                "partitions": plan.map {
                    [
                        "topic": $0.topicPartition.topic, "partition": Int($0.topicPartition.partition),
                        "currentOffset": JSONOutput.nullable($0.currentOffset), "newOffset": $0.newOffset,
                    ] as [String: Any]
                },
            ] as [String: Any])
        case .text:
            var table = TextTable(
                headers: ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"], alignments: [.left, .left, .right, .right, .right])
            for entry in plan {
                table.append([
                    group, entry.topicPartition.topic, String(entry.topicPartition.partition), entry.currentOffset.map(String.init) ?? "-",
                    String(entry.newOffset),
                ])
            }
            let note = executed ? "Committed the new offsets of group \(group)." : "Dry run: nothing changed. Add --execute to commit these offsets."
            return table.render() + "\n\n" + note
        }
    }
}
