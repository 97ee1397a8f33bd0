// `brook produce TOPIC`: one record per input line, from stdin or `--file`.
//
// With `--key-separator` each line is split at the first separator into key and value. Records
// are batched by KafkaProducer; delivery receipts are awaited in windows so memory stays bounded
// while many batches are in flight. A progress bar goes to stderr when reading a file on a terminal.
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore

struct CompressionArgument: ExpressibleByArgument, Equatable {
    var codec: CompressionCodec

    init?(argument: String) {
        switch argument.lowercased() {
        case "none": codec = .none
        case "gzip": codec = .gzip
        case "snappy": codec = .snappy
        case "lz4": codec = .lz4
        case "zstd": codec = .zstd
        default: return nil
        }
    }

    static var allValueStrings: [String] { ["none", "gzip", "snappy", "lz4", "zstd"] }
    var defaultValueDescription: String { Self.allValueStrings[codec.rawValue] }
}

struct AcksArgument: ExpressibleByArgument, Equatable {
    var acks: ProducerConfiguration.Acks

    init?(argument: String) {
        switch argument.lowercased() {
        case "0": acks = .none
        case "1": acks = .leader
        case "all", "-1": acks = .all
        default: return nil
        }
    }

    static var allValueStrings: [String] { ["0", "1", "all"] }
    var defaultValueDescription: String { acks.description }
}

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce", abstract: "Send lines from stdin or a file as records.")

    /// Receipts awaited at once; bounds the memory held for delivery results.
    static let receiptWindow = 10_000
    /// Lines read before handing them to the producer together.
    static let enqueueGroup = 500

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to write to.") var topic: String
    @Option(help: "Read records from this file instead of stdin.") var file: String?
    @Option(name: .customLong("key-separator"), help: "Split each line at the first occurrence into key and value.")
    var keySeparator: String?
    @Option(name: .customLong("header"), help: "Header key=value added to every record; repeatable.") var headers: [String] = []
    @Option(help: "none, gzip, snappy, lz4 or zstd.") var compression: CompressionArgument = CompressionArgument(argument: "none")!
    @Option(help: "Write every record to this partition (default: by key, sticky without key).") var partition: Int32?
    @Option(help: "0, 1 or all.") var acks: AcksArgument = AcksArgument(argument: "all")!
    @Option(name: .customLong("linger-ms"), help: "How long a batch waits for more records.") var lingerMilliseconds: Int64 = 5
    @Option(name: .customLong("batch-bytes"), help: "Largest batch per partition.") var batchBytes: Int = 1_000_000
    @Flag(name: .customLong("no-progress"), help: "Do not draw a progress bar for --file.") var noProgress = false
    @Option(help: "text or json (the summary).") var output: OutputFormat = .text

    func validate() throws {
        if let keySeparator, keySeparator.isEmpty { throw ValidationError("--key-separator must not be empty") }
        if let partition, partition < 0 { throw ValidationError("--partition must be 0 or more") }
        guard lingerMilliseconds >= 0 else { throw ValidationError("--linger-ms must be 0 or more") }
        guard batchBytes > 0 else { throw ValidationError("--batch-bytes must be positive") }
        _ = try KeyValueArgument.parseAll(headers, option: "--header")
        if let file, !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("cannot read --file \(file); check the path and its permissions")
        }
    }

    func run() async throws {
        let recordHeaders = try KeyValueArgument.parseAll(headers, option: "--header").map {
            RecordHeader(key: $0.key, value: ByteBuffer(string: $0.value))
        }
        let reader: LineReader
        if let file {
            guard let opened = LineReader(path: file) else { throw CommandFailure("Cannot open \(file); check the path.") }
            reader = opened
        } else {
            reader = LineReader(fileDescriptor: 0, totalBytes: nil)
        }
        let progress = file != nil && !noProgress && ProgressBar.stderrIsTerminal
            ? ProgressBar(totalBytes: reader.totalBytes ?? 0) : nil

        let configuration = ProducerConfiguration(
            acks: acks.acks, compression: compression.codec, lingerMilliseconds: lingerMilliseconds, batchBytesMax: batchBytes)
        let summary = try await runClientCommand(connection) { client in
            let producer = KafkaProducer(client: client, configuration: configuration)
            var summary = ProduceSummary()
            var receipts: [DeliveryReceipt] = []
            var lineNumber = 0
            var pending: [ProducerRecord] = []
            var isAtEnd = false
            while !isAtEnd {
                // Hand lines to the producer in groups: one hop onto the producer per group.
                pending.removeAll(keepingCapacity: true)
                while pending.count < Self.enqueueGroup {
                    guard let line = reader.nextLine() else {
                        isAtEnd = true
                        break
                    }
                    lineNumber += 1
                    let (key, value) = try split(line, lineNumber: lineNumber)
                    pending.append(ProducerRecord(topic: topic, partition: partition, key: key, value: value, headers: recordHeaders))
                }
                receipts += try await producer.enqueue(pending)
                if receipts.count >= Self.receiptWindow {
                    try await summary.collect(receipts)
                    receipts.removeAll(keepingCapacity: true)
                }
                progress?.update(bytesDone: reader.bytesRead, records: lineNumber)
            }
            await producer.close()
            try await summary.collect(receipts)
            progress?.finish(bytesDone: reader.bytesRead, records: lineNumber)
            return summary
        }
        switch output {
        case .text:
            let partitions = summary.partitions.keys.sorted().map { "\($0): \(summary.partitions[$0] ?? 0)" }.joined(separator: ", ")
            FileHandle.standardError.write(Data("Produced \(summary.count) records to \(topic)\(partitions.isEmpty ? "" : " (\(partitions))").\n".utf8))
        case .json:
            print(JSONOutput.line([
                "topic": topic, "records": summary.count,
                "partitions": Dictionary(uniqueKeysWithValues: summary.partitions.map { (String($0.key), $0.value) }),
            ] as [String: Any]))
        }
    }

    private func split(_ line: String, lineNumber: Int) throws -> (ByteBuffer?, ByteBuffer) {
        guard let keySeparator else { return (nil, ByteBuffer(string: line)) }
        guard let range = line.range(of: keySeparator) else {
            throw CommandFailure(
                "Line \(lineNumber) has no key separator \"\(keySeparator)\"; write key\(keySeparator)value or drop --key-separator.")
        }
        return (ByteBuffer(string: String(line[..<range.lowerBound])), ByteBuffer(string: String(line[range.upperBound...])))
    }
}

struct ProduceSummary {
    var count = 0
    var partitions: [Int32: Int] = [:]

    mutating func collect(_ receipts: [DeliveryReceipt]) async throws(KafkaError) {
        for receipt in receipts {
            let metadata = try await receipt.metadata()
            count += 1
            partitions[metadata.partition, default: 0] += 1
        }
    }
}
