// `brook consume TOPIC`: print records from one partition or all of them.
//
// Start: `--from-beginning`, `--offset N`, `--from ISO8601` (ListOffsets by time), or by default
// the log end (new records only). Stop: `--to ISO8601`, `--max-messages N`, `--exit-at-end`, or
// never. Each partition is read by its own PartitionConsumer; records are printed as they come.
// With `--group G` the command is a group member instead (see ConsumeGroupMode.swift).
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consume", abstract: "Print records from a topic.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to read.") var topic: String
    @Option(help: "Read only this partition (default: all).") var partition: Int32?
    @Flag(name: .customLong("from-beginning"), help: "Start at the earliest offset.") var fromBeginning = false
    @Option(help: "Start at this offset.") var offset: Int64?
    @Option(help: "Start at the first record at or after this ISO-8601 time (e.g. 2024-05-01T12:00:00Z).") var from: String?
    @Option(help: "Stop before the first record at or after this ISO-8601 time.") var to: String?
    @Option(name: .customLong("max-messages"), help: "Stop after this many records.") var maxMessages: Int?
    @Flag(name: .customLong("exit-at-end"), help: "Stop at the end of the log instead of waiting for more.") var exitAtEnd = false
    @Flag(name: .customLong("print-key"), help: "Text output: print key, separator, value.") var printKey = false
    @Option(name: .customLong("key-separator"), help: "Text output: separator between key and value.") var keySeparator = "\t"
    @Option(help: "text (values) or json (one object per line).") var output: OutputFormat = .text
    @OptionGroup var groupOptions: ConsumeGroupOptions

    func validate() throws {
        let starts = [fromBeginning, offset != nil, from != nil].filter { $0 }.count
        guard starts <= 1 else { throw ValidationError("use only one of --from-beginning, --offset and --from") }
        if let offset, offset < 0 { throw ValidationError("--offset must be 0 or more") }
        if let partition, partition < 0 { throw ValidationError("--partition must be 0 or more") }
        if let maxMessages, maxMessages < 1 { throw ValidationError("--max-messages must be at least 1") }
        if groupOptions.group != nil {
            guard partition == nil, offset == nil, from == nil, to == nil, !exitAtEnd else {
                throw ValidationError("with --group the group assigns partitions and positions: drop --partition, --offset, --from, --to and --exit-at-end")
            }
        }
        try groupOptions.validate()
        do {
            if let from { _ = try ISO8601Timestamp.parseMilliseconds(from) }
            if let to { _ = try ISO8601Timestamp.parseMilliseconds(to) }
        } catch {
            throw ValidationError(error.description)
        }
    }

    var startPosition: PartitionConsumer.StartPosition {
        get throws {
            if fromBeginning { return .earliest }
            if let offset { return .offset(offset) }
            if let from { return .timestamp(try ISO8601Timestamp.parseMilliseconds(from)) }
            return .latest
        }
    }

    var endPosition: PartitionConsumer.EndPosition {
        get throws {
            if let to { return .timestamp(try ISO8601Timestamp.parseMilliseconds(to)) }
            return exitAtEnd ? .logEndAtStart : .never
        }
    }

    func run() async throws {
        if groupOptions.group != nil { return try await runGroupMember() }
        let start = try startPosition
        let end = try endPosition
        try await runClientCommand(connection) { client in
            let topicMetadata = try await KafkaAdmin(client: client).describeTopics([topic])[0]
            let partitions: [Int32]
            if let partition {
                guard topicMetadata.partition(partition) != nil else {
                    throw CommandFailure("Topic \(topic) has no partition \(partition); it has partitions 0...\(topicMetadata.partitions.count - 1).")
                }
                partitions = [partition]
            } else {
                partitions = topicMetadata.partitions.map(\.partition)
            }
            let (stream, continuation) = AsyncThrowingStream<ConsumerRecord, any Error>.makeStream()
            let readers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for partition in partitions {
                        group.addTask {
                            do {
                                for try await record in PartitionConsumer(client: client, topic: topic, partition: partition, start: start, end: end) {
                                    continuation.yield(record)
                                }
                            } catch {
                                continuation.finish(throwing: error)
                            }
                        }
                    }
                }
                continuation.finish()
            }
            var printed = 0
            do {
                for try await record in stream {
                    print(RecordRendering.render(record, format: output, printKey: printKey, keySeparator: keySeparator))
                    printed += 1
                    if let maxMessages, printed >= maxMessages { break }
                }
            } catch {
                readers.cancel()
                throw error
            }
            readers.cancel()
        }
    }
}

/// Text and JSON lines for consumed records, kept apart from the command so they can be tested.
enum RecordRendering {
    static func render(_ record: ConsumerRecord, format: OutputFormat, printKey: Bool, keySeparator: String) -> String {
        switch format {
        case .text:
            let value = record.value.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
            guard printKey else { return value }
            let key = record.key.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
            return key + keySeparator + value
        case .json:
            let object: [String: Any] = [
                "topic": record.topic,
                "partition": Int(record.partition),
                "offset": record.offset,
                "timestamp": record.timestamp,
                "key": jsonBytes(record.key),
                "value": jsonBytes(record.value),
                "headers": record.headers.map { ["key": $0.key, "value": jsonBytes($0.value)] as [String: Any] },
            ]
            return JSONOutput.line(object)
        }
    }

    /// A UTF-8 string as itself; other bytes as {"base64": "..."}; nil as null.
    static func jsonBytes(_ buffer: ByteBuffer?) -> Any {
        guard let buffer else { return NSNull() }
        let bytes = Array(buffer.readableBytesView)
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return ["base64": Data(bytes).base64EncodedString()]
    }
}
