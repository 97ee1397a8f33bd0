// Generated record types in the typed layer (`AvroFormat.generated`, `AvroSerializer(registry:type:)`,
// `AvroDeserializer(registry:type:)`) against a real registry in an EmbeddedCluster: the serializer
// frames the type's own encoding with the id the registry gave its schema; the deserializer reads
// its own schema's data with the generated decoder and other versions' data through a resolver
// compiled once per writer id (v2 reads v1 with the default, v1 reads v2); bad bytes are typed errors.
import Avro
@testable import Brook
import BrookEmbedded
import NIOConcurrencyHelpers
import NIOCore
import OrdersExample
import SchemaRegistryClient
import Testing

/// Counts which path an AvroDeserializer took for each record.
final class DecodePaths: Sendable {
    private let counts = NIOLockedValueBox((direct: 0, resolved: 0))

    var direct: Int { counts.withLockedValue { $0.direct } }
    var resolved: Int { counts.withLockedValue { $0.resolved } }

    /// The generated format of `Order`, unchanged except that it counts its decoding calls.
    func counting<Order: AvroGeneratedRecord>(_ generated: AvroFormat<Order>) -> AvroFormat<Order> {
        AvroFormat(
            schema: generated.schema, encode: generated.encode,
            decodeOwn: { buffer throws(AvroValueError) in
                self.counts.withLockedValue { $0.direct += 1 }
                return try generated.decodeOwn(buffer)
            },
            fromAvroValue: { datum throws(AvroValueError) in
                self.counts.withLockedValue { $0.resolved += 1 }
                return try generated.fromAvroValue(datum)
            },
            toAvroValue: generated.toAvroValue)
    }
}

/// Runs `body` with a caching client of a fresh embedded cluster's registry, and closes both.
func withRegistry(_ body: (CachedSchemaRegistry) async throws -> Void) async throws {
    try await EmbeddedCluster.with { cluster in
        let registry = try cluster.makeRegistryClient()
        do {
            try await body(registry)
        } catch {
            await registry.client.shutdown()
            throw error
        }
        await registry.client.shutdown()
    }
}

@Suite(.serialized) struct GeneratedSerdeTests {
    static let placedAt: Int64 = 1_732_400_000_000

    @Test func theSerializerFramesTheTypesOwnEncodingWithItsRegisteredID() async throws {
        try await withRegistry { registry in
            let order = SampleOrders.v2(number: 3, placedAtMilliseconds: Self.placedAt, channel: .inStore)
            let serializer = AvroSerializer(registry: registry, type: OrderPlacedV2.self)
            let framed = try await serializer.serialize(order, context: SerializationContext(topic: "serde", component: .value))
            let (schemaID, payload) = try ConfluentWireFormat.unframe(framed, component: .value)

            let registeredID = try await registry.lookupID(subject: "serde-value", schema: OrderPlacedV2.avroSchema.registrySchema)
            #expect(schemaID == registeredID)
            #expect(Array(payload.readableBytesView) == order.avroEncoded())
            // The generated encoder and the generic one agree byte for byte.
            #expect(Array(payload.readableBytesView) == (try AvroEncoder.encode(order.avroValue, schema: OrderPlacedV2.avroSchema)))
            // The registry holds the type's schema text under that id.
            let stored = try await registry.schema(id: schemaID)
            #expect(try AvroSchema.parse(stored.schema).fingerprint64 == OrderPlacedV2.avroFingerprint)
        }
    }

    @Test func ownSchemaDataDecodesDirectlyAndOtherVersionsThroughResolution() async throws {
        try await withRegistry { registry in
            let context = SerializationContext(topic: "evolving", component: .value)
            let v1Order = SampleOrders.v1(number: 1, placedAtMilliseconds: Self.placedAt)
            let v2Order = SampleOrders.v2(number: 2, placedAtMilliseconds: Self.placedAt, channel: .mobileApp)
            let framedV1 = try await AvroSerializer(registry: registry, type: OrderPlacedV1.self).serialize(v1Order, context: context)
            let framedV2 = try await AvroSerializer(registry: registry, type: OrderPlacedV2.self).serialize(v2Order, context: context)
            #expect(try await registry.client.versions(subject: "evolving-value") == [1, 2])

            let v2Paths = DecodePaths()
            let v2Reader = AvroDeserializer(registry: registry, format: v2Paths.counting(AvroFormat<OrderPlacedV2>.generated))
            #expect(try await v2Reader.deserialize(framedV2, context: context) == v2Order)
            #expect((v2Paths.direct, v2Paths.resolved) == (1, 0))
            // v1 data in the v2 type: the channel takes its default.
            for _ in 0..<3 {
                #expect(try await v2Reader.deserialize(framedV1, context: context) == OrderPlacedV2(v1Order, channel: .web))
            }
            #expect((v2Paths.direct, v2Paths.resolved) == (1, 3))

            let v1Paths = DecodePaths()
            let v1Reader = AvroDeserializer(registry: registry, format: v1Paths.counting(AvroFormat<OrderPlacedV1>.generated))
            #expect(try await v1Reader.deserialize(framedV2, context: context) == OrderPlacedV1(v2Order))
            #expect(try await v1Reader.deserialize(framedV1, context: context) == v1Order)
            #expect((v1Paths.direct, v1Paths.resolved) == (1, 1))

            // The public convenience initializers read the same way.
            let plain = AvroDeserializer(registry: registry, type: OrderPlacedV2.self)
            #expect(try await plain.deserialize(framedV1, context: context).channel == .web)
            #expect(try await plain.deserialize(framedV2, context: context) == v2Order)
        }
    }

    @Test func undecodableBytesAndIncompatibleWritersAreTypedErrors() async throws {
        try await withRegistry { registry in
            let context = SerializationContext(topic: "broken", component: .value)
            let order = SampleOrders.v2(number: 4, placedAtMilliseconds: Self.placedAt, channel: .web)
            let framed = try await AvroSerializer(registry: registry, type: OrderPlacedV2.self).serialize(order, context: context)
            let (schemaID, payload) = try ConfluentWireFormat.unframe(framed, component: .value)
            let reader = AvroDeserializer(registry: registry, type: OrderPlacedV2.self)

            // Cut the payload short, then append a stray byte: both fail to decode, neither crashes.
            let truncated = try ConfluentWireFormat.frame(schemaID: schemaID, payload: payload.readableBytesView.dropLast(3))
            await #expect { _ = try await reader.deserialize(truncated, context: context) } throws: {
                ($0 as? BrookError)?.kind == .deserializationFailed
            }
            let trailing = try ConfluentWireFormat.frame(schemaID: schemaID, payload: Array(payload.readableBytesView) + [0])
            await #expect { _ = try await reader.deserialize(trailing, context: context) } throws: {
                ($0 as? BrookError)?.kind == .deserializationFailed
            }
            // Data of a record the type cannot read (another name) fails by name, with its schema id.
            let otherSchema = try AvroSchema.parse(#"{"type":"record","name":"Refund","fields":[{"name":"amount","type":"long"}]}"#)
            let otherID = try await registry.registeredID(subject: "refunds-value", schema: otherSchema.registrySchema)
            let other = try ConfluentWireFormat.frame(schemaID: otherID, payload: [4])
            await #expect { _ = try await reader.deserialize(other, context: context) } throws: { error in
                guard let error = error as? BrookError else { return false }
                return error.kind == .deserializationFailed && error.schemaID == otherID && error.message.contains("'Refund'")
            }
        }
    }
}
