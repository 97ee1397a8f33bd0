// Pure pieces of the producer and consumer: partition choice and selecting fetched records.
import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

/// A deterministic generator so sticky choices are reproducible.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state
    }
}

@Suite struct PartitionerTests {
    @Test func keyedRecordsFollowMurmur2() {
        var partitioner = Partitioner(generator: SeededGenerator(state: 1))
        for key in ["a", "orders-17", "", "ünïcode"] {
            let expected = kafkaPartition(forKey: Array(key.utf8), partitionCount: 6)
            #expect(Int(partitioner.partition(topic: "t", key: ByteBuffer(string: key), partitionCount: 6)) == expected)
        }
    }

    @Test func unkeyedRecordsStickUntilTheBatchIsSent() {
        var partitioner = Partitioner(generator: SeededGenerator(state: 7))
        let first = partitioner.partition(topic: "t", key: nil, partitionCount: 4)
        for _ in 0..<10 { #expect(partitioner.partition(topic: "t", key: nil, partitionCount: 4) == first) }
        partitioner.batchSent(topic: "t", partition: first, partitionCount: 4)
        let second = partitioner.partition(topic: "t", key: nil, partitionCount: 4)
        #expect(second != first)
        #expect((0..<4).contains(second))
        // Over many batches every partition gets used.
        var seen: Set<Int32> = [first, second]
        var current = second
        for _ in 0..<50 {
            partitioner.batchSent(topic: "t", partition: current, partitionCount: 4)
            current = partitioner.partition(topic: "t", key: nil, partitionCount: 4)
            seen.insert(current)
        }
        #expect(seen == [0, 1, 2, 3])
    }

    @Test func aSinglePartitionTopicAlwaysGetsPartitionZero() {
        var partitioner = Partitioner()
        #expect(partitioner.partition(topic: "t", key: nil, partitionCount: 1) == 0)
        partitioner.batchSent(topic: "t", partition: 0, partitionCount: 1)
        #expect(partitioner.partition(topic: "t", key: nil, partitionCount: 1) == 0)
    }
}

@Suite struct FetchedRecordsTests {
    private func batch(base: Int64, values: [String], isControl: Bool = false) throws -> RecordBatch {
        let records = values.enumerated().map { index, value in
            Record(timestamp: 1_000 + Int64(index), key: nil, value: ByteBuffer(string: value))
        }
        var buffer = ByteBuffer()
        try RecordBatch.encode(records: records, baseOffset: base, isControl: isControl, into: &buffer)
        return try RecordBatch.decodeBatch(buffer)
    }

    private func values(_ fetched: FetchedRecords) -> [String] {
        fetched.records.compactMap { $0.value.map { String(buffer: $0) } }
    }

    @Test func recordsBeforeTheRequestedOffsetInTheFirstBatchAreSkipped() throws {
        let batches = [try batch(base: 40, values: ["40", "41", "42", "43"]), try batch(base: 44, values: ["44"])]
        let fetched = FetchedRecords.select(from: batches, topic: "t", partition: 0, nextOffset: 42, stopOffset: nil)
        #expect(values(fetched) == ["42", "43", "44"])
        #expect(fetched.records.map(\.offset) == [42, 43, 44])
        #expect(fetched.nextOffset == 45)
    }

    @Test func controlBatchesAreSkippedButAdvanceThePosition() throws {
        let batches = [try batch(base: 0, values: ["a"]), try batch(base: 1, values: ["marker"], isControl: true), try batch(base: 2, values: ["b"])]
        let fetched = FetchedRecords.select(from: batches, topic: "t", partition: 0, nextOffset: 0, stopOffset: nil)
        #expect(values(fetched) == ["a", "b"])
        #expect(fetched.nextOffset == 3)
    }

    @Test func theStopOffsetCutsInsideABatch() throws {
        let batches = [try batch(base: 10, values: ["10", "11", "12", "13"])]
        let fetched = FetchedRecords.select(from: batches, topic: "t", partition: 0, nextOffset: 10, stopOffset: 12)
        #expect(values(fetched) == ["10", "11"])
        #expect(fetched.nextOffset == 12)
    }

    @Test func anEmptyFetchKeepsThePosition() {
        let fetched = FetchedRecords.select(from: [], topic: "t", partition: 0, nextOffset: 7, stopOffset: nil)
        #expect(fetched.records.isEmpty && fetched.nextOffset == 7)
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesUpToTheCapWithBoundedJitter() {
        let policy = KafkaClient.RetryPolicy(attemptsMax: 5, initialBackoffMilliseconds: 100, backoffMaxMilliseconds: 1_000)
        for (attempt, base) in [(1, Int64(100)), (2, 200), (3, 400), (4, 800), (5, 1_000), (30, 1_000)] {
            let delay = policy.backoffMilliseconds(attempt: attempt)
            #expect(delay >= base && delay <= base + base / 5)
        }
    }

    @Test func errorKindsDecideRetriability() {
        #expect(KafkaError(kind: .broker, code: .notLeaderOrFollower, context: "x").isRetriable)
        #expect(!KafkaError(kind: .broker, code: .topicAlreadyExists, context: "x").isRetriable)
        #expect(KafkaError(kind: .timedOut, context: "x").isRetriable)
        #expect(!KafkaError(kind: .invalidArgument, context: "x").isRetriable)
        #expect(KafkaError.broker(.none, context: "x") == nil)
        #expect(KafkaError(kind: .broker, code: .unknownTopicOrPartition, context: "looking up topic t").description
            .hasPrefix("looking up topic t: UNKNOWN_TOPIC_OR_PARTITION"))
    }
}
