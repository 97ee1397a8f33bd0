// The one error type of the typed layer. Serializers, deserializers, the typed producer and the
// typed consumer all throw `BrookError`, so a caller handles one type. Its `Kind` is an
// extensible struct (adding a kind breaks nobody); the underlying Kafka or registry error is kept
// so a caller can still ask it `isRetriable` or read its Confluent `error_code`. A record that
// fails on the consuming side carries where it was read (topic, partition, offset).
import KafkaClient
import SchemaRegistryClient

public struct BrookError: Error, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A value could not be turned into bytes (it does not fit its schema, say).
        public static let serializationFailed = Kind("serializationFailed")
        /// A value was refused by its JSON Schema before anything was sent.
        public static let validationFailed = Kind("validationFailed")
        /// Bytes could not be turned into a value (truncated, wrong type, corrupt).
        public static let deserializationFailed = Kind("deserializationFailed")
        /// The bytes do not start with Confluent's framing (magic byte 0, 4-byte schema id).
        public static let invalidWireFormat = Kind("invalidWireFormat")
        /// The registry does not know the schema id a record names.
        public static let unknownSchemaID = Kind("unknownSchemaID")
        /// The writer's schema cannot be read with the reader's schema (Avro resolution failed).
        public static let incompatibleSchema = Kind("incompatibleSchema")
        /// The registry answered with an error or could not be reached.
        public static let registry = Kind("registry")
        /// A schema given to a serializer does not parse, or a subject could not be named.
        public static let invalidSchema = Kind("invalidSchema")
        /// The Kafka client failed (see `kafkaError`).
        public static let kafka = Kind("kafka")
        /// A setting is out of range or contradicts another.
        public static let invalidConfiguration = Kind("invalidConfiguration")
    }

    /// Where a consumed record that failed was read from.
    public struct RecordLocation: Sendable, Hashable, CustomStringConvertible {
        public var topic: String
        public var partition: Int32
        public var offset: Int64

        public init(topic: String, partition: Int32, offset: Int64) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }

        public var description: String { "\(topic)-\(partition)@\(offset)" }
    }

    public var kind: Kind
    public var message: String
    /// Set for records read by a consumer.
    public var location: RecordLocation?
    /// The schema id the record named, when the failure concerns one.
    public var schemaID: Int?
    /// Set when the Kafka client failed.
    public var kafkaError: KafkaError?
    /// Set when the registry answered with an error or could not be reached.
    public var registryError: SchemaRegistryClientError?
    /// For a consumed record that failed: the record as read, so it can go to a dead-letter topic.
    public var rawRecord: ConsumerRecord?

    public init(
        kind: Kind, message: String, location: RecordLocation? = nil, schemaID: Int? = nil, kafkaError: KafkaError? = nil,
        registryError: SchemaRegistryClientError? = nil
    ) {
        self.kind = kind
        self.message = message
        self.location = location
        self.schemaID = schemaID
        self.kafkaError = kafkaError
        self.registryError = registryError
    }

    public init(_ kafkaError: KafkaError) {
        self.init(kind: .kafka, message: kafkaError.description, kafkaError: kafkaError)
    }

    /// Whether trying the same operation again may succeed (a retriable Kafka error, or a
    /// registry that could not be reached). A record that does not decode never becomes decodable.
    public var isRetriable: Bool {
        if let kafkaError { return kafkaError.isRetriable }
        if let registryError { return registryError.isRetriable }
        return false
    }

    /// The same error, tagged with the consumed record it concerns.
    public func concerning(_ record: ConsumerRecord) -> BrookError {
        var copy = self
        copy.location = RecordLocation(topic: record.topic, partition: record.partition, offset: record.offset)
        copy.rawRecord = record
        return copy
    }

    public var description: String {
        var text = "\(kind): \(message)"
        if let schemaID { text += " (schema id \(schemaID))" }
        if let location { text += " at \(location)" }
        return text
    }
}
