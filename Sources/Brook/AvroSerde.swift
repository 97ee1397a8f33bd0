// Avro through the registry, in Confluent's wire format. `AvroSerializer<Value>` writes values of
// one schema: generic `AvroValue`s, or any Swift type given as a conversion to and from AvroValue
// (generated types use their direct binary codec through `AvroFormat`). `AvroDeserializer<Value>`
// reads records written with any schema id: it fetches the writer schema by id once (ids are
// immutable, so it is kept forever), compiles a resolver from that writer schema to the reader's
// own schema once per id, and decodes; data written with an older or newer compatible schema
// comes out in the reader's shape (Avro schema resolution).
import Avro
import NIOCore
import SchemaRegistry
import SchemaRegistryClient

/// How one Swift type is written and read as Avro under its own schema.
public struct AvroFormat<Value>: Sendable {
    /// The type's own schema: what a serializer registers and a deserializer reads into.
    public let schema: AvroSchema
    let encode: @Sendable (Value) throws(AvroValueError) -> [UInt8]
    /// Decodes bytes written with exactly `schema` (the fast path, no resolution).
    let decodeOwn: @Sendable (UnsafeRawBufferPointer) throws(AvroValueError) -> Value
    /// Builds a value from a datum in `schema`'s shape (the resolution path's output).
    let fromAvroValue: @Sendable (AvroValue) throws(AvroValueError) -> Value
    /// The value as a datum in `schema`'s shape (for `useLatest`, which re-shapes it).
    let toAvroValue: @Sendable (Value) throws(AvroValueError) -> AvroValue

    public init(
        schema: AvroSchema,
        encode: @escaping @Sendable (Value) throws(AvroValueError) -> [UInt8],
        decodeOwn: @escaping @Sendable (UnsafeRawBufferPointer) throws(AvroValueError) -> Value,
        fromAvroValue: @escaping @Sendable (AvroValue) throws(AvroValueError) -> Value,
        toAvroValue: @escaping @Sendable (Value) throws(AvroValueError) -> AvroValue
    ) {
        self.schema = schema
        self.encode = encode
        self.decodeOwn = decodeOwn
        self.fromAvroValue = fromAvroValue
        self.toAvroValue = toAvroValue
    }

    /// A type that converts itself to and from the generic datum of `schema`.
    public init(
        schema: AvroSchema,
        toAvroValue: @escaping @Sendable (Value) throws(AvroValueError) -> AvroValue,
        fromAvroValue: @escaping @Sendable (AvroValue) throws(AvroValueError) -> Value
    ) {
        self.init(
            schema: schema,
            encode: { value throws(AvroValueError) in try AvroEncoder.encode(toAvroValue(value), schema: schema) },
            decodeOwn: { buffer throws(AvroValueError) in try fromAvroValue(AvroDecoder.decode(buffer, schema: schema)) },
            fromAvroValue: fromAvroValue, toAvroValue: toAvroValue)
    }
}

extension AvroFormat where Value == AvroValue {
    /// Generic datums of `schema`.
    public static func generic(_ schema: AvroSchema) -> AvroFormat<AvroValue> {
        AvroFormat(schema: schema, toAvroValue: { $0 }, fromAvroValue: { $0 })
    }
}

extension AvroSchema {
    /// The registry form of this schema (the text Avro-Java's `Schema.toString()` writes).
    public var registrySchema: RegistrySchema {
        RegistrySchema(schema: canonicalString, schemaType: .avro)
    }
}

/// Fetches the writer schema `id` from the registry and parses it as Avro.
func fetchWriterSchema(_ registry: CachedSchemaRegistry, id: Int) async throws(BrookError) -> AvroSchema {
    let schema: RegistrySchema
    do {
        schema = try await registry.schema(id: id)
    } catch {
        throw BrookError.registry(error, schemaID: id)
    }
    return try parseWriterSchema(schema, id: id)
}

/// Parses a registry schema as Avro; schemas from the registry were checked when registered, so a
/// failure here means another format or references this client does not resolve.
func parseWriterSchema(_ schema: RegistrySchema, id: Int) throws(BrookError) -> AvroSchema {
    guard schema.schemaType == .avro else {
        throw BrookError(
            kind: .incompatibleSchema, message: "schema \(id) is \(schema.schemaType), not AVRO", schemaID: id)
    }
    guard schema.references.isEmpty else {
        throw BrookError(kind: .invalidSchema, message: "schema \(id) has references, which this deserializer does not resolve", schemaID: id)
    }
    do {
        return try AvroSchema.parse(schema.schema)
    } catch {
        throw BrookError(kind: .invalidSchema, message: "schema \(id) does not parse as Avro: \(error)", schemaID: id)
    }
}

/// Writes values as framed Avro under the subject its strategy names.
public struct AvroSerializer<Value>: Serializer {
    public let format: AvroFormat<Value>
    public let configuration: RegistrySerializerConfiguration
    private let schemaIDs: SubjectSchemaIDs
    /// For `useLatest`: resolvers from our schema to each latest schema, by id.
    private let reshapers: SchemaIDMemo<Reshaper>
    private let ownSchema: RegistrySchema
    private let recordName: String?

    /// Re-shapes a value of our schema into the latest schema (nil when they are the same).
    struct Reshaper: Sendable {
        let writer: AvroSchema
        let resolver: AvroResolver?
    }

    public init(registry: CachedSchemaRegistry, format: AvroFormat<Value>, configuration: RegistrySerializerConfiguration = .init()) {
        self.format = format
        self.configuration = configuration
        schemaIDs = SubjectSchemaIDs(
            registry: registry, selection: configuration.schemaIDSelection, normalize: configuration.normalizeSchemas)
        reshapers = SchemaIDMemo(entriesMax: 1_000)
        ownSchema = format.schema.registrySchema
        recordName = format.schema.root.fullName
    }

    public func serialize(_ value: Value, context: SerializationContext) async throws(BrookError) -> ByteBuffer {
        let subject = try configuration.subjectNameStrategy.subject(
            topic: context.topic, component: context.component, recordName: recordName)
        let chosen = try await schemaIDs.schema(subject: subject, own: ownSchema)
        let payload: [UInt8]
        do {
            if configuration.schemaIDSelection == .useLatest {
                payload = try reshaped(value, into: chosen)
            } else {
                payload = try format.encode(value)
            }
        } catch let error as AvroValueError {
            throw BrookError(
                kind: .serializationFailed, message: "the \(context.component) does not fit its Avro schema: \(error)", schemaID: chosen.id)
        } catch let error as BrookError {
            throw error
        } catch {
            throw BrookError(kind: .serializationFailed, message: "\(error)", schemaID: chosen.id)
        }
        return try ConfluentWireFormat.frame(schemaID: chosen.id, payload: payload)
    }

    /// Encodes with our schema, then (when the latest schema differs) reads that into the latest
    /// schema's shape and encodes it with the latest schema.
    private func reshaped(_ value: Value, into chosen: ChosenSchema) throws -> [UInt8] {
        let reshaper: Reshaper
        if let cached = reshapers[chosen.id] {
            reshaper = cached
        } else {
            let latest = try parseWriterSchema(chosen.schema, id: chosen.id)
            if latest.fingerprint64 == format.schema.fingerprint64 {
                reshaper = Reshaper(writer: latest, resolver: nil)
            } else {
                do {
                    reshaper = Reshaper(writer: latest, resolver: try AvroResolver(writer: format.schema, reader: latest))
                } catch {
                    throw BrookError(
                        kind: .incompatibleSchema,
                        message: "the latest schema (id \(chosen.id)) cannot read this serializer's schema: \(error)", schemaID: chosen.id)
                }
            }
            reshapers.remember(reshaper, for: chosen.id)
        }
        let own = try format.encode(value)
        guard let resolver = reshaper.resolver else { return own }
        return try AvroEncoder.encode(resolver.decode(own), schema: reshaper.writer)
    }
}

extension AvroSerializer where Value == AvroValue {
    /// Generic datums of `schema`.
    public init(registry: CachedSchemaRegistry, schema: AvroSchema, configuration: RegistrySerializerConfiguration = .init()) {
        self.init(registry: registry, format: .generic(schema), configuration: configuration)
    }
}

/// Reads framed Avro written with any schema id into the reader's own schema.
public struct AvroDeserializer<Value>: Deserializer {
    public let format: AvroFormat<Value>
    public let registry: CachedSchemaRegistry
    private let readers: SchemaIDMemo<WriterReader>
    /// Writer schema ids one deserializer keeps compiled readers for.
    public static var writerSchemasMax: Int { 10_000 }

    /// How data of one writer schema is read: directly, or through a compiled resolver.
    struct WriterReader: Sendable {
        let resolver: AvroResolver?
    }

    public init(registry: CachedSchemaRegistry, format: AvroFormat<Value>) {
        self.format = format
        self.registry = registry
        readers = SchemaIDMemo(entriesMax: Self.writerSchemasMax)
    }

    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> Value {
        let (schemaID, payload) = try ConfluentWireFormat.unframe(bytes, component: context.component)
        let reader = try await reader(for: schemaID)
        let format = self.format
        let result: Result<Value, AvroValueError> = payload.withUnsafeReadableBytes { buffer in
            Result { () throws(AvroValueError) -> Value in
                guard let resolver = reader.resolver else { return try format.decodeOwn(buffer) }
                return try format.fromAvroValue(resolver.decode(buffer))
            }
        }
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            throw BrookError(
                kind: .deserializationFailed, message: "the \(context.component) does not decode with schema \(schemaID): \(error)",
                schemaID: schemaID)
        }
    }

    private func reader(for schemaID: Int) async throws(BrookError) -> WriterReader {
        if let cached = readers[schemaID] { return cached }
        let writer = try await fetchWriterSchema(registry, id: schemaID)
        let reader: WriterReader
        if writer.fingerprint64 == format.schema.fingerprint64 {
            reader = WriterReader(resolver: nil)
        } else {
            do {
                reader = WriterReader(resolver: try AvroResolver(writer: writer, reader: format.schema))
            } catch {
                throw BrookError(
                    kind: .incompatibleSchema, message: "data written with schema \(schemaID) cannot be read with this reader's schema: \(error)",
                    schemaID: schemaID)
            }
        }
        readers.remember(reader, for: schemaID)
        return reader
    }
}

extension AvroDeserializer where Value == AvroValue {
    /// Generic datums in the shape of `readerSchema`.
    public init(registry: CachedSchemaRegistry, readerSchema: AvroSchema) {
        self.init(registry: registry, format: .generic(readerSchema))
    }
}

/// Reads framed Avro as generic datums in each record's own writer schema (no reader schema).
public struct AvroWriterSchemaDeserializer: Deserializer {
    public let registry: CachedSchemaRegistry
    private let schemas: SchemaIDMemo<AvroSchema>

    public init(registry: CachedSchemaRegistry) {
        self.registry = registry
        schemas = SchemaIDMemo(entriesMax: AvroDeserializer<AvroValue>.writerSchemasMax)
    }

    /// The datum and the schema it was written with.
    public func deserialize(_ bytes: ByteBuffer, context: SerializationContext) async throws(BrookError) -> (value: AvroValue, schema: AvroSchema) {
        let (schemaID, payload) = try ConfluentWireFormat.unframe(bytes, component: context.component)
        let schema: AvroSchema
        if let cached = schemas[schemaID] {
            schema = cached
        } else {
            schema = try await fetchWriterSchema(registry, id: schemaID)
            schemas.remember(schema, for: schemaID)
        }
        let result: Result<AvroValue, AvroValueError> = payload.withUnsafeReadableBytes { buffer in
            Result { () throws(AvroValueError) -> AvroValue in try AvroDecoder.decode(buffer, schema: schema) }
        }
        switch result {
        case .success(let value): return (value, schema)
        case .failure(let error):
            throw BrookError(
                kind: .deserializationFailed, message: "the \(context.component) does not decode with schema \(schemaID): \(error)",
                schemaID: schemaID)
        }
    }
}
