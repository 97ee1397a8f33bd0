// Generated record types (`brook codegen`, the BrookCodegenPlugin) in the typed layer. A type
// conforming to `AvroGeneratedRecord` carries its schema and encodes and decodes itself straight
// through AvroBinaryWriter/AvroBinaryReader, so its `AvroFormat` needs no generic AvroValue on the
// hot path: the serializer writes with the type's own encoder, and the deserializer reads data
// whose writer schema has the type's fingerprint with the type's own decoder. Only data written
// with another schema (a v2 type reading v1 records) goes through the AvroResolver that
// AvroDeserializer compiles once per writer schema id, and from its reader-shaped datum into the
// type through the generated `init(avroValue:)`.
import Avro
import SchemaRegistryClient

extension AvroFormat where Value: AvroGeneratedRecord {
    /// The generated type's own format: its schema, its direct binary encoder and decoder.
    public static var generated: AvroFormat<Value> {
        AvroFormat(
            schema: Value.avroSchema,
            encode: { value throws(AvroValueError) in value.avroEncoded(capacity: encodedBytesGuess) },
            decodeOwn: { buffer throws(AvroValueError) in try Value.avroDecode(buffer) },
            fromAvroValue: { datum throws(AvroValueError) in try Value(avroValue: datum) },
            toAvroValue: { value throws(AvroValueError) in value.avroValue })
    }

    /// The first allocation for one encoded value; the writer grows past it when needed, so this
    /// only saves reallocations for typical event sizes.
    static var encodedBytesGuess: Int { 256 }
}

extension AvroSerializer where Value: AvroGeneratedRecord {
    /// Writes values of a generated type with its own schema and direct encoder.
    public init(registry: CachedSchemaRegistry, type: Value.Type, configuration: RegistrySerializerConfiguration = .init()) {
        self.init(registry: registry, format: .generated, configuration: configuration)
    }
}

extension AvroDeserializer where Value: AvroGeneratedRecord {
    /// Reads records of any compatible writer schema into a generated type: directly when the
    /// writer schema is the type's own, through a cached per-writer-id resolver otherwise.
    public init(registry: CachedSchemaRegistry, type: Value.Type) {
        self.init(registry: registry, format: .generated)
    }
}
