// `brook bench client`: throughput of the Swift client against a running broker, for
// bench/client-bench.sh to put beside kcat's on the same broker in the same run.
//
// Produce: `--records` keyless records of `--record-bytes` random printable bytes to a fresh
// topic of `--partitions` partitions, through KafkaProducer (idempotent, acks=all, linger 5 ms,
// 1 MB batches, as the harness runs kcat), timed from the first enqueue until every record is
// acknowledged. Consume (`--consumer`): by default one KafkaConsumer assigned every partition
// (as `kcat -C` reads), or one that joins a fresh group (`group`), or one PartitionConsumer per
// partition (`partition`), from the beginning, timed until the last record arrives; the count
// must equal `--records`. `--phase produce|consume` runs one half alone (consume needs `--topic`
// holding `--records` records), so a profiler such as callgrind sees only that half.
// Besides records/s it prints the process's CPU time per record for each half (user + system,
// from getrusage): on this shared machine that figure moves far less than wall-clock rates, so
// it is what a change to the client's hot paths is judged by.
// Figures only; it fails only when records go missing or the broker refuses.
import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    @Option(help: "Which consumer reads the records back: assigned (KafkaConsumer.assign), group (KafkaConsumer.subscribe) or partition (PartitionConsumer per partition).")
    var consumer: ConsumerKind = .assigned
    @Option(help: "all, produce (produce only; keeps the topic) or consume (read --records records from --topic).")
    var phase: Phase = .all

    enum ConsumerKind: String, ExpressibleByArgument, CaseIterable { case assigned, group, partition }
    enum Phase: String, ExpressibleByArgument, CaseIterable { case all, produce, consume }

    func validate() throws {
        guard records > 0, records <= Self.recordsMax else { throw ValidationError("--records must be 1...\(Self.recordsMax)") }
        guard recordBytes > 0, recordBytes <= Self.recordBytesMax else {
            throw ValidationError("--record-bytes must be 1...\(Self.recordBytesMax)")
        }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
        if phase == .consume, topic == nil { throw ValidationError("--phase consume needs --topic") }
    }

    func run() async throws {
        let topicName = topic ?? "bench-swift-\(UInt32.random(in: 0...UInt32.max))"
        let values = Self.makeValues(count: min(records, 4096), bytes: recordBytes)
        let (produced, consumed) = try await runClientCommand(connection) { client in
            let admin = KafkaAdmin(client: client)
            var produced: Measurement?
            var consumed: Measurement?
            if phase != .consume {
                try await admin.createTopic(name: topicName, partitionCount: partitions)
                produced = try await Measurement.take { (try await produce(client: client, topic: topicName, values: values), records) }
            }
            if phase != .produce {
                consumed = try await Measurement.take { try await consume(client: client, topic: topicName) }
            }
            if topic == nil, phase == .all { try? await admin.deleteTopic(topicName) }
            return (produced, consumed)
        }
        if let consumed, consumed.records != records {
            throw CommandFailure("read back \(consumed.records) records of the \(records) produced to \(topicName)")
        }
        switch output {
        case .text:
            if let produced { print("swift produce: " + produced.text) }
            if let consumed { print("swift consume (\(consumer.rawValue)): " + consumed.text) }
        case .json:
            var fields: [String: Any] = [
                "records": records, "record_bytes": recordBytes, "partitions": Int(partitions), "consumer": consumer.rawValue,
            ]
            for (name, measurement) in [("produce", produced), ("consume", consumed)] {
                guard let measurement else { continue }
                fields["\(name)_seconds"] = measurement.seconds
                fields["\(name)_rps"] = measurement.recordsPerSecond
                fields["\(name)_cpu_us_per_record"] = measurement.cpuMicrosecondsPerRecord
            }
            print(JSONOutput.line(fields))
        }
    }

    /// One half of the run: wall-clock time and the process's CPU time while it ran.
    struct Measurement {
        var records: Int
        var seconds: Double
        var cpuSeconds: Double

        var recordsPerSecond: Double { Double(records) / seconds }
        var cpuMicrosecondsPerRecord: Double { cpuSeconds * 1e6 / Double(max(1, records)) }
        var text: String {
            String(
                format: "%d records in %.3f s = %.0f records/s; client CPU %.3f s = %.2f us/record", records, seconds,
                recordsPerSecond, cpuSeconds, cpuMicrosecondsPerRecord)
        }

        /// Runs `body`, which returns (wall seconds it timed, records it handled).
        static func take(_ body: () async throws -> (Double, Int)) async rethrows -> Measurement {
            let cpuBefore = processCPUSeconds()
            let (seconds, records) = try await body()
            return Measurement(records: records, seconds: seconds, cpuSeconds: processCPUSeconds() - cpuBefore)
        }

        /// User + system CPU time of the whole process (every thread) so far.
        static func processCPUSeconds() -> Double {
            var usage = rusage()
            #if canImport(Glibc)
            let who = __rusage_who_t(RUSAGE_SELF.rawValue)
            #else
            let who = RUSAGE_SELF
            #endif
            guard getrusage(who, &usage) == 0 else { return .nan }
            func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
    }

    /// Distinct random printable values, reused round-robin (as the harness's record file is random text).
    static func makeValues(count: Int, bytes: Int) -> [ByteBuffer] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(bytes)
            // Eight bytes per draw: one getrandom call per byte made setup take seconds.
            var bits: UInt64 = 0
            for index in 0..<bytes {
                if index % 8 == 0 { bits = generator.next() }
                buffer.writeInteger(UInt8(33 + (bits & 0xFF) % 94))
                bits >>= 8
            }
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
        switch consumer {
        case .partition: return try await consumeWithPartitionConsumers(client: client, topic: topic)
        case .assigned, .group: return try await consumeWithKafkaConsumer(client: client, topic: topic)
        }
    }

    /// One KafkaConsumer reading every partition until `records` records arrived.
    private func consumeWithKafkaConsumer(client: KafkaClient, topic: String) async throws -> (Double, Int) {
        let isGroup = consumer == .group
        let kafkaConsumer = try KafkaConsumer(
            client: client,
            configuration: .init(
                groupId: isGroup ? "bench-swift-\(UInt32.random(in: 0...UInt32.max))" : nil, autoOffsetReset: .earliest,
                enableAutoCommit: false))
        let clock = ContinuousClock()
        let start = clock.now
        if isGroup {
            try await kafkaConsumer.subscribe(topics: [topic])
        } else {
            try await kafkaConsumer.assign((0..<partitions).map { TopicPartition(topic: topic, partition: $0) })
        }
        var count = 0
        for try await _ in kafkaConsumer.records {
            count += 1
            if count == records { break }
        }
        let elapsed = clock.now - start
        await kafkaConsumer.close()
        return (Self.seconds(elapsed), count)
    }

    private func consumeWithPartitionConsumers(client: KafkaClient, topic: String) async throws -> (Double, Int) {
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
