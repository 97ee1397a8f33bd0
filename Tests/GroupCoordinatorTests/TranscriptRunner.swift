// Replays datadriven transcripts (etcd/raft style) against `GroupCoordinatorCore`.
//
// A transcript is a text file of blocks: a command line, a `----` line, the expected output and a
// blank line. Lines starting with `#` outside blocks are comments. The runner keeps a clock (it
// starts at 0; `tick N` moves it forward N ms), numbers requests r1, r2, ... in command order and
// prints, per command: records to persist (each also round-tripped through the byte codec), then
// responses, then the next deadline. With BROOK_REWRITE=1 the expected outputs are rewritten.
//
// Commands (bytes are written as text; `t1` stands for the bytes of "t1"):
//   join <group> [member=<id>] [instance=<id>] [client=<id>] [host=<h>] [session=<ms>]
//        [rebalance=<ms>] [type=<protocol type>] [protocols=<name>:<metadata>,...] [v3] [skip-assignment]
//   sync <group> gen=<n> member=<id> [instance=<id>] [type=<t>] [protocol=<p>] [assign=<member>:<bytes>,...]
//   heartbeat <group> gen=<n> member=<id> [instance=<id>]
//   leave <group> <member>[/<instance>] ...        (an empty member before `/` removes by instance id)
//   commit <group> gen=<n> [member=<id>] [instance=<id>] <topic>-<partition>=<offset>[/<metadata>] ...
//   fetch <group> [<topic>-<partition> ...]
//   delete-offsets <group> <topic>-<partition> ...
//   delete-groups <group> ...
//   join "" ... passes an empty group id; metadata and assignments may be 0x-prefixed hex.
//   describe <group> | list [states=<State>,...] | tick <ms>
//   replay    rebuilds a fresh coordinator from every record so far, compares it, then continues on it

import GroupCoordinator

struct TranscriptBlock {
    var leadingComments: [String]
    var command: String
    var expected: String
}

enum TranscriptParser {
    static func parse(_ text: String) -> (blocks: [TranscriptBlock], trailingComments: [String]) {
        var blocks: [TranscriptBlock] = []
        var comments: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("#") || line.trimmingCharacters(in: " ").isEmpty {
                if line.hasPrefix("#") { comments.append(line) }
                index += 1
                continue
            }
            var expected: [String] = []
            index += 1
            if index < lines.count && lines[index] == "----" {
                index += 1
                while index < lines.count && !lines[index].isEmpty {
                    expected.append(lines[index])
                    index += 1
                }
            }
            blocks.append(TranscriptBlock(leadingComments: comments, command: line, expected: expected.joined(separator: "\n")))
            comments = []
        }
        return (blocks, comments)
    }

    static func render(_ blocks: [TranscriptBlock], trailingComments: [String]) -> String {
        var out = ""
        for block in blocks {
            for comment in block.leadingComments { out += comment + "\n" }
            out += block.command + "\n----\n"
            if !block.expected.isEmpty { out += block.expected + "\n" }
            out += "\n"
        }
        for comment in trailingComments { out += comment + "\n" }
        return out
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// Runs commands against one coordinator and formats what comes out.
struct TranscriptRunner {
    var core = GroupCoordinatorCore(configuration: TranscriptRunner.configuration, memberIdSalt: "t")
    var now: Int64 = 0
    var nextRequest: UInt64 = 1
    var answered: Set<RequestId> = []
    var issued: Set<RequestId> = []
    var allRecords: [CoordinatorRecord] = []
    var replays = 0

    static let configuration: GroupCoordinatorConfiguration = {
        var configuration = GroupCoordinatorConfiguration()
        configuration.groupMembersMax = 4
        return configuration
    }()

    mutating func execute(_ line: String) -> String {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "error: empty command" }
        // `list` and `replay` name no group; give them an empty one so `key=value` parses as such.
        let rest = Array(words.dropFirst())
        let arguments = Arguments(verb == "list" || verb == "replay" ? [""] + rest : rest)
        switch verb {
        case "join": return request { $0.core.join(arguments.joinInput(), requestId: $1, nowMilliseconds: $0.now) }
        case "sync": return request { $0.core.sync(arguments.syncInput(), requestId: $1, nowMilliseconds: $0.now) }
        case "heartbeat":
            return request { $0.core.heartbeat(arguments.heartbeatInput(), requestId: $1, nowMilliseconds: $0.now) }
        case "leave": return request { $0.core.leave(arguments.leaveInput(), requestId: $1, nowMilliseconds: $0.now) }
        case "commit":
            return request { $0.core.commitOffsets(arguments.commitInput(), requestId: $1, nowMilliseconds: $0.now) }
        case "delete-offsets":
            return request {
                $0.core.deleteOffsets(
                    groupId: arguments.group, partitions: arguments.positional.compactMap(Arguments.topicPartition),
                    requestId: $1, nowMilliseconds: $0.now)
            }
        case "delete-groups":
            return request { $0.core.deleteGroups([arguments.group] + arguments.positional, requestId: $1, nowMilliseconds: $0.now) }
        case "tick":
            now += Int64(arguments.group) ?? 0
            return format(core.tick(nowMilliseconds: now))
        case "fetch":
            let partitions = arguments.positional.compactMap(Arguments.topicPartition)
            return core.fetchOffsets(groupId: arguments.group, partitions: partitions.isEmpty ? nil : partitions)
                .map { "\($0.topicPartition) offset=\($0.offset) epoch=\($0.leaderEpoch) metadata=\($0.metadata) \($0.errorCode)" }
                .joined(separator: "\n")
        case "describe":
            guard let description = core.describe(groupId: arguments.group) else { return "unknown group" }
            return Self.format(description)
        case "list":
            let states = arguments.named["states"].map { Set($0.split(separator: ",").compactMap { GroupState(rawValue: String($0)) }) }
            return core.listGroups(states: states).map { "\($0.groupId) \($0.state) type=\($0.protocolType)" }.joined(separator: "\n")
        case "replay":
            return replay()
        default:
            return "error: unknown command \(verb)"
        }
    }

    private mutating func request(_ body: (inout TranscriptRunner, RequestId) -> GroupCoordinatorOutput) -> String {
        let requestId = RequestId(nextRequest)
        nextRequest += 1
        issued.insert(requestId)
        return format(body(&self, requestId))
    }

    private mutating func format(_ output: GroupCoordinatorOutput) -> String {
        var lines: [String] = []
        for record in output.records {
            allRecords.append(record)
            lines.append(Self.format(record))
            do {
                let decoded = try CoordinatorRecord.decode(key: record.encodeKey(), value: record.encodeValue())
                if decoded != record { lines.append("ROUND-TRIP MISMATCH: \(decoded)") }
            } catch {
                lines.append("ROUND-TRIP FAILED: \(error)")
            }
        }
        for addressed in output.responses {
            if !issued.contains(addressed.requestId) { lines.append("RESPONSE TO UNKNOWN REQUEST") }
            if !answered.insert(addressed.requestId).inserted { lines.append("SECOND RESPONSE TO ONE REQUEST") }
            lines.append("r\(addressed.requestId.rawValue) " + Self.format(addressed.response))
        }
        if let deadline = output.nextDeadlineMilliseconds {
            lines.append("next-deadline \(deadline) (in \(deadline - now))")
        }
        return lines.joined(separator: "\n")
    }

    /// Rebuilds a coordinator from the records so far and checks it matches the live one.
    private mutating func replay() -> String {
        replays += 1
        var restored = GroupCoordinatorCore(configuration: Self.configuration, memberIdSalt: "replay\(replays)")
        for record in allRecords {
            guard let decoded = try? CoordinatorRecord.decode(key: record.encodeKey(), value: record.encodeValue()) else {
                return "undecodable record \(record)"
            }
            restored.replay(decoded, nowMilliseconds: now)
        }
        var lines = ["replayed \(allRecords.count) records"]
        let liveGroups = core.listGroups().map(\.groupId)
        let restoredGroups = restored.listGroups().map(\.groupId)
        if liveGroups != restoredGroups { lines.append("groups differ: live \(liveGroups) restored \(restoredGroups)") }
        for groupId in liveGroups {
            let live = core.describe(groupId: groupId)
            let back = restored.describe(groupId: groupId)
            lines.append(live == back ? "\(groupId) matches" : "\(groupId) differs: restored \(back.map(Self.format) ?? "nil")")
        }
        lines.append(core.offsets == restored.offsets ? "offsets match" : "offsets differ")
        core = restored
        if let deadline = core.nextDeadlineMilliseconds { lines.append("next-deadline \(deadline) (in \(deadline - now))") }
        return lines.joined(separator: "\n")
    }

    // MARK: Formatting

    static func text(_ bytes: [UInt8]) -> String {
        if bytes.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        return "0x" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func format(_ response: GroupResponse) -> String {
        switch response {
        case .join(let result):
            guard result.errorCode == .none else { return "join \(result.errorCode) member=\(result.memberId)" }
            var line = "join NONE gen=\(result.generationId) member=\(result.memberId) leader=\(result.leader)"
            line += " protocol=\(result.protocolType ?? "null")/\(result.protocolName ?? "null")"
            if result.skipAssignment { line += " skip-assignment" }
            if !result.members.isEmpty {
                let members = result.members.map { "\($0.memberId)\($0.groupInstanceId.map { "(\($0))" } ?? ""):\(text($0.metadata))" }
                line += " members=[\(members.joined(separator: " "))]"
            }
            return line
        case .sync(let result):
            guard result.errorCode == .none else { return "sync \(result.errorCode)" }
            return "sync NONE protocol=\(result.protocolType ?? "null")/\(result.protocolName ?? "null") assignment=\(text(result.assignment))"
        case .heartbeat(let errorCode):
            return "heartbeat \(errorCode)"
        case .leave(let result):
            let members = result.members.map { "\($0.memberId)/\($0.groupInstanceId ?? ""):\($0.errorCode)" }
            return "leave \(result.errorCode) [\(members.joined(separator: " "))]"
        case .offsetCommit(let results):
            return "commit [\(results.map { "\($0.topicPartition):\($0.errorCode)" }.joined(separator: " "))]"
        case .offsetDelete(let result):
            return "delete-offsets \(result.errorCode) [\(result.partitions.map { "\($0.topicPartition):\($0.errorCode)" }.joined(separator: " "))]"
        case .deleteGroups(let results):
            return "delete-groups [\(results.map { "\($0.groupId):\($0.errorCode)" }.joined(separator: " "))]"
        }
    }

    static func format(_ record: CoordinatorRecord) -> String {
        switch record {
        case .offsetCommit(let key, nil):
            return "record offset \(key.groupId) \(key.topicPartition) tombstone"
        case .offsetCommit(let key, let value?):
            return "record offset \(key.groupId) \(key.topicPartition) offset=\(value.offset) epoch=\(value.leaderEpoch) metadata=\(value.metadata) time=\(value.commitTimestampMilliseconds)"
        case .groupMetadata(let groupId, nil):
            return "record group \(groupId) tombstone"
        case .groupMetadata(let groupId, let value?):
            var line = "record group \(groupId) gen=\(value.generationId) type=\(value.protocolType)"
            line += " protocol=\(value.protocolName ?? "null") leader=\(value.leader ?? "null") time=\(value.currentStateTimestampMilliseconds)"
            let members = value.members.map {
                "\($0.memberId)\($0.groupInstanceId.map { "(\($0))" } ?? "") client=\($0.clientId) session=\($0.sessionTimeoutMilliseconds) rebalance=\($0.rebalanceTimeoutMilliseconds) sub=\(text($0.subscription)) assign=\(text($0.assignment))"
            }
            return line + " members=[\(members.joined(separator: ", "))]"
        }
    }

    static func format(_ description: GroupDescription) -> String {
        var lines = [
            "\(description.groupId) \(description.state) gen=\(description.generationId) type=\(description.protocolType) protocol=\(description.protocolName) leader=\(description.leaderId ?? "null")"
        ]
        for member in description.members {
            lines.append(
                "  \(member.memberId)\(member.groupInstanceId.map { "(\($0))" } ?? "") client=\(member.clientId) host=\(member.clientHost) metadata=\(text(member.metadata)) assignment=\(text(member.assignment))"
            )
        }
        return lines.joined(separator: "\n")
    }
}

/// A command's arguments: the group (first word), `key=value` pairs and other positional words.
struct Arguments {
    var group = ""
    var named: [String: String] = [:]
    var flags: Set<String> = []
    var positional: [String] = []

    init(_ words: [String]) {
        for (index, word) in words.enumerated() {
            if index == 0 {
                group = word == "\"\"" ? "" : word
            } else if let equals = word.firstIndex(of: "="), Arguments.topicPartition(String(word[..<equals])) == nil {
                named[String(word[..<equals])] = String(word[word.index(after: equals)...])
            } else if word == "v3" || word == "skip-assignment" {
                flags.insert(word)
            } else {
                positional.append(word)
            }
        }
    }

    func int32(_ key: String, _ fallback: Int32) -> Int32 { named[key].flatMap { Int32($0) } ?? fallback }

    /// Text as its UTF-8 bytes, or `0x`-prefixed hex as raw bytes.
    static func bytes(_ text: String) -> [UInt8] {
        guard text.hasPrefix("0x"), text.count > 2, text.count % 2 == 0 else { return Array(text.utf8) }
        let digits = Array(text.dropFirst(2))
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return Array(text.utf8) }
            bytes.append(byte)
        }
        return bytes
    }

    /// `topic-3` → (topic, 3), splitting at the last dash.
    static func topicPartition(_ text: String) -> TopicPartition? {
        guard let dash = text.lastIndex(of: "-"), let partition = Int32(text[text.index(after: dash)...]) else { return nil }
        return TopicPartition(topic: String(text[..<dash]), partition: partition)
    }

    func joinInput() -> JoinGroupInput {
        let protocols = (named["protocols"] ?? "range").split(separator: ",").map { entry -> GroupProtocol in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            return GroupProtocol(name: parts[0], metadata: Arguments.bytes(parts.count > 1 ? parts[1] : ""))
        }
        return JoinGroupInput(
            groupId: group, memberId: named["member"] ?? "", groupInstanceId: named["instance"],
            clientId: named["client"] ?? "c", clientHost: named["host"] ?? "/127.0.0.1",
            sessionTimeoutMilliseconds: int32("session", 10_000), rebalanceTimeoutMilliseconds: int32("rebalance", 30_000),
            protocolType: named["type"] ?? "consumer", protocols: protocols, requireKnownMemberId: !flags.contains("v3"),
            supportsSkippingAssignment: flags.contains("skip-assignment"))
    }

    func syncInput() -> SyncGroupInput {
        let assignments = (named["assign"] ?? "").split(separator: ",").map { entry -> MemberAssignment in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            return MemberAssignment(memberId: parts[0], assignment: Arguments.bytes(parts.count > 1 ? parts[1] : ""))
        }
        return SyncGroupInput(
            groupId: group, generationId: int32("gen", -1), memberId: named["member"] ?? "",
            groupInstanceId: named["instance"], protocolType: named["type"], protocolName: named["protocol"],
            assignments: assignments)
    }

    func heartbeatInput() -> HeartbeatInput {
        HeartbeatInput(
            groupId: group, generationId: int32("gen", -1), memberId: named["member"] ?? "", groupInstanceId: named["instance"])
    }

    func leaveInput() -> LeaveGroupInput {
        let members = positional.map { word -> LeavingMember in
            let parts = word.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return LeavingMember(memberId: parts[0], groupInstanceId: parts.count > 1 ? parts[1] : nil)
        }
        return LeaveGroupInput(groupId: group, members: members)
    }

    func commitInput() -> OffsetCommitInput {
        let entries = positional.compactMap { word -> OffsetCommitEntry? in
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let topicPartition = Arguments.topicPartition(parts[0]) else { return nil }
            let value = parts[1].split(separator: "/", maxSplits: 1).map(String.init)
            guard let offset = Int64(value[0]) else { return nil }
            return OffsetCommitEntry(topicPartition: topicPartition, offset: offset, metadata: value.count > 1 ? value[1] : "")
        }
        return OffsetCommitInput(
            groupId: group, generationId: int32("gen", -1), memberId: named["member"] ?? "",
            groupInstanceId: named["instance"], offsets: entries)
    }
}
