// The serializer and deserializer protocols, and the context they are given. A serializer turns
// a Swift value into a record's key or value bytes; a deserializer does the reverse. Both are
// async because registry-backed ones may ask the registry the first time they see a subject or a
// schema id (answers are cached, so the steady state does not wait). A null key or value (a
// tombstone) never reaches them: the typed producer and consumer map Swift `nil` to Kafka null.
import KafkaProtocol
import NIOCore

/// Which half of a record a serializer works on; subject names and some formats depend on it.
public enum RecordComponent: String, Sendable, Hashable {
    case key
    case value
}

/// What a serializer or deserializer knows about the record it works on.
public struct SerializationContext: Sendable {
    public var topic: String
    public var component: RecordComponent
    /// The record's headers (read-only for deserializers; serializers see what will be sent).
    public var headers: [RecordHeader]

    public init(topic: String, component: RecordComponent, headers: [RecordHeader] = []) {
        self.topic = topic
        self.component = component
        self.headers = headers
    }
}

/// Turns values into record bytes.
public protocol Serializer<Value>: Sendable {
    associatedtype Value
    func serialize(_ value: Value, context: SerializationContext) async throws(BrookError) -> ByteBuffer
}

/// Turns record bytes back into values.
public protocol Deserializer<Value>: Sendable {
    associatedtype Value
    func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Value
}

/// A serializer built from a closure, for one-off formats.
public struct ClosureSerializer<Value>: Serializer {
    private let body: @Sendable (Value, SerializationContext) throws(BrookError) -> ByteBuffer

    public init(_ body: @escaping @Sendable (Value, SerializationContext) throws(BrookError) -> ByteBuffer) {
        self.body = body
    }

    public func serialize(_ value: Value, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        try body(value, context)
    }
}

/// A deserializer built from a closure, for one-off formats.
public struct ClosureDeserializer<Value>: Deserializer {
    private let body: @Sendable (ByteBuffer, SerializationContext) throws(BrookError) -> Value

    public init(_ body: @escaping @Sendable (ByteBuffer, SerializationContext) throws(BrookError) -> Value) {
        self.body = body
    }

    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Value {
        try body(bytes, context)
    }
}
