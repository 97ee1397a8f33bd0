// Wire primitives against known encodings: varints (Kafka's ByteUtils vectors), zigzag, compact
// and classic strings/bytes/arrays, UUIDs, error codes, and the typed errors for bad input.
import KafkaProtocol
import NIOCore
import Testing

@Suite struct PrimitiveTests {
    @Test func unsignedVarintKnownEncodings() throws {
        let vectors: [(UInt32, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]), (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ]
        for (value, bytes) in vectors {
            var buffer = ByteBuffer()
            buffer.writeUnsignedVarint(value)
            #expect(Array(buffer.readableBytesView) == bytes, "\(value)")
            #expect(try buffer.readUnsignedVarint32() == value)
            #expect(ByteBuffer.unsignedVarintSize(UInt64(value)) == bytes.count)
        }
    }

    @Test func zigzagKnownEncodings() throws {
        let vectors: [(Int64, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
        ]
        for (value, bytes) in vectors {
            var buffer = ByteBuffer()
            buffer.writeVarint(value)
            #expect(Array(buffer.readableBytesView) == bytes, "\(value)")
            #expect(try buffer.readVarint64() == value)
            var narrow = ByteBuffer()
            narrow.writeVarint(Int32(value))
            #expect(try narrow.readVarint32() == Int32(value))
        }
        for value in [Int64.min, Int64.max, Int64(Int32.min), Int64(Int32.max)] {
            var buffer = ByteBuffer()
            buffer.writeVarint(value)
            #expect(buffer.readableBytes == ByteBuffer.varintSize(value))
            #expect(try buffer.readVarint64() == value)
        }
    }

    @Test func overlongAndTruncatedVarintsAreRejected() {
        var overlong = ByteBuffer(bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(throws: KafkaProtocolError.varintTooLong(what: "count")) { _ = try overlong.readUnsignedVarint32(what: "count") }
        var truncated = ByteBuffer(bytes: [0x80, 0x80])
        #expect(throws: KafkaProtocolError.truncated(what: "count")) { _ = try truncated.readUnsignedVarint32(what: "count") }
        // Nothing is consumed by a failed read.
        #expect(truncated.readableBytes == 2)
    }

    @Test func stringsInBothForms() throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaString("kafka", compact: false)
        buffer.writeKafkaString("kafka", compact: true)
        buffer.writeKafkaNullableString(nil, compact: false)
        buffer.writeKafkaNullableString(nil, compact: true)
        #expect(Array(buffer.readableBytesView) == [0, 5] + Array("kafka".utf8) + [6] + Array("kafka".utf8) + [0xFF, 0xFF, 0])
        #expect(try buffer.readKafkaString(compact: false, what: "a") == "kafka")
        #expect(try buffer.readKafkaString(compact: true, what: "b") == "kafka")
        #expect(try buffer.readKafkaNullableString(compact: false, what: "c") == nil)
        #expect(try buffer.readKafkaNullableString(compact: true, what: "d") == nil)
    }

    @Test func badStringsGetTypedErrors() {
        var null = ByteBuffer(bytes: [0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.invalidLength(what: "name", length: -1)) {
            _ = try null.readKafkaString(compact: false, what: "name")
        }
        var tooLong = ByteBuffer(bytes: [0x00, 0x09, 0x61])
        #expect(throws: KafkaProtocolError.invalidLength(what: "name", length: 9)) {
            _ = try tooLong.readKafkaString(compact: false, what: "name")
        }
        var invalid = ByteBuffer(bytes: [0x03, 0xC3, 0x28])
        #expect(throws: KafkaProtocolError.invalidUTF8(what: "name")) {
            _ = try invalid.readKafkaString(compact: true, what: "name")
        }
        var negative = ByteBuffer(bytes: [0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.invalidLength(what: "name", length: -2)) {
            _ = try negative.readKafkaNullableString(compact: false, what: "name")
        }
    }

    @Test func bytesAreZeroCopySlices() throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaBytes(ByteBuffer(bytes: [1, 2, 3]), compact: false)
        buffer.writeKafkaNullableBytes(nil, compact: true)
        let bytes = try buffer.readKafkaBytes(compact: false, what: "bytes")
        #expect(Array(bytes.readableBytesView) == [1, 2, 3])
        #expect(try buffer.readKafkaNullableBytes(compact: true, what: "bytes") == nil)
    }

    @Test func hugeArrayCountsFailBeforeAllocating() {
        var buffer = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(throws: KafkaProtocolError.invalidLength(what: "topics", length: Int(Int32.max))) {
            _ = try buffer.readKafkaArray(compact: false, what: "topics") { try $0.readKafkaInteger(as: Int8.self, what: "x") }
        }
        var tags = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: KafkaProtocolError.self) { _ = try tags.readKafkaUnknownTaggedFields(what: "tags") }
    }

    @Test func uuidTextFormMatchesKafka() throws {
        let uuid = KafkaUUID(mostSignificantBits: 0x0123_4567_89AB_CDEF, leastSignificantBits: 0xFEDC_BA98_7654_3210)
        // base64url("0123456789abcdeffedcba9876543210" as bytes), unpadded.
        #expect(uuid.description == "ASNFZ4mrze_-3LqYdlQyEA")
        #expect(KafkaUUID.zero.description == "AAAAAAAAAAAAAAAAAAAAAA")
        var buffer = ByteBuffer()
        buffer.writeKafkaUUID(uuid)
        #expect(buffer.readableBytes == 16)
        #expect(try buffer.readKafkaUUID(what: "id") == uuid)
        let random = KafkaUUID.random()
        #expect((random.mostSignificantBits >> 12) & 0xF == 4, "version 4")
    }

    @Test func errorCodesNameAndRetriability() {
        #expect(ErrorCode.unknownTopicOrPartition.rawValue == 3)
        #expect(ErrorCode.unknownTopicOrPartition.kafkaName == "UNKNOWN_TOPIC_OR_PARTITION")
        #expect(ErrorCode.unknownTopicOrPartition.isRetriable)
        #expect(ErrorCode.notLeaderOrFollower.isRetriable)
        #expect(!ErrorCode.topicAlreadyExists.isRetriable)
        #expect(ErrorCode.topicAlreadyExists.rawValue == 36)
        #expect(ErrorCode.invalidRecord.rawValue == 87)
        #expect(ErrorCode.memberIdRequired.rawValue == 79)
        #expect(ErrorCode.unknownServerError.rawValue == -1)
        #expect(ErrorCode.transactionAbortable.rawValue == 120)
        #expect(ErrorCode(rawValue: 4242).kafkaName == nil)
        #expect(ErrorCode(rawValue: 4242).description == "ERROR_CODE(4242)")
        // Every code from -1 through 120 has a name.
        for raw in Int16(-1)...120 {
            #expect(ErrorCode(rawValue: raw).kafkaName != nil, "\(raw)")
        }
    }

    @Test func errorMessagesSayWhat() {
        let error = KafkaProtocolError.truncated(what: "ProduceRequest.acks")
        #expect(error.description.contains("ProduceRequest.acks"))
        #expect(KafkaProtocolError.unsupportedVersion(apiKey: 0, version: 99).description.contains("Produce"))
    }

    @Test func consumerProtocolVersionPrefix() throws {
        let subscription = ConsumerProtocolSubscription(topics: ["a", "b"], userData: nil, rackId: "rack-1")
        var buffer = ByteBuffer()
        subscription.encodeWithVersionPrefix(into: &buffer, version: 3)
        // A newer version than we know parses with the newest layout (Kafka's forward compatibility).
        buffer.setInteger(Int16(9), at: buffer.readerIndex)
        let (version, decoded) = try ConsumerProtocolSubscription.decodeWithVersionPrefix(from: &buffer)
        #expect(version == 9)
        #expect(decoded.topics == ["a", "b"])
        #expect(decoded.rackId == "rack-1")
    }
}
