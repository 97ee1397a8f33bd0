// JSON Schema through the registry, in Confluent's wire format (magic 0, schema id, UTF-8 JSON).
// The serializer encodes a `Codable` value, validates the JSON against its schema and refuses an
// invalid value before anything is sent or registered, naming each failing field. The
// deserializer fetches the writer's schema by id (cached forever), validates the JSON against it
// (as Confluent's deserializers do by default) and decodes the value.
import Foundation
import JSON
import JSONSchema
import NIOCore
import SchemaRegistry
import SchemaRegistryClient

/// A compiled JSON Schema with its registry form and `title` (the record name for subject naming).
public struct JSONSchemaDocument: Sendable {
    public let text: String
    public let validator: JSONSchemaValidator
    public let title: String?

    /// Compiles `text`; a schema without `$schema` is read as draft-07, Confluent's default.
    public init(_ text: String) throws(BrookError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            throw BrookError(kind: .invalidSchema, message: "the JSON Schema is not valid JSON: \(error)")
        }
        do {
            validator = try JSONSchemaValidator(schema: document, draft: .draft7)
        } catch {
            throw BrookError(kind: .invalidSchema, message: "the JSON Schema does not compile: \(error)")
        }
        self.text = text
        title = document["title"]?.stringValue
    }

    public var registrySchema: RegistrySchema { RegistrySchema(schema: text, schemaType: .json) }

    /// Reasons shown in a validation error, at most; the rest are counted.
    static let reasonsShownMax = 5

    /// Throws `validationFailed` listing why `json` does not satisfy the schema.
    func validate(_ json: [UInt8], component: RecordComponent, schemaID: Int?) throws(BrookError) {
        let instance: JSONValue
        do {
            instance = try JSONValue.parse(json)
        } catch {
            throw BrookError(kind: .deserializationFailed, message: "the \(component) is not valid JSON: \(error)", schemaID: schemaID)
        }
        let failures = validator.validate(instance)
        guard failures.isEmpty else {
            var reasons = failures.prefix(Self.reasonsShownMax).map(\.description).joined(separator: "; ")
            if failures.count > Self.reasonsShownMax { reasons += "; and \(failures.count - Self.reasonsShownMax) more" }
            throw BrookError(
                kind: .validationFailed, message: "the \(component) does not satisfy its JSON Schema: \(reasons)", schemaID: schemaID)
        }
    }
}

/// Writes `Codable` values as framed JSON after validating them against `schema`.
public struct JSONSchemaSerializer<Value: Encodable & Sendable>: Serializer {
    public let schema: JSONSchemaDocument
    public let configuration: RegistrySerializerConfiguration
    private let schemaIDs: SubjectSchemaIDs

    public init(registry: CachedSchemaRegistry, schema: JSONSchemaDocument, configuration: RegistrySerializerConfiguration = .init()) {
        self.schema = schema
        self.configuration = configuration
        schemaIDs = SubjectSchemaIDs(
            registry: registry, selection: configuration.schemaIDSelection, normalize: configuration.normalizeSchemas)
    }

    public init(registry: CachedSchemaRegistry, schemaText: String, configuration: RegistrySerializerConfiguration = .init()) throws(BrookError) {
        self.init(registry: registry, schema: try JSONSchemaDocument(schemaText), configuration: configuration)
    }

    public func serialize(_ value: Value, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        let json = try encodeJSON(value, component: context.component)
        // Validate first: a bad value must fail before the registry or the broker see anything.
        try schema.validate(json, component: context.component, schemaID: nil)
        let subject = try configuration.subjectNameStrategy.subject(
            topic: context.topic, component: context.component, recordName: schema.title)
        let chosen = try await schemaIDs.schema(subject: subject, own: schema.registrySchema)
        return try ConfluentWireFormat.frame(schemaID: chosen.id, payload: json)
    }
}

/// Reads framed JSON into `Codable` values, validating against the writer's schema.
public struct JSONSchemaDeserializer<Value: Decodable & Sendable>: Deserializer {
    public let registry: CachedSchemaRegistry
    /// Validate each record against the schema its id names (Confluent's default).
    public let validates: Bool
    private let documents: SchemaIDMemo<JSONSchemaDocument>

    public init(registry: CachedSchemaRegistry, validates: Bool = true) {
        self.registry = registry
        self.validates = validates
        documents = SchemaIDMemo(entriesMax: 10_000)
    }

    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Value {
        let (schemaID, payload) = try ConfluentWireFormat.unframe(bytes, component: context.component)
        // The writer schema is fetched even when not validating, so a record naming an id the
        // registry does not know is reported as such rather than decoded on faith.
        let document = try await document(for: schemaID)
        let json = Array(payload.readableBytesView)
        if validates { try document.validate(json, component: context.component, schemaID: schemaID) }
        do {
            return try decodeJSON(Value.self, from: Data(json), component: context.component)
        } catch {
            var tagged = error
            tagged.schemaID = schemaID
            throw tagged
        }
    }

    private func document(for schemaID: Int) async throws(BrookError) -> JSONSchemaDocument {
        if let cached = documents[schemaID] { return cached }
        let schema: RegistrySchema
        do {
            schema = try await registry.schema(id: schemaID)
        } catch {
            throw BrookError.registry(error, schemaID: schemaID)
        }
        guard schema.schemaType == .json else {
            throw BrookError(kind: .incompatibleSchema, message: "schema \(schemaID) is \(schema.schemaType), not JSON", schemaID: schemaID)
        }
        let document: JSONSchemaDocument
        do {
            document = try JSONSchemaDocument(schema.schema)
        } catch {
            var tagged = error
            tagged.schemaID = schemaID
            throw tagged
        }
        documents.remember(document, for: schemaID)
        return document
    }
}
