// End-to-end tests of the broker over real TCP: an in-process BrokerServer on an ephemeral port
// with a temporary data directory, driven through the generated codec.
import Broker
import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// A running broker in a fresh temporary directory, stopped (and optionally restarted) by tests.
final class TestBroker {
    let directory: String
    var server: BrokerServer!
    var settings: [(String, String)]

    init(settings: [(String, String)] = []) async throws {
        directory = NSTemporaryDirectory() + "brook-broker-tests-" + UUID().uuidString
        self.settings = settings
        try await start()
    }

    func start() async throws {
        var config = BrokerConfig()
        config.dataDirectory = directory
        config.listener = HostPort(host: "127.0.0.1", port: 0)
        config.numberOfThreads = 1
        for (key, value) in settings { try config.set(key, value) }
        server = try await BrokerServer(broker: KafkaBroker(config: config))
    }

    func restart() async throws {
        await server.shutdown()
        try await start()
    }

    var port: Int { server.boundAddress.port }

    func client() throws -> WireClient { try WireClient(port: port) }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The result of work done on another thread.
final class LockedOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<(FetchResponse.PartitionData, Double), Error>?

    func set(_ result: Result<(FetchResponse.PartitionData, Double), Error>) { lock.withLock { self.result = result } }

    func get() throws -> (FetchResponse.PartitionData, Double) {
        guard let result = lock.withLock({ self.result }) else { throw WireClientError.closed }
        return try result.get()
    }
}

/// Runs `body` against a fresh broker and always stops it afterwards.
func withBroker(settings: [(String, String)] = [], _ body: (TestBroker) async throws -> Void) async throws {
    let broker = try await TestBroker(settings: settings)
    do {
        try await body(broker)
    } catch {
        await broker.stop()
        throw error
    }
    await broker.stop()
}

func makeBatch(values: [String], key: String? = nil, producerId: Int64 = -1, producerEpoch: Int16 = -1,
               baseSequence: Int32 = -1, timestamp: Int64 = 1_700_000_000_000) throws -> ByteBuffer {
    let records = values.enumerated().map { index, value in
        Record(
            offset: Int64(index), timestamp: timestamp + Int64(index),
            key: key.map { ByteBuffer(string: $0) }, value: ByteBuffer(string: value), headers: [])
    }
    var buffer = ByteBuffer()
    try RecordBatch.encode(
        records: records, baseOffset: 0, compression: .none, producerId: producerId, producerEpoch: producerEpoch,
        baseSequence: baseSequence, into: &buffer)
    return buffer
}

func createTopic(_ client: WireClient, _ name: String, partitions: Int32 = 1, configs: [String: String] = [:]) throws
    -> CreateTopicsResponse.CreatableTopicResult
{
    let request = CreateTopicsRequest(
        topics: [.init(name: name, numPartitions: partitions, replicationFactor: 1,
                       configs: configs.map { .init(name: $0.key, value: $0.value) })],
        timeoutMs: 5000)
    return try client.send(request, version: 7).topics[0]
}

func produce(_ client: WireClient, _ topic: String, partition: Int32 = 0, _ records: ByteBuffer, acks: Int16 = 1)
    throws -> ProduceResponse.PartitionProduceResponse
{
    let request = ProduceRequest(
        acks: acks, timeoutMs: 5000,
        topicData: [.init(name: topic, partitionData: [.init(index: partition, records: records)])])
    return try client.send(request, version: 9).responses[0].partitionResponses[0]
}

func fetch(_ client: WireClient, _ topic: String, partition: Int32 = 0, offset: Int64, maxWaitMs: Int32 = 0,
           minBytes: Int32 = 1) throws -> FetchResponse.PartitionData
{
    let request = FetchRequest(
        maxWaitMs: maxWaitMs, minBytes: minBytes, maxBytes: 10_000_000, isolationLevel: 0,
        topics: [.init(topic: topic, partitions: [.init(partition: partition, fetchOffset: offset, partitionMaxBytes: 1_000_000)])])
    return try client.send(request, version: 12).responses[0].partitions[0]
}

func values(in records: ByteBuffer?) throws -> [String] {
    guard let records else { return [] }
    return try RecordBatch.decode(records).flatMap { batch in
        batch.records.map { String(buffer: $0.value ?? ByteBuffer()) }
    }
}

@Suite struct BrokerTests {
    @Test func apiVersionsListsOurWindowsAndRefusesNewerVersions() async throws {
        try await withBroker() { broker in
            let client = try broker.client()
            let response = try client.send(ApiVersionsRequest(clientSoftwareName: "t", clientSoftwareVersion: "1"), version: 3)
            #expect(response.errorCode == 0)
            let produce = response.apiKeys.first { $0.apiKey == ApiKey.produce.rawValue }
            #expect(produce?.minVersion == 0)
            #expect(response.apiKeys.first { $0.apiKey == ApiKey.fetch.rawValue }?.maxVersion == 12)
        }
    }

    @Test func produceThenFetchReturnsTheSameRecords() async throws {
        try await withBroker() { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "orders", partitions: 3).errorCode == 0)
            let first = try produce(client, "orders", partition: 1, try makeBatch(values: ["a", "b", "c"]))
            #expect(first.errorCode == 0)
            #expect(first.baseOffset == 0)
            let second = try produce(client, "orders", partition: 1, try makeBatch(values: ["d"]))
            #expect(second.baseOffset == 3)
            let fetched = try fetch(client, "orders", partition: 1, offset: 0)
            #expect(fetched.errorCode == 0)
            #expect(fetched.highWatermark == 4)
            #expect(try values(in: fetched.records) == ["a", "b", "c", "d"])
        }
    }

    @Test func errorsAreKafkaCodesAndTheConnectionStaysUsable() async throws {
        try await withBroker(settings: [("auto.create.topics.enable", "false")]) { broker in
            let client = try broker.client()
            #expect(try produce(client, "missing", try makeBatch(values: ["x"])).errorCode == ErrorCode.unknownTopicOrPartition.rawValue)
            #expect(try createTopic(client, "bad/name").errorCode == ErrorCode.invalidTopicException.rawValue)
            #expect(try createTopic(client, "t").errorCode == 0)
            #expect(try createTopic(client, "t").errorCode == ErrorCode.topicAlreadyExists.rawValue)
            #expect(try createTopic(client, "u", configs: ["retention.ms": "soon"]).errorCode == ErrorCode.invalidConfig.rawValue)

            var corrupt = try makeBatch(values: ["x"])
            corrupt.setInteger(UInt8(0xFF), at: corrupt.writerIndex - 1)
            #expect(try produce(client, "t", corrupt).errorCode == ErrorCode.corruptMessage.rawValue)

            let big = String(repeating: "x", count: 2 << 20)
            #expect(try produce(client, "t", try makeBatch(values: [big])).errorCode == ErrorCode.messageTooLarge.rawValue)
            #expect(try produce(client, "t", try makeBatch(values: ["fine"])).errorCode == 0)
            var twoBatches = try makeBatch(values: ["one"])
            var second = try makeBatch(values: ["two"])
            twoBatches.writeBuffer(&second)
            #expect(try produce(client, "t", twoBatches).errorCode == ErrorCode.invalidRecord.rawValue)
            #expect(try fetch(client, "t", offset: 5).errorCode == ErrorCode.offsetOutOfRange.rawValue)
        }
    }

    @Test func aMalformedFrameClosesOnlyItsConnection() async throws {
        try await withBroker() { broker in
            let good = try broker.client()
            #expect(try createTopic(good, "t").errorCode == 0)
            let oversized = try broker.client()
            try oversized.writeRaw([0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3])
            #expect(oversized.isClosedByPeer())
            let garbage = try broker.client()
            try garbage.writeRaw([0, 0, 0, 8, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0])
            #expect(garbage.isClosedByPeer())
            #expect(try produce(good, "t", try makeBatch(values: ["still here"])).errorCode == 0)
        }
    }

    @Test func idempotentRetryIsAcknowledgedWithItsOriginalOffset() async throws {
        try await withBroker() { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "t").errorCode == 0)
            let producer = try client.send(InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: -1), version: 4)
            #expect(producer.errorCode == 0)
            let batch = { (sequence: Int32, value: String) in
                try makeBatch(values: [value], producerId: producer.producerId, producerEpoch: producer.producerEpoch,
                          baseSequence: sequence)
            }
            #expect(try produce(client, "t", batch(0, "a")).baseOffset == 0)
            #expect(try produce(client, "t", batch(1, "b")).baseOffset == 1)
            let retry = try produce(client, "t", batch(1, "b"))
            #expect(retry.errorCode == 0)
            #expect(retry.baseOffset == 1)
            #expect(try produce(client, "t", batch(5, "gap")).errorCode == ErrorCode.outOfOrderSequenceNumber.rawValue)
            #expect(try fetch(client, "t", offset: 0).highWatermark == 2)
        }
    }

    @Test func longPollFetchWakesOnAppend() async throws {
        try await withBroker() { broker in
            let setup = try broker.client()
            #expect(try createTopic(setup, "t").errorCode == 0)
            let port = broker.port
            // The fetch blocks in recv(2) on a Dispatch thread, not on the Swift cooperative pool:
            // with parallel tests on two cores, a blocked pool thread would keep the producing
            // task from running until the fetch timed out.
            let finished = DispatchSemaphore(value: 0)
            let outcome = LockedOutcome()
            DispatchQueue.global().async {
                outcome.set(Result {
                    let consumer = try WireClient(port: port)
                    let start = Date()
                    let data = try fetch(consumer, "t", offset: 0, maxWaitMs: 5000)
                    return (data, Date().timeIntervalSince(start))
                })
                finished.signal()
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try produce(setup, "t", makeBatch(values: ["wake"])).errorCode == 0)
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    finished.wait()
                    continuation.resume()
                }
            }
            let (data, elapsed) = try outcome.get()
            #expect(try values(in: data.records) == ["wake"])
            #expect(elapsed < 4.0)
        }
    }

    @Test func topicsConfigsAndRecordsSurviveARestart() async throws {
        try await withBroker() { broker in
            var client = try broker.client()
            #expect(try createTopic(client, "kept", partitions: 2, configs: ["retention.ms": "3600000"]).errorCode == 0)
            #expect(try produce(client, "kept", partition: 1, try makeBatch(values: ["one", "two"])).errorCode == 0)
            try await broker.restart()
            client = try broker.client()
            let metadata = try client.send(MetadataRequest(topics: nil), version: 12)
            #expect(metadata.topics.first { $0.name == "kept" }?.partitions.count == 2)
            #expect(try values(in: fetch(client, "kept", partition: 1, offset: 0).records) == ["one", "two"])
            let described = try client.send(
                DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "kept", configurationKeys: ["retention.ms"])]),
                version: 4)
            #expect(described.results[0].configs.first?.value == "3600000")
        }
    }

    @Test func listOffsetsFindsEarliestLatestAndByTime() async throws {
        try await withBroker() { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "t").errorCode == 0)
            #expect(try produce(client, "t", try makeBatch(values: ["a", "b"], timestamp: 1000)).errorCode == 0)
            #expect(try produce(client, "t", try makeBatch(values: ["c"], timestamp: 5000)).errorCode == 0)
            func lookup(_ timestamp: Int64) throws -> Int64 {
                let request = ListOffsetsRequest(
                    replicaId: -1, topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: timestamp)])])
                return try client.send(request, version: 7).topics[0].partitions[0].offset
            }
            #expect(try lookup(-2) == 0)
            #expect(try lookup(-1) == 3)
            #expect(try lookup(4000) == 2)
            #expect(try lookup(9000) == -1)
            #expect(try lookup(-3) == 2)  // the record with the largest timestamp (5000)
        }
    }

    @Test func compactedTopicsRefuseRecordsWithoutKeys() async throws {
        try await withBroker { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "compacted", configs: ["cleanup.policy": "compact"]).errorCode == 0)
            #expect(try produce(client, "compacted", makeBatch(values: ["no key"])).errorCode == ErrorCode.invalidRecord.rawValue)
            #expect(try produce(client, "compacted", makeBatch(values: ["keyed"], key: "k")).errorCode == 0)
        }
    }

    @Test func alteredTopicConfigsAreValidatedAndDescribed() async throws {
        try await withBroker() { broker in
            let client = try broker.client()
            #expect(try createTopic(client, "t").errorCode == 0)
            let alter = { (name: String, value: String) in
                IncrementalAlterConfigsRequest(
                    resources: [.init(resourceType: 2, resourceName: "t", configs: [.init(name: name, configOperation: 0, value: value)])])
            }
            #expect(try client.send(alter("retention.bytes", "1048576"), version: 1).responses[0].errorCode == 0)
            #expect(try client.send(alter("retention.bytes", "lots"), version: 1).responses[0].errorCode == ErrorCode.invalidConfig.rawValue)
            #expect(try client.send(alter("no.such.key", "1"), version: 1).responses[0].errorCode == ErrorCode.invalidConfig.rawValue)
            let described = try client.send(
                DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configurationKeys: nil)]), version: 4)
            let retention = described.results[0].configs.first { $0.name == "retention.bytes" }
            #expect(retention?.value == "1048576")
            #expect(retention?.configSource == 1)
        }
    }
}
