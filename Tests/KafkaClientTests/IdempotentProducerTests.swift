// The idempotent producer against the real Brook broker, proven on the batches the broker
// stored: producer id, epoch and sequence numbers in the log, no duplicate after answers are
// lost (the connection is cut by a proxy after the broker stored a batch), send order kept
// with five batches in flight, acks checked, and a clean flush when a ServiceGroup shuts down.
import Broker
import Foundation
import KafkaProtocol
import Logging
import NIOCore
import ServiceLifecycle
import Testing

@testable import KafkaClient

/// A broker that advertises a proxy in front of it, so every client connection goes through
/// the proxy and the proxy can cut them.
private func withProxiedBroker(_ body: (KafkaClient, FaultInjectingProxy) async throws -> Void) async throws {
    let proxy = try await FaultInjectingProxy()
    let directory = NSTemporaryDirectory() + "brook-idempotence-tests-" + UUID().uuidString
    var config = BrokerConfig()
    config.dataDirectory = directory
    config.listener = HostPort(host: "127.0.0.1", port: 0)
    config.advertisedListener = HostPort(host: "127.0.0.1", port: proxy.port)
    config.numberOfThreads = 1
    let server = try await BrokerServer(broker: KafkaBroker(config: config))
    proxy.setUpstream(port: server.boundAddress.port)
    var connection = KafkaConnection.Configuration()
    connection.requestTimeoutMilliseconds = 5_000
    let client = KafkaClient(
        configuration: .init(
            bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: proxy.port)], connection: connection,
            retry: .init(attemptsMax: 6, initialBackoffMilliseconds: 10, backoffMaxMilliseconds: 100)))
    var failure: (any Error)?
    do {
        try await body(client, proxy)
    } catch {
        failure = error
    }
    await client.shutdown()
    await server.shutdown()
    await proxy.shutdown()
    try? FileManager.default.removeItem(atPath: directory)
    if let failure { throw failure }
}

/// Every batch of a partition as the broker stored it, read with raw Fetch requests.
func storedBatches(client: KafkaClient, topic: String, partition: Int32) async throws -> [RecordBatch] {
    let leader = try await client.leader(topic: topic, partition: partition)
    var batches: [RecordBatch] = []
    var offset: Int64 = 0
    while true {
        let request = FetchRequest(
            replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 8 * 1024 * 1024, isolationLevel: 0, sessionId: 0,
            sessionEpoch: -1,
            topics: [
                FetchRequest.FetchTopic(
                    topic: topic,
                    partitions: [FetchRequest.FetchPartition(partition: partition, fetchOffset: offset, partitionMaxBytes: 8 * 1024 * 1024)])
            ])
        let response = try await client.send(request, toBroker: leader)
        let data = try #require(response.responses.first?.partitions.first)
        let fetched = try data.records.map { try RecordBatch.decode($0) } ?? []
        let fresh = fetched.filter { $0.header.lastOffset >= offset }
        guard let last = fresh.last else { return batches }
        batches += fresh
        offset = last.header.lastOffset + 1
        if offset >= data.highWatermark { return batches }
    }
}

private func values(of batches: [RecordBatch]) -> [String] {
    batches.flatMap { $0.records.map { $0.value.map { String(buffer: $0) } ?? "" } }
}

/// Checks what idempotence promises about the stored batches: one producer id and epoch, and
/// sequences that start at 0 and follow each batch's record count without gap or overlap.
private func expectContiguousSequences(_ batches: [RecordBatch]) {
    guard let first = batches.first else {
        Issue.record("no batches stored")
        return
    }
    #expect(first.header.producerId >= 0)
    #expect(batches.allSatisfy { $0.header.producerId == first.header.producerId })
    #expect(batches.allSatisfy { $0.header.producerEpoch == first.header.producerEpoch })
    var expected: Int32 = 0
    for batch in batches {
        #expect(batch.header.baseSequence == expected, "batch at offset \(batch.header.baseOffset)")
        expected += batch.header.recordCount
    }
}

@Suite struct IdempotentProducerTests {
    @Test func lostAnswersAreRetriedWithoutStoringABatchTwice() async throws {
        try await withProxiedBroker { client, proxy in
            try await KafkaAdmin(client: client).createTopic(name: "payments", partitionCount: 1)
            // Cut the connection instead of delivering three Produce answers: each time the
            // broker has stored the batch and the producer must retry it blind.
            proxy.cut(atProduceAnswers: [2, 7, 15])
            let producer = KafkaProducer(
                client: client, configuration: .init(lingerMilliseconds: 1, batchBytesMax: 1_200))
            let recordCount = 1_500
            var receipts: [DeliveryReceipt] = []
            for index in 0..<recordCount {
                receipts.append(try await producer.enqueue(topic: "payments", value: ByteBuffer(string: "payment-\(index)")))
            }
            var offsets: [Int64] = []
            for receipt in receipts { offsets.append(try await receipt.metadata().offset) }
            await producer.close()

            #expect(proxy.cuts == 3)
            let batches = try await storedBatches(client: client, topic: "payments", partition: 0)
            // Every record exactly once, in send order; the retries reached the broker (more
            // Produce requests than stored batches) and were recognised as duplicates.
            #expect(values(of: batches) == (0..<recordCount).map { "payment-\($0)" })
            #expect(proxy.produceRequests > batches.count)
            expectContiguousSequences(batches)
            // A receipt whose answer was lost learns its offset from the duplicate's answer or
            // not at all (-1); none may claim another record's offset.
            let known = offsets.enumerated().filter { $0.element >= 0 }
            #expect(known.allSatisfy { Int64($0.offset) == $0.element })
            #expect(known.count >= recordCount / 2)
        }
    }

    @Test func fiveBatchesInFlightKeepSendOrderAcrossPartitions() async throws {
        try await withProxiedBroker { client, proxy in
            try await KafkaAdmin(client: client).createTopic(name: "clicks", partitionCount: 3)
            proxy.cut(atProduceAnswers: [4])
            let producer = KafkaProducer(client: client, configuration: .init(lingerMilliseconds: 2, batchBytesMax: 600))
            var receipts: [(partition: Int32, value: String, receipt: DeliveryReceipt)] = []
            for index in 0..<900 {
                let partition = Int32(index % 3)
                let value = "click-\(index)"
                receipts.append(
                    (partition, value, try await producer.enqueue(topic: "clicks", partition: partition, value: ByteBuffer(string: value))))
            }
            for entry in receipts {
                let metadata = try await entry.receipt.metadata()
                #expect(metadata.partition == entry.partition)
            }
            await producer.close()
            #expect(proxy.produceInFlightMax > 1)
            #expect(proxy.produceInFlightMax <= 3 * ProducerConfiguration.idempotentInFlightBatchesMax)
            for partition in Int32(0)..<3 {
                let batches = try await storedBatches(client: client, topic: "clicks", partition: partition)
                #expect(values(of: batches) == receipts.filter { $0.partition == partition }.map(\.value))
                expectContiguousSequences(batches)
            }
        }
    }

    @Test func idempotenceNeedsAcksAll() async throws {
        #expect(ProducerConfiguration().enableIdempotence)
        #expect(!ProducerConfiguration(acks: .leader).enableIdempotence)
        let conflicting = ProducerConfiguration(acks: .leader, enableIdempotence: true)
        #expect(throws: KafkaError.self) { try conflicting.validate() }
        #expect(throws: KafkaError.self) { try ProducerConfiguration(inFlightBatchesPerPartitionMax: 6).validate() }
        try ProducerConfiguration(acks: .all).validate()

        let client = try KafkaClient(bootstrapServers: "127.0.0.1:1")
        let producer = KafkaProducer(client: client, configuration: conflicting)
        do {
            _ = try await producer.send(topic: "t", value: ByteBuffer(string: "x"))
            Issue.record("a producer with idempotence and acks=1 must refuse to send")
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.description.contains("acks=all"))
        }
        await client.shutdown()
    }

    @Test func sequenceRulesFollowJavasProducer() {
        let lost = KafkaError(kind: .connectionClosed, context: "test")
        let notLeader = KafkaError(kind: .broker, code: .notLeaderOrFollower, context: "test")
        let outOfOrder = KafkaError(kind: .broker, code: .outOfOrderSequenceNumber, context: "test")
        let tooLarge = KafkaError(kind: .broker, code: .messageTooLarge, context: "test")
        let duplicate = KafkaError(kind: .broker, code: .duplicateSequenceNumber, context: "test")
        let unknownProducer = KafkaError(kind: .broker, code: .unknownProducerId, context: "test")
        func disposition(_ error: KafkaError, sent: Int32 = 10, expected: Int32 = 10) -> BatchDisposition {
            ProducerSequence.disposition(of: error, isIdempotent: true, sentSequence: sent, expectedSequence: expected)
        }
        #expect(disposition(lost) == .retry(outcomeUnknown: true))
        #expect(disposition(notLeader) == .retry(outcomeUnknown: false))
        #expect(disposition(duplicate) == .complete(baseOffset: -1, logAppendTime: -1))
        // Behind a failed batch, out-of-order is expected; at the expected sequence it is a real gap.
        #expect(disposition(outOfOrder, sent: 15, expected: 10) == .retry(outcomeUnknown: false))
        #expect(disposition(outOfOrder, sent: 10, expected: 10) == .failAndBumpEpoch)
        #expect(disposition(unknownProducer) == .retryAfterEpochBump)
        #expect(disposition(tooLarge) == .failClosingGap)
        #expect(
            ProducerSequence.disposition(of: duplicate, isIdempotent: false, sentSequence: -1, expectedSequence: 0)
                == .failClosingGap)
        #expect(ProducerSequence.adding(Int32.max, 1) == 0)
        #expect(ProducerSequence.adding(Int32.max - 1, 5) == 3)
        #expect(ProducerSequence.subtracting(2, 5) == Int32.max - 2)
    }

    @Test func serviceGroupShutdownFlushesTheProducer() async throws {
        try await withProxiedBroker { client, _ in
            try await KafkaAdmin(client: client).createTopic(name: "audit", partitionCount: 2)
            // A long linger: without the flush on shutdown these records would still be waiting.
            let producer = KafkaProducer(client: client, configuration: .init(lingerMilliseconds: 60_000))
            var receipts: [DeliveryReceipt] = []
            for index in 0..<50 {
                receipts.append(try await producer.enqueue(topic: "audit", key: ByteBuffer(string: "k\(index)"), value: ByteBuffer(string: "\(index)")))
            }
            let group = ServiceGroup(services: [client, producer], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            for receipt in receipts { #expect(try await receipt.metadata().offset >= 0) }
            await #expect(throws: KafkaError.self) { try await producer.send(topic: "audit", value: ByteBuffer(string: "late")) }
        }
    }
}

