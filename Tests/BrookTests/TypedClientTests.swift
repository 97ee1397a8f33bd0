// Typed producers and consumers end to end over an EmbeddedCluster (broker + registry in
// process): round trips with the built-in serializers and through the registry, a v1 reader
// reading v2 data and the reverse, poison records that surface as failures with their location
// while the stream goes on, subject name strategies, use-latest, and JSON Schema validation that
// refuses a bad record before anything is sent.
import Avro
import Brook
import BrookEmbedded
import Foundation
import KafkaClient
import NIOCore
import SchemaRegistryClient
import Testing

let orderV1 = """
    {"type":"record","name":"OrderPlaced","namespace":"shop","fields":[
      {"name":"id","type":"string"},{"name":"amountCents","type":"long"}]}
    """
let orderV2 = """
    {"type":"record","name":"OrderPlaced","namespace":"shop","fields":[
      {"name":"id","type":"string"},{"name":"amountCents","type":"long"},
      {"name":"currency","type":"string","default":"EUR"}]}
    """

/// A hand-written Swift type for OrderPlaced v1, converted through the generic datum.
struct OrderPlacedV1: Equatable, Sendable {
    var id: String
    var amountCents: Int64

    static let format: AvroFormat<OrderPlacedV1> = {
        let schema = try! AvroSchema.parse(orderV1)  // A constant of this test file; it parses.
        return AvroFormat(
            schema: schema, toAvroValue: { .record([.string($0.id), .long($0.amountCents)]) },
            fromAvroValue: { value throws(AvroValueError) in
                guard case .record(let fields) = value, fields.count == 2, case .string(let id) = fields[0], case .long(let amount) = fields[1]
                else { throw AvroValueError(kind: .typeMismatch, path: "", message: "not an OrderPlaced v1 record") }
                return OrderPlacedV1(id: id, amountCents: amount)
            })
    }()
}

/// Everything a test needs: the cluster, a client, a raw producer and the registry.
struct Harness: Sendable {
    let cluster: EmbeddedCluster
    let client: KafkaClient
    let rawProducer: KafkaProducer
    let registry: CachedSchemaRegistry

    static func with(_ body: (Harness) async throws -> Void) async throws {
        try await EmbeddedCluster.with { cluster in
            let client = try cluster.makeClient()
            let registry = try cluster.makeRegistryClient()
            let harness = Harness(
                cluster: cluster, client: client, rawProducer: KafkaProducer(client: client, configuration: .init(lingerMilliseconds: 0)),
                registry: registry)
            do {
                try await body(harness)
            } catch {
                await harness.close()
                throw error
            }
            await harness.close()
        }
    }

    func close() async {
        await rawProducer.close()
        await registry.client.shutdown()
        await client.shutdown()
    }

    func createTopic(_ name: String, partitions: Int32 = 1) async throws {
        try await KafkaAdmin(client: client).createTopic(name: name, partitionCount: partitions)
    }

    /// Every record of partition 0 up to the current log end, deserialized.
    func readAll<Key: Sendable, Value: Sendable>(
        _ topic: String, keys: some Deserializer<Key>, values: some Deserializer<Value>
    ) async throws -> [Result<ConsumedRecord<Key, Value>, BrookError>] {
        let partition = PartitionConsumer(client: client, topic: topic, partition: 0, start: .earliest, end: .logEndAtStart)
        var results: [Result<ConsumedRecord<Key, Value>, BrookError>] = []
        for try await result in partition.deserialized(keys: keys, values: values) { results.append(result) }
        return results
    }
}

extension Result {
    var success: Success? { if case .success(let value) = self { value } else { nil } }
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}

@Suite(.serialized) struct TypedClientTests {
    @Test func builtInSerializersRoundTripThroughAGroupConsumer() async throws {
        try await Harness.with { harness in
            try await harness.createTopic("counts", partitions: 2)
            let producer = Producer(producer: harness.rawProducer, keySerializer: StringSerializer(), valueSerializer: IntSerializer())
            for index in 0..<6 { _ = try await producer.send(to: "counts", key: "k\(index)", value: index * 1_000_000_007) }
            _ = try await producer.send(to: "counts", key: "gone", value: nil)

            let consumer = try Consumer(
                client: harness.client,
                configuration: KafkaConsumer.Configuration(
                    groupId: "typed-\(UUID().uuidString)", sessionTimeoutMilliseconds: 6_000, heartbeatIntervalMilliseconds: 100,
                    autoOffsetReset: .earliest, enableAutoCommit: false, fetchMaxWaitMilliseconds: 100),
                keyDeserializer: StringDeserializer(), valueDeserializer: IntDeserializer())
            try await consumer.subscribe(topics: ["counts"])
            var received: [String: Int?] = [:]
            let deadline = ContinuousClock.now + .seconds(20)
            while received.count < 7, ContinuousClock.now < deadline {
                for result in try await consumer.poll(timeoutMilliseconds: 100) {
                    let record = try result.get()
                    received[record.key ?? "?"] = record.value
                }
            }
            await consumer.close()
            #expect(received.count == 7)
            for index in 0..<6 { #expect(received["k\(index)"] == .some(index * 1_000_000_007)) }
            #expect(received["gone"] == .some(nil))
        }
    }

    @Test func aPoisonRecordIsAFailureWithItsLocationAndTheStreamGoesOn() async throws {
        try await Harness.with { harness in
            try await harness.createTopic("poison")
            let producer = Producer(producer: harness.rawProducer, keySerializer: StringSerializer(), valueSerializer: Int32Serializer())
            _ = try await producer.send(to: "poison", key: "a", value: 1)
            _ = try await harness.rawProducer.send(topic: "poison", key: ByteBuffer(string: "b"), value: ByteBuffer(bytes: [1, 2, 3]))
            _ = try await harness.rawProducer.send(topic: "poison", key: ByteBuffer(bytes: [0xFF]), value: ByteBuffer(bytes: [0, 0, 0, 9]))
            _ = try await producer.send(to: "poison", key: "d", value: 4)

            let results = try await harness.readAll("poison", keys: StringDeserializer(), values: Int32Deserializer())
            #expect(results.count == 4)
            #expect(results[0].success?.value == 1)
            #expect(results[1].failure?.kind == .deserializationFailed)
            #expect(results[1].failure?.location == .init(topic: "poison", partition: 0, offset: 1))
            #expect(results[1].failure?.rawRecord.map { Array($0.value?.readableBytesView ?? []) } == [1, 2, 3])
            #expect(results[2].failure?.location?.offset == 2)
            #expect(results[3].success?.key == "d")
            #expect(results[3].success?.value == 4)
        }
    }

    @Test func avroRoundTripsAndAnOlderReaderReadsNewerData() async throws {
        try await Harness.with { harness in
            try await harness.createTopic("orders")
            let v2 = try AvroSchema.parse(orderV2)
            let writer = Producer(
                producer: harness.rawProducer, keySerializer: StringSerializer(),
                valueSerializer: AvroSerializer(registry: harness.registry, schema: v2))
            let v1Writer = Producer(
                producer: harness.rawProducer, keySerializer: StringSerializer(),
                valueSerializer: AvroSerializer(registry: harness.registry, format: OrderPlacedV1.format))
            _ = try await v1Writer.send(to: "orders", key: "o-1", value: OrderPlacedV1(id: "o-1", amountCents: 1999))
            _ = try await writer.send(to: "orders", key: "o-2", value: .record([.string("o-2"), .long(500), .string("USD")]))

            // Two subjects' versions under orders-value: v1 then v2 (BACKWARD-compatible: a default).
            #expect(try await harness.registry.client.versions(subject: "orders-value") == [1, 2])

            // The v1 reader reads both (v2's currency is dropped by resolution).
            let v1Results = try await harness.readAll(
                "orders", keys: StringDeserializer(), values: AvroDeserializer(registry: harness.registry, format: OrderPlacedV1.format))
            #expect(v1Results.compactMap { $0.success?.value } == [
                OrderPlacedV1(id: "o-1", amountCents: 1999), OrderPlacedV1(id: "o-2", amountCents: 500),
            ])
            // The v2 reader fills the v1 record's currency with the default.
            let v2Results = try await harness.readAll(
                "orders", keys: StringDeserializer(), values: AvroDeserializer(registry: harness.registry, readerSchema: v2))
            #expect(v2Results.compactMap { $0.success?.value } == [
                .record([.string("o-1"), .long(1999), .string("EUR")]), .record([.string("o-2"), .long(500), .string("USD")]),
            ])
        }
    }

    @Test func unknownSchemaIDsAndUndecodableAvroAreFailuresAndTheStreamGoesOn() async throws {
        try await Harness.with { harness in
            try await harness.createTopic("orders-poison")
            let typed = Producer(
                producer: harness.rawProducer, keySerializer: StringSerializer(),
                valueSerializer: AvroSerializer(registry: harness.registry, format: OrderPlacedV1.format))
            _ = try await typed.send(to: "orders-poison", key: "ok-1", value: OrderPlacedV1(id: "a", amountCents: 1))
            let id = try await harness.registry.lookupID(subject: "orders-poison-value", schema: OrderPlacedV1.format.schema.registrySchema)
            _ = try await harness.rawProducer.send(
                topic: "orders-poison", value: try ConfluentWireFormat.frame(schemaID: 987_654, payload: [2, 0x61, 2]))
            _ = try await harness.rawProducer.send(topic: "orders-poison", value: try ConfluentWireFormat.frame(schemaID: id, payload: [0x7F]))
            _ = try await harness.rawProducer.send(topic: "orders-poison", value: ByteBuffer(string: "plain text"))
            _ = try await typed.send(to: "orders-poison", key: "ok-2", value: OrderPlacedV1(id: "b", amountCents: 2))

            let results = try await harness.readAll(
                "orders-poison", keys: StringDeserializer(), values: AvroDeserializer(registry: harness.registry, format: OrderPlacedV1.format))
            #expect(results.count == 5)
            #expect(results[1].failure?.kind == .unknownSchemaID)
            #expect(results[1].failure?.schemaID == 987_654)
            #expect(results[1].failure?.location?.offset == 1)
            #expect(results[2].failure?.kind == .deserializationFailed)
            #expect(results[3].failure?.kind == .invalidWireFormat)
            #expect(results.compactMap { $0.success?.value?.id } == ["a", "b"])
        }
    }

    @Test func subjectNameStrategiesAndUseLatest() async throws {
        try await Harness.with { harness in
            try await harness.createTopic("strategies")
            let v1 = OrderPlacedV1.format.schema
            for (strategy, subject) in [
                (SubjectNameStrategy.recordName, "shop.OrderPlaced"), (.topicRecordName, "strategies-shop.OrderPlaced"),
                (.topicName, "strategies-value"),
            ] {
                let producer = Producer(
                    producer: harness.rawProducer, keySerializer: StringSerializer(),
                    valueSerializer: AvroSerializer(
                        registry: harness.registry, schema: v1, configuration: .init(subjectNameStrategy: strategy)))
                _ = try await producer.send(to: "strategies", value: .record([.string(subject), .long(1)]))
                #expect(try await harness.registry.client.versions(subject: subject) == [1])
            }
            // Use-latest: register v2 under the topic subject, then a v1 serializer writes v2-shaped data under v2's id.
            let v2ID = try await harness.registry.registeredID(
                subject: "strategies-value", schema: try AvroSchema.parse(orderV2).registrySchema)
            let latest = Producer(
                producer: harness.rawProducer, keySerializer: StringSerializer(),
                valueSerializer: AvroSerializer(registry: harness.registry, format: OrderPlacedV1.format, configuration: .init(schemaIDSelection: .useLatest)))
            _ = try await latest.send(to: "strategies", value: OrderPlacedV1(id: "latest", amountCents: 7))
            // A lookup-only serializer refuses a schema the subject does not hold, before sending.
            let lookUp = Producer(
                producer: harness.rawProducer, keySerializer: StringSerializer(),
                valueSerializer: AvroSerializer(
                    registry: harness.registry, schema: try AvroSchema.parse(#"{"type":"record","name":"Other","fields":[]}"#),
                    configuration: .init(schemaIDSelection: .lookUp)))
            await #expect { _ = try await lookUp.send(to: "strategies", value: .record([])) } throws: { ($0 as? BrookError)?.kind == .registry }

            let raw = try await harness.readAll("strategies", keys: BytesDeserializer(), values: AvroWriterSchemaDeserializer(registry: harness.registry))
            #expect(raw.count == 4)
            let last = try #require(raw.last?.success?.value)
            #expect(last.value == .record([.string("latest"), .long(7), .string("EUR")]))
            #expect(last.schema.fingerprint64 == (try AvroSchema.parse(orderV2)).fingerprint64)
            let framedID = try await harness.readAll("strategies", keys: BytesDeserializer(), values: ByteBufferDeserializer())
                .last?.success?.value.map { try ConfluentWireFormat.unframe($0, component: .value).schemaID }
            #expect(framedID == v2ID)
        }
    }

    struct Payment: Codable, Equatable, Sendable {
        var id: String
        var amountCents: Int
    }

    static let paymentSchema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","title":"Payment","type":"object",
         "properties":{"id":{"type":"string","minLength":1},"amountCents":{"type":"integer","minimum":0}},
         "required":["id","amountCents"]}
        """

    @Test func jsonSchemaValidationRefusesABadRecordBeforeItIsSent() async throws {
        try await Harness.with { harness in
            try await harness.createTopic("payments")
            let producer = Producer(
                producer: harness.rawProducer, keySerializer: StringSerializer(),
                valueSerializer: try JSONSchemaSerializer<Payment>(registry: harness.registry, schemaText: Self.paymentSchema))
            await #expect {
                _ = try await producer.send(to: "payments", value: Payment(id: "p-0", amountCents: -5))
            } throws: { error in
                guard let error = error as? BrookError else { return false }
                return error.kind == .validationFailed && error.message.contains("/amountCents")
            }
            // Nothing was sent and nothing registered.
            let offsets = try await KafkaAdmin(client: harness.client).listOffsets(topic: "payments", spec: .latest)
            #expect(offsets.map(\.offset) == [0])
            await #expect(throws: SchemaRegistryClientError.self) { _ = try await harness.registry.client.versions(subject: "payments-value") }

            _ = try await producer.send(to: "payments", key: "p-1", value: Payment(id: "p-1", amountCents: 250))
            let results = try await harness.readAll(
                "payments", keys: StringDeserializer(), values: JSONSchemaDeserializer<Payment>(registry: harness.registry))
            #expect(results.compactMap { $0.success?.value } == [Payment(id: "p-1", amountCents: 250)])
        }
    }
}
