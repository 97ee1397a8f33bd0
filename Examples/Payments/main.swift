// Payments: the JSON Schema example. A `Codable` Payment goes through JSONSchemaSerializer, which
// validates it against the Payment contract before anything reaches the registry or the broker:
// the good payment is sent and read back; the bad one (a negative amount) is refused with the
// field named, and the topic shows it never arrived.
//
//   brook serve &                    # broker on 127.0.0.1:9092, registry on 127.0.0.1:8081
//   swift run payments-example       # [--bootstrap-server HOST:PORT] [--registry-url URL]
import Brook
import Foundation
import KafkaClient
import SchemaRegistryClient

struct Payment: Codable, Equatable, Sendable {
    var paymentId: String
    var orderId: String
    var amountCents: Int
}

let paymentContract = """
    {"$schema":"http://json-schema.org/draft-07/schema#","title":"Payment","type":"object",
     "properties":{
       "paymentId":{"type":"string","minLength":1},
       "orderId":{"type":"string","minLength":1},
       "amountCents":{"type":"integer","minimum":1}},
     "required":["paymentId","orderId","amountCents"],
     "additionalProperties":false}
    """

func option(_ name: String, default fallback: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}

let bootstrap = option("--bootstrap-server", default: "127.0.0.1:9092")
let registryURL = option("--registry-url", default: "http://127.0.0.1:8081")
let topic = option("--topic", default: "payments")

let client = try KafkaClient(bootstrapServers: bootstrap, clientId: "payments-example")
let registry = CachedSchemaRegistry(client: try SchemaRegistryClient(url: registryURL))
let kafkaProducer = KafkaProducer(client: client)
let producer = Producer(
    producer: kafkaProducer, keySerializer: StringSerializer(),
    valueSerializer: try JSONSchemaSerializer<Payment>(registry: registry, schemaText: paymentContract))

/// Prints the partition from `offset` to its current end; false when the bad payment is there or a record fails.
func readBack(partition: Int32, from offset: Int64, badPaymentId: String) async throws -> Bool {
    let reader = PartitionConsumer(client: client, topic: topic, partition: partition, start: .offset(offset), end: .logEndAtStart)
    var isClean = true
    var records = reader.deserialized(keys: StringDeserializer(), values: JSONSchemaDeserializer<Payment>(registry: registry))
        .makeAsyncIterator()
    while let result = try await records.next() {
        switch result {
        case .success(let record):
            print("read \(record.key ?? "-") at offset \(record.offset): \(record.value.map { "\($0)" } ?? "null")")
            if record.value?.paymentId == badPaymentId { isClean = false }
        case .failure(let error):
            print("could not read a record: \(error)")
            isClean = false
        }
    }
    return isClean
}

/// Sends the good payment and tries the bad one; the exit status says whether the contract held.
func run() async throws -> Int32 {
    var exitCode: Int32 = 0
    let good = Payment(paymentId: "pay-\(UUID().uuidString.prefix(8))", orderId: "order-1", amountCents: 1999)
    let stored = try await producer.send(to: topic, key: good.paymentId, value: good)
    print("sent \(good.paymentId) to \(stored.topic)-\(stored.partition)@\(stored.offset)")

    let bad = Payment(paymentId: "pay-bad", orderId: "order-1", amountCents: -5)
    do {
        _ = try await producer.send(to: topic, key: bad.paymentId, value: bad)
        print("error: the invalid payment was sent; validation should have refused it")
        exitCode = 1
    } catch {
        guard error.kind == .validationFailed else { throw error }
        print("refused before sending, as expected: \(error.message)")
    }
    // Read the partition back: the good payment is there, the bad one never arrived.
    if try await !readBack(partition: stored.partition, from: stored.offset, badPaymentId: bad.paymentId) { exitCode = 1 }
    return exitCode
}

let exitCode = try await run()
await kafkaProducer.close()
await registry.client.shutdown()
await client.shutdown()
exit(exitCode)
