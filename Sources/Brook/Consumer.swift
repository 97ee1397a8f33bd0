// `Consumer<Key, Value>`: a KafkaConsumer (group membership, assignors, commits) whose records
// come out as Swift values. Deserialization happens as records are handed to the caller; a record
// that fails is delivered as a `.failure` with its location, and the consumer's position has
// already moved past it, so the stream goes on and a commit does not bring the poison record back.
import KafkaClient
import KafkaProtocol

public final class Consumer<Key: Sendable, Value: Sendable>: Sendable {
    public let consumer: KafkaConsumer
    public let deserialization: RecordDeserialization<Key, Value>

    /// Wraps an existing KafkaConsumer (subscribe or assign through `consumer`, or `subscribe` here).
    public init(consumer: KafkaConsumer, keyDeserializer: some Deserializer<Key>, valueDeserializer: some Deserializer<Value>) {
        self.consumer = consumer
        deserialization = RecordDeserialization(keyDeserializer: keyDeserializer, valueDeserializer: valueDeserializer)
    }

    /// Creates the KafkaConsumer too, on `client`.
    public convenience init(
        client: KafkaClient, configuration: KafkaConsumer.Configuration, keyDeserializer: some Deserializer<Key>,
        valueDeserializer: some Deserializer<Value>
    ) throws(BrookError) {
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(client: client, configuration: configuration)
        } catch {
            throw BrookError(error)
        }
        self.init(consumer: consumer, keyDeserializer: keyDeserializer, valueDeserializer: valueDeserializer)
    }

    /// Joins the group for `topics` (or follows them without a group when no group id is set).
    public func subscribe(topics: [String]) async throws(BrookError) {
        do {
            try await consumer.subscribe(topics: topics)
        } catch {
            throw BrookError(error)
        }
    }

    /// Up to `maxRecords` records, waiting up to `timeoutMilliseconds` for the first. Each element
    /// is a typed record or the reason that record could not be read.
    public func poll(maxRecords: Int? = nil, timeoutMilliseconds: Int64) async throws(BrookError) -> [Result<ConsumedRecord<Key, Value>, BrookError>] {
        let raw: [ConsumerRecord]
        do {
            raw = try await consumer.poll(maxRecords: maxRecords, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw BrookError(error)
        }
        var results: [Result<ConsumedRecord<Key, Value>, BrookError>] = []
        results.reserveCapacity(raw.count)
        for record in raw { results.append(await deserialization.decode(record)) }
        return results
    }

    /// Every record from now on, as typed records or per-record failures; ends when the consumer
    /// closes or the task is cancelled, and throws only when the Kafka consumer itself fails.
    public var records: DeserializedRecords<ConsumerRecords, Key, Value> {
        DeserializedRecords(consumer.records, deserialization: deserialization)
    }

    /// Commits the positions of every assigned partition (past every record handed out,
    /// including failed ones).
    public func commit() async throws(BrookError) {
        do {
            try await consumer.commit()
        } catch {
            throw BrookError(error)
        }
    }

    /// Commits, leaves the group and stops fetching (the KafkaClient stays open).
    public func close() async {
        await consumer.close()
    }
}
