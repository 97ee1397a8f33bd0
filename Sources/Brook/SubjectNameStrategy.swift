// Subject name strategies (Confluent's names and rules) and how a serializer picks its schema id.
// TopicName: `<topic>-key` / `<topic>-value`, one schema line per topic. RecordName: the record's
// full name, so one type has one history across topics. TopicRecordName: `<topic>-<full name>`,
// several types per topic each with its own history. For Avro the record name is the schema's
// full name; for JSON Schema it is the schema's `title`, as Confluent's JSON serializer uses.

/// Names the registry subject for a topic, a record component and the record's type name.
public struct SubjectNameStrategy: Sendable {
    public let name: String
    private let body: @Sendable (_ topic: String, _ component: RecordComponent, _ recordName: String?) throws(BrookError) -> String

    public init(
        name: String,
        _ body: @escaping @Sendable (_ topic: String, _ component: RecordComponent, _ recordName: String?) throws(BrookError) -> String
    ) {
        self.name = name
        self.body = body
    }

    public func subject(topic: String, component: RecordComponent, recordName: String?) throws(BrookError) -> String {
        try body(topic, component, recordName)
    }

    /// `<topic>-key` or `<topic>-value` (Confluent's default).
    public static let topicName = SubjectNameStrategy(name: "TopicNameStrategy") { topic, component, _ in
        "\(topic)-\(component.rawValue)"
    }

    /// The record's full name, whatever the topic.
    public static let recordName = SubjectNameStrategy(name: "RecordNameStrategy") { _, _, recordName throws(BrookError) in
        "\(try requireRecordName(recordName, strategy: "RecordNameStrategy"))"
    }

    /// `<topic>-<record full name>`.
    public static let topicRecordName = SubjectNameStrategy(name: "TopicRecordNameStrategy") { topic, _, recordName throws(BrookError) in
        "\(topic)-\(try requireRecordName(recordName, strategy: "TopicRecordNameStrategy"))"
    }

    private static func requireRecordName(_ recordName: String?, strategy: String) throws(BrookError) -> String {
        guard let recordName, !recordName.isEmpty else {
            throw BrookError(
                kind: .invalidSchema,
                message: "\(strategy) needs a named schema (an Avro record/enum/fixed, or a JSON Schema with a title)")
        }
        return recordName
    }
}

/// How a registry-backed serializer finds the schema id it writes.
public enum SchemaIDSelection: Sendable, Hashable {
    /// Register the serializer's schema under the subject on first use (Confluent's default,
    /// `auto.register.schemas=true`); registering live content again returns the same id.
    case autoRegister
    /// Look the serializer's schema up in the subject without registering
    /// (`auto.register.schemas=false`); a schema the subject does not hold is an error.
    case lookUp
    /// Write with the subject's latest schema (`use.latest.version=true`). The value is encoded
    /// with the serializer's schema and then read into the latest schema's shape (Avro schema
    /// resolution), so the latest schema must be able to read the serializer's.
    case useLatest
}

/// Settings shared by the registry-backed serializers.
public struct RegistrySerializerConfiguration: Sendable {
    public var subjectNameStrategy: SubjectNameStrategy
    public var schemaIDSelection: SchemaIDSelection
    /// Ask the registry to normalize the schema (`normalize.schemas`).
    public var normalizeSchemas: Bool

    public init(
        subjectNameStrategy: SubjectNameStrategy = .topicName, schemaIDSelection: SchemaIDSelection = .autoRegister,
        normalizeSchemas: Bool = false
    ) {
        self.subjectNameStrategy = subjectNameStrategy
        self.schemaIDSelection = schemaIDSelection
        self.normalizeSchemas = normalizeSchemas
    }
}
