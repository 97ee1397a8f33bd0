// `brook consume TOPIC --group G`: read as a member of consumer group G with KafkaConsumer.
//
// The group assigns partitions (range by default; `--assignor` picks others, in order of
// preference) and positions come from the group's committed offsets, else the log end, or the
// log start with `--from-beginning`. Positions are auto-committed; SIGTERM/SIGINT and
// `--max-messages` close the consumer cleanly (commit, then LeaveGroup) so the partitions move
// to the other members at once. Rebalances are reported on stderr, records on stdout.
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol

struct ConsumeGroupOptions: ParsableArguments {
    @Option(help: "Consume as a member of this consumer group.") var group: String?
    @Option(help: "Group mode: partition assignor (range, roundrobin, cooperative-sticky); repeat to offer several.")
    var assignor: [String] = []
    @Option(name: .customLong("group-instance-id"), help: "Group mode: static membership id.") var groupInstanceId: String?
    @Option(name: .customLong("session-timeout-ms"), help: "Group mode: session timeout.") var sessionTimeoutMilliseconds: Int32 = 45_000
    @Option(name: .customLong("heartbeat-interval-ms"), help: "Group mode: heartbeat interval.") var heartbeatIntervalMilliseconds: Int32 = 3_000

    func validate() throws {
        guard group != nil || (assignor.isEmpty && groupInstanceId == nil) else {
            throw ValidationError("--assignor and --group-instance-id need --group")
        }
        _ = try assignors()
    }

    func assignors() throws -> [ConsumerAssignor] {
        let names = assignor.isEmpty ? ["range"] : assignor
        return try names.map { name in
            guard let known = ConsumerAssignor.builtIn.first(where: { $0.name == name }) else {
                throw ValidationError("unknown assignor \(name); use \(ConsumerAssignor.builtIn.map(\.name).joined(separator: ", "))")
            }
            return known
        }
    }
}

extension ConsumeCommand {
    func runGroupMember() async throws {
        try await runClientCommand(connection) { client in
            let configuration = KafkaConsumer.Configuration(
                groupId: groupOptions.group, groupInstanceId: groupOptions.groupInstanceId, assignors: try groupOptions.assignors(),
                sessionTimeoutMilliseconds: groupOptions.sessionTimeoutMilliseconds,
                heartbeatIntervalMilliseconds: groupOptions.heartbeatIntervalMilliseconds,
                autoOffsetReset: fromBeginning ? .earliest : .latest,
                onRebalance: { event in
                    FileHandle.standardError.write(Data("brook: \(Self.describe(event))\n".utf8))
                })
            let consumer = try KafkaConsumer(client: client, configuration: configuration)
            try await consumer.subscribe(topics: [topic])
            let signals = Self.closeOnTerminationSignal(consumer)
            defer { signals.forEach { $0.cancel() } }
            var printed = 0
            do {
                for try await record in consumer.records {
                    // Unbuffered, so a reader on a pipe sees each record as it is consumed.
                    let line = RecordRendering.render(record, format: output, printKey: printKey, keySeparator: keySeparator)
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                    printed += 1
                    if let maxMessages, printed >= maxMessages { break }
                }
            } catch {
                await consumer.close()
                throw error
            }
            await consumer.close()
        }
    }

    static func describe(_ event: RebalanceEvent) -> String {
        switch event {
        case .assigned(let partitions): return "assigned [\(partitions.map(\.description).joined(separator: ","))]"
        case .revoked(let partitions): return "revoked [\(partitions.map(\.description).joined(separator: ","))]"
        case .lost(let partitions): return "lost [\(partitions.map(\.description).joined(separator: ","))]"
        }
    }

    /// SIGTERM and SIGINT close the consumer, which ends its record sequence and so the command.
    static func closeOnTerminationSignal(_ consumer: KafkaConsumer) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Task { await consumer.close() } }
            source.resume()
            return source
        }
    }
}
