// The consuming side's shared part: a consumed record with Swift key and value, the decoder that
// turns a raw ConsumerRecord into one, and an AsyncSequence adapter over any source of raw
// records (the group consumer's `records`, or a PartitionConsumer).
//
// A record that does not deserialize (unknown schema id, bytes that do not decode, a JSON value
// its schema refuses) is not an exception that ends the stream: it arrives as a `.failure`
// element carrying a BrookError with the record's topic, partition and offset and the raw record,
// and the next element is the next record. Only the underlying Kafka consumer's own failures end
// the sequence (they throw).
import KafkaClient
import KafkaProtocol
import NIOCore

/// A record whose key and value went through their deserializers.
public struct ConsumedRecord<Key: Sendable, Value: Sendable>: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    /// nil when the record's key is Kafka null.
    public var key: Key?
    /// nil when the record's value is Kafka null (a tombstone).
    public var value: Value?
    public var headers: [RecordHeader]

    public var location: BrookError.RecordLocation { .init(topic: topic, partition: partition, offset: offset) }
}

extension ConsumedRecord: Equatable where Key: Equatable, Value: Equatable {}

/// Deserializes raw records' keys and values.
public struct RecordDeserialization<Key: Sendable, Value: Sendable>: Sendable {
    public let keyDeserializer: any Deserializer<Key>
    public let valueDeserializer: any Deserializer<Value>

    public init(keyDeserializer: some Deserializer<Key>, valueDeserializer: some Deserializer<Value>) {
        self.keyDeserializer = keyDeserializer
        self.valueDeserializer = valueDeserializer
    }

    /// The typed record, or the reason it could not be read (tagged with the record's location).
    public func decode(_ record: ConsumerRecord) async -> Result<ConsumedRecord<Key, Value>, BrookError> {
        do {
            var key: Key?
            if let bytes = record.key {
                key = try await keyDeserializer.deserialize(
                    bytes, context: SerializationContext(topic: record.topic, component: .key, headers: record.headers))
            }
            var value: Value?
            if let bytes = record.value {
                value = try await valueDeserializer.deserialize(
                    bytes, context: SerializationContext(topic: record.topic, component: .value, headers: record.headers))
            }
            return .success(
                ConsumedRecord(
                    topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, key: key,
                    value: value, headers: record.headers))
        } catch {
            return .failure(error.concerning(record))
        }
    }
}

/// Typed records over any AsyncSequence of raw records. Elements are results: a record that
/// fails to deserialize is a `.failure` and the sequence goes on.
public struct DeserializedRecords<Base: AsyncSequence & Sendable, Key: Sendable, Value: Sendable>: AsyncSequence, Sendable
where Base.Element == ConsumerRecord {
    public typealias Element = Result<ConsumedRecord<Key, Value>, BrookError>

    public let base: Base
    public let deserialization: RecordDeserialization<Key, Value>

    public init(_ base: Base, deserialization: RecordDeserialization<Key, Value>) {
        self.base = base
        self.deserialization = deserialization
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), deserialization: deserialization)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let deserialization: RecordDeserialization<Key, Value>

        /// The next typed record or deserialization failure; nil when the base ends. Throws
        /// (as `BrookError` of kind `.kafka`) only when the underlying consumer fails.
        public mutating func next() async throws(BrookError) -> Element? {
            let raw: ConsumerRecord?
            do {
                raw = try await base.next()
            } catch let error as KafkaError {
                throw BrookError(error)
            } catch let error as BrookError {
                throw error
            } catch {
                throw BrookError(kind: .kafka, message: "\(error)")
            }
            guard let raw else { return nil }
            return await deserialization.decode(raw)
        }
    }
}

extension PartitionConsumer {
    /// This partition's records, deserialized.
    public func deserialized<Key: Sendable, Value: Sendable>(
        keys keyDeserializer: some Deserializer<Key>, values valueDeserializer: some Deserializer<Value>
    ) -> DeserializedRecords<PartitionConsumer, Key, Value> {
        DeserializedRecords(self, deserialization: RecordDeserialization(keyDeserializer: keyDeserializer, valueDeserializer: valueDeserializer))
    }
}
