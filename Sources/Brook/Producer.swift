// `Producer<Key, Value>`: sends Swift values. Each key and value goes through its serializer
// (which may register or look up a schema once per subject) and the bytes go to a KafkaProducer,
// which batches, partitions (murmur2 on the serialized key, as Java does) and retries. A value
// that does not serialize — one that fails its JSON Schema, say — is refused before anything
// reaches the broker. `nil` key or value is sent as Kafka null (a tombstone for a nil value).
import KafkaClient
import KafkaProtocol
import NIOCore

public final class Producer<Key: Sendable, Value: Sendable>: Sendable {
    public let producer: KafkaProducer
    public let keySerializer: any Serializer<Key>
    public let valueSerializer: any Serializer<Value>

    /// Wraps an existing KafkaProducer (which the caller keeps and closes).
    public init(producer: KafkaProducer, keySerializer: some Serializer<Key>, valueSerializer: some Serializer<Value>) {
        self.producer = producer
        self.keySerializer = keySerializer
        self.valueSerializer = valueSerializer
    }

    /// Sends one record and waits until the broker stored it.
    public func send(
        to topic: String, key: Key? = nil, value: Value?, partition: Int32? = nil, headers: [RecordHeader] = [],
        timestamp: Int64? = nil
    ) async throws(BrookError) -> RecordMetadata {
        let receipt = try await enqueue(to: topic, key: key, value: value, partition: partition, headers: headers, timestamp: timestamp)
        do {
            return try await receipt.metadata()
        } catch {
            throw BrookError(error)
        }
    }

    /// Serializes and queues one record; the receipt says later where it was stored. A failure
    /// to serialize throws here, before the record is queued.
    public func enqueue(
        to topic: String, key: Key? = nil, value: Value?, partition: Int32? = nil, headers: [RecordHeader] = [],
        timestamp: Int64? = nil
    ) async throws(BrookError) -> DeliveryReceipt {
        let record = try await serialize(topic: topic, key: key, value: value, partition: partition, headers: headers, timestamp: timestamp)
        do {
            return try await producer.enqueue(record)
        } catch {
            throw BrookError(error)
        }
    }

    /// The record as the Kafka client will send it.
    public func serialize(
        topic: String, key: Key?, value: Value?, partition: Int32? = nil, headers: [RecordHeader] = [], timestamp: Int64? = nil
    ) async throws(BrookError) -> ProducerRecord {
        var keyBytes: ByteBuffer?
        if let key {
            keyBytes = try await keySerializer.serialize(key, context: SerializationContext(topic: topic, component: .key, headers: headers))
        }
        var valueBytes: ByteBuffer?
        if let value {
            valueBytes = try await valueSerializer.serialize(
                value, context: SerializationContext(topic: topic, component: .value, headers: headers))
        }
        return ProducerRecord(topic: topic, partition: partition, key: keyBytes, value: valueBytes, headers: headers, timestamp: timestamp)
    }

    /// Sends everything queued and waits for the answers.
    public func flush() async {
        await producer.flush()
    }
}
