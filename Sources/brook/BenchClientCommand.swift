// `brook bench client`: throughput of the Swift client against a running broker, for
// bench/client-bench.sh to put beside kcat's on the same broker in the same run.
//
// Produce: `--records` keyless records of `--record-bytes` random printable bytes to a fresh
// topic of `--partitions` partitions, through KafkaProducer (idempotent, acks=all, linger 5 ms,
// 1 MB batches, as the harness runs kcat), timed from the first enqueue until every record is
// acknowledged. Consume: one PartitionConsumer per partition, all at once, from the beginning
// to the log end, timed until the last record arrives; the count must equal `--records`.
// Figures only; it fails only when records go missing or the broker refuses.
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore

struct BenchClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Measure Swift producer and consumer throughput against a broker, in records/s.")

    /// Records handed to the producer per call (one hop onto the producer actor per group).
    static let enqueueGroup = 1_000
    /// Largest run accepted, so a typo cannot fill the broker's disk.
    static let recordsMax = 100_000_000
    static let recordBytesMax = 1_000_000

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Records to produce and then consume.") var records: Int = 1_000_000
    @Option(name: .customLong("record-bytes"), help: "Bytes of each record's value.") var recordBytes: Int = 100
    @Option(help: "Partitions of the benchmark topic.") var partitions: Int32 = 6
    @Option(help: "Topic name (default: a fresh bench-swift-<random> topic, deleted afterwards).") var topic: String?
    @Option(name: .customLong("linger-ms"), help: "Producer linger.") var lingerMilliseconds: Int64 = 5
    @Option(name: .customLong("batch-bytes"), help: "Producer batch size.") var batchBytes: Int = 1_000_000
    @Flag(name: .customLong("no-idempotence"), help: "Produce without idempotence (acks stay all).") var noIdempotence = false
    @Option(help: "text or json.") var output: OutputFormat = .text

    func validate() throws {
        guard records > 0, records <= Self.recordsMax else { throw ValidationError("--records must be 1...\(Self.recordsMax)") }
        guard recordBytes > 0, recordBytes <= Self.recordBytesMax else {
            throw ValidationError("--record-bytes must be 1...\(Self.recordBytesMax)")
        }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
    }

    func run() async throws {
        let topicName = topic ?? "bench-swift-\(UInt32.random(in: 0...UInt32.max))"
        let values = Self.makeValues(count: min(records, 4096), bytes: recordBytes)
        let (produceSeconds, consumeSeconds, consumed) = try await runClientCommand(connection) { client in
            let admin = KafkaAdmin(client: client)
            try await admin.createTopic(name: topicName, partitionCount: partitions)
            let produceSeconds = try await produce(client: client, topic: topicName, values: values)
            let (consumeSeconds, consumed) = try await consume(client: client, topic: topicName)
            if topic == nil { try? await admin.deleteTopic(topicName) }
            return (produceSeconds, consumeSeconds, consumed)
        }
        guard consumed == records else {
            throw CommandFailure("read back \(consumed) records of the \(records) produced to \(topicName)")
        }
        let produceRate = Double(records) / produceSeconds
        let consumeRate = Double(records) / consumeSeconds
        switch output {
        case .text:
            print(String(format: "swift produce: %d records in %.3f s = %.0f records/s", records, produceSeconds, produceRate))
            print(String(format: "swift consume: %d records in %.3f s = %.0f records/s", records, consumeSeconds, consumeRate))
        case .json:
            print(JSONOutput.line([
                "records": records, "record_bytes": recordBytes, "partitions": Int(partitions),
                "produce_seconds": produceSeconds, "produce_rps": produceRate,
                "consume_seconds": consumeSeconds, "consume_rps": consumeRate,
            ] as [String: Any]))
        }
    }

    /// Distinct random printable values, reused round-robin (as the harness's record file is random text).
    static func makeValues(count: Int, bytes: Int) -> [ByteBuffer] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(bytes)
            for _ in 0..<bytes { buffer.writeInteger(UInt8.random(in: 33...126, using: &generator)) }
            return buffer
        }
    }

    private func produce(client: KafkaClient, topic: String, values: [ByteBuffer]) async throws -> Double {
        let producer = KafkaProducer(
            client: client,
            configuration: .init(
                enableIdempotence: !noIdempotence, lingerMilliseconds: lingerMilliseconds, batchBytesMax: batchBytes))
        let clock = ContinuousClock()
        let start = clock.now
        var receipts: [DeliveryReceipt] = []
        var group: [ProducerRecord] = []
        group.reserveCapacity(Self.enqueueGroup)
        var sent = 0
        while sent < records {
            group.removeAll(keepingCapacity: true)
            while group.count < Self.enqueueGroup, sent < records {
                group.append(ProducerRecord(topic: topic, value: values[sent % values.count]))
                sent += 1
            }
            receipts += try await producer.enqueue(group)
            // Check receipts as they come so a failure stops the run and memory stays bounded.
            if receipts.count >= 100_000 {
                for receipt in receipts { _ = try await receipt.metadata() }
                receipts.removeAll(keepingCapacity: true)
            }
        }
        await producer.flush()
        for receipt in receipts { _ = try await receipt.metadata() }
        let elapsed = clock.now - start
        await producer.close()
        return Self.seconds(elapsed)
    }

    private func consume(client: KafkaClient, topic: String) async throws -> (Double, Int) {
        let clock = ContinuousClock()
        let start = clock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for partition in 0..<partitions {
                tasks.addTask {
                    var count = 0
                    for try await _ in PartitionConsumer(client: client, topic: topic, partition: partition, start: .earliest, end: .logEndAtStart) {
                        count += 1
                    }
                    return count
                }
            }
            var total = 0
            for try await count in tasks { total += count }
            return total
        }
        return (Self.seconds(clock.now - start), count)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
