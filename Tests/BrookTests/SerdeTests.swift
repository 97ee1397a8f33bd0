// The serializers that need no broker or registry: Confluent framing, Java's integer layouts,
// UTF-8 strings, Codable JSON and the subject name strategies.
import Avro
import Brook
import NIOCore
import Testing

private let valueContext = SerializationContext(topic: "orders", component: .value)

@Suite struct WireFormatTests {
    @Test func framesWithMagicZeroAndBigEndianID() throws {
        let framed = try ConfluentWireFormat.frame(schemaID: 0x0102_0304, payload: [0xAA, 0xBB])
        #expect(Array(framed.readableBytesView) == [0, 1, 2, 3, 4, 0xAA, 0xBB])
        let (id, payload) = try ConfluentWireFormat.unframe(framed, component: .value)
        #expect(id == 0x0102_0304)
        #expect(Array(payload.readableBytesView) == [0xAA, 0xBB])
    }

    @Test func refusesShortInputWrongMagicAndOversizedIDs() {
        for bytes: [UInt8] in [[], [0, 0, 0, 1], [1, 0, 0, 0, 1, 2], [0, 0x80, 0, 0, 0, 2]] {
            #expect {
                _ = try ConfluentWireFormat.unframe(ByteBuffer(bytes: bytes), component: .value)
            } throws: { ($0 as? BrookError)?.kind == .invalidWireFormat }
        }
        #expect(throws: BrookError.self) { _ = try ConfluentWireFormat.frame(schemaID: -1, payload: [UInt8]()) }
        #expect(throws: BrookError.self) { _ = try ConfluentWireFormat.frame(schemaID: Int(Int32.max) + 1, payload: [UInt8]()) }
    }
}

@Suite struct BuiltInSerdeTests {
    @Test func integersUseJavasBigEndianLayouts() async throws {
        // Java's LongSerializer writes 8 big-endian bytes, IntegerSerializer 4.
        let long = try await IntSerializer().serialize(-2, context: valueContext)
        #expect(Array(long.readableBytesView) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
        let int = try await Int32Serializer().serialize(0x0102_0304, context: valueContext)
        #expect(Array(int.readableBytesView) == [1, 2, 3, 4])
        #expect(try await IntDeserializer().deserialize(long, context: valueContext) == -2)
        #expect(try await Int32Deserializer().deserialize(int, context: valueContext) == 0x0102_0304)
        await #expect(throws: BrookError.self) { _ = try await Int64Deserializer().deserialize(int, context: valueContext) }
    }

    @Test func stringsAreUTF8AndInvalidUTF8IsAnError() async throws {
        let bytes = try await StringSerializer().serialize("naïve ☕", context: valueContext)
        #expect(Array(bytes.readableBytesView) == Array("naïve ☕".utf8))
        #expect(try await StringDeserializer().deserialize(bytes, context: valueContext) == "naïve ☕")
        await #expect(throws: BrookError.self) {
            _ = try await StringDeserializer().deserialize(ByteBuffer(bytes: [0x61, 0xFF, 0x62]), context: valueContext)
        }
    }

    struct Order: Codable, Equatable, Sendable {
        var id: String
        var amountCents: Int
    }

    @Test func codableJSONRoundTripsWithSortedKeysAndNamesTheBadField() async throws {
        let bytes = try await JSONSerializer<Order>().serialize(Order(id: "o-1", amountCents: 250), context: valueContext)
        #expect(String(buffer: bytes) == #"{"amountCents":250,"id":"o-1"}"#)
        #expect(try await JSONDeserializer<Order>().deserialize(bytes, context: valueContext) == Order(id: "o-1", amountCents: 250))
        await #expect {
            _ = try await JSONDeserializer<Order>().deserialize(ByteBuffer(string: #"{"id":"o-1","amountCents":"x"}"#), context: valueContext)
        } throws: { error in
            guard let error = error as? BrookError else { return false }
            return error.kind == .deserializationFailed && error.message.contains("amountCents")
        }
    }
}

@Suite struct SubjectNameStrategyTests {
    @Test func namesSubjectsAsConfluentDoes() throws {
        #expect(try SubjectNameStrategy.topicName.subject(topic: "orders", component: .key, recordName: nil) == "orders-key")
        #expect(try SubjectNameStrategy.topicName.subject(topic: "orders", component: .value, recordName: "x.Y") == "orders-value")
        #expect(try SubjectNameStrategy.recordName.subject(topic: "orders", component: .value, recordName: "shop.OrderPlaced") == "shop.OrderPlaced")
        #expect(
            try SubjectNameStrategy.topicRecordName.subject(topic: "orders", component: .value, recordName: "shop.OrderPlaced")
                == "orders-shop.OrderPlaced")
        #expect(throws: BrookError.self) { _ = try SubjectNameStrategy.recordName.subject(topic: "t", component: .value, recordName: nil) }
    }
}
