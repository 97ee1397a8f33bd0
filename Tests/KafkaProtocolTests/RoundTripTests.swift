// Round-trip property tests: for every generated message and every valid version, seeded random
// values (valid for that version) encode, decode back equal, and consume exactly their bytes.
//
// The builders come from RandomMessages.generated.swift; RandomValues here supplies the leaves.
// A failure names the message, version and seed, so it can be replayed.
import KafkaProtocol
import NIOCore
import Testing

protocol RandomizableMessage: KafkaMessage, Equatable {
    static func random<Generator: RandomNumberGenerator>(version: Int16, using generator: inout Generator) -> Self
}

/// SplitMix64: small, fast and seedable, so failures replay from the printed seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

enum RandomValues {
    /// Arrays hold 0...arrayCountMax elements: enough to exercise counts, small enough to stay fast.
    static let arrayCountMax = 2
    static let bytesCountMax = 40
    /// Unknown tags are numbered above any tag Kafka uses, so they sort after the known ones.
    static let unknownTagBase: UInt32 = 1000
    static let stringPieces = ["", "a", "topic-1", "é", "✓ unicode", "__consumer_offsets", "x.y_z"]

    static func integer<Integer: FixedWidthInteger>(as type: Integer.Type, using generator: inout some RandomNumberGenerator) -> Integer {
        // Mix edge values in with uniform ones.
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: return 0
        case 1: return Integer.max
        case 2: return Integer.min
        default: return Integer.random(in: Integer.min...Integer.max, using: &generator)
        }
    }

    static func double(using generator: inout some RandomNumberGenerator) -> Double {
        Bool.random(using: &generator) ? 0 : Double.random(in: -1e9...1e9, using: &generator)
    }

    static func string(using generator: inout some RandomNumberGenerator) -> String {
        let count = Int.random(in: 0...3, using: &generator)
        var result = ""
        for _ in 0..<count {
            result += stringPieces[Int.random(in: 0..<stringPieces.count, using: &generator)]
        }
        return result
    }

    static func nullableString(nullable: Bool, using generator: inout some RandomNumberGenerator) -> String? {
        if nullable && Int.random(in: 0..<4, using: &generator) == 0 { return nil }
        return string(using: &generator)
    }

    static func bytes(using generator: inout some RandomNumberGenerator) -> ByteBuffer {
        let count = Int.random(in: 0...bytesCountMax, using: &generator)
        var buffer = ByteBuffer()
        for _ in 0..<count {
            buffer.writeInteger(UInt8.random(in: 0...255, using: &generator))
        }
        return buffer
    }

    static func nullableBytes(nullable: Bool, using generator: inout some RandomNumberGenerator) -> ByteBuffer? {
        if nullable && Int.random(in: 0..<4, using: &generator) == 0 { return nil }
        return bytes(using: &generator)
    }

    static func optional<Value, Generator: RandomNumberGenerator>(
        nullable: Bool, using generator: inout Generator, _ build: (inout Generator) -> Value
    ) -> Value? {
        if nullable && Int.random(in: 0..<3, using: &generator) == 0 { return nil }
        return build(&generator)
    }

    static func array<Element, Generator: RandomNumberGenerator>(
        using generator: inout Generator, _ build: (inout Generator) -> Element
    ) -> [Element] {
        let count = Int.random(in: 0...arrayCountMax, using: &generator)
        var elements: [Element] = []
        for _ in 0..<count {
            elements.append(build(&generator))
        }
        return elements
    }

    static func nullableArray<Element, Generator: RandomNumberGenerator>(
        nullable: Bool, using generator: inout Generator, _ build: (inout Generator) -> Element
    ) -> [Element]? {
        if nullable && Int.random(in: 0..<4, using: &generator) == 0 { return nil }
        return array(using: &generator, build)
    }

    static func unknownTaggedFields(using generator: inout some RandomNumberGenerator) -> [TaggedField] {
        // Mostly none, as on the wire; sometimes a couple, to prove they survive a round trip.
        guard Int.random(in: 0..<4, using: &generator) == 0 else { return [] }
        let count = Int.random(in: 1...2, using: &generator)
        return (0..<count).map { index in
            TaggedField(tag: unknownTagBase + UInt32(index), data: bytes(using: &generator))
        }
    }
}

/// Seeds per message and version; each seed gives a different shape of nested arrays.
private let seedsPerVersion: UInt64 = 8

private func roundTripFailures<Message: RandomizableMessage>(_ type: Message.Type) -> [String] {
    var failures: [String] = []
    for version in Message.validVersions {
        for seed in 0..<seedsPerVersion {
            var generator = SeededGenerator(seed: seed &* 7919 &+ UInt64(version))
            let original = Message.random(version: version, using: &generator)
            var buffer = ByteBuffer()
            original.encode(into: &buffer, version: version)
            let encodedBytes = buffer.readableBytes
            do {
                let decoded = try Message(from: &buffer, version: version)
                if decoded != original {
                    failures.append("\(Message.self) v\(version) seed \(seed): decoded value differs")
                } else if buffer.readableBytes != 0 {
                    failures.append("\(Message.self) v\(version) seed \(seed): \(buffer.readableBytes) of \(encodedBytes) bytes left")
                }
            } catch {
                failures.append("\(Message.self) v\(version) seed \(seed): \(error)")
            }
        }
    }
    return failures
}

@Suite struct RoundTripTests {
    @Test func everyMessageEveryVersionRoundTrips() {
        var failures: [String] = []
        for type in allRandomizableMessageTypes {
            failures += roundTripFailures(type)
        }
        let failureCount = failures.count
        #expect(failureCount == 0, "\(failures.prefix(20).joined(separator: "\n"))")
        // The list really covers all APIs (two messages each) plus the two data messages.
        #expect(allRandomizableMessageTypes.count == ApiKey.allCases.count * 2 + 2)
    }

    @Test func randomValuesAreNotAllDefaults() {
        // Guards the property test itself: builders must actually fill fields in.
        var generator = SeededGenerator(seed: 42)
        var differing = 0
        for _ in 0..<10 {
            if ProduceRequest.random(version: 11, using: &generator) != ProduceRequest() { differing += 1 }
        }
        #expect(differing >= 8)
    }

    @Test func defaultValuedTaggedFieldsAreNotWritten() {
        // Debian's librdkafka 2.0.2 fails on an ApiVersions response carrying default-valued tags.
        let response = ApiVersionsResponse(
            errorCode: 0, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 4)], throttleTimeMs: 0)
        var buffer = ByteBuffer()
        response.encode(into: &buffer, version: 3)
        // error code (2) + compact array count (1) + one entry (2+2+2+1 tags) + throttle (4) + tags (1)
        #expect(buffer.readableBytes == 2 + 1 + 7 + 4 + 1)
        #expect(buffer.getInteger(at: buffer.writerIndex - 1, as: UInt8.self) == 0)

        var withFeatures = response
        withFeatures.finalizedFeaturesEpoch = 7
        var featureBuffer = ByteBuffer()
        withFeatures.encode(into: &featureBuffer, version: 3)
        let decoded = try? ApiVersionsResponse(from: &featureBuffer, version: 3)
        #expect(decoded?.finalizedFeaturesEpoch == 7)
        #expect(decoded?.supportedFeatures == [])
    }

    @Test func nullableStructUsesPresenceByte() throws {
        var response = ConsumerGroupHeartbeatResponse(memberEpoch: 3, heartbeatIntervalMs: 5000)
        var buffer = ByteBuffer()
        response.encode(into: &buffer, version: 0)
        #expect(buffer.getInteger(at: buffer.writerIndex - 2, as: Int8.self) == -1)
        response.assignment = .init(topicPartitions: [.init(topicId: .random(), partitions: [0, 2])])
        var presentBuffer = ByteBuffer()
        response.encode(into: &presentBuffer, version: 0)
        let decoded = try ConsumerGroupHeartbeatResponse(from: &presentBuffer, version: 0)
        #expect(decoded == response)
    }

    @Test func absentFieldsAreSkippedAndDefaulted() throws {
        // ProduceRequest v2 has no transactional id; it is not written and decodes as the default.
        let request = ProduceRequest(transactionalId: "txn", acks: -1, timeoutMs: 1500, topicData: [])
        var buffer = ByteBuffer()
        request.encode(into: &buffer, version: 2)
        #expect(buffer.readableBytes == 2 + 4 + 4)
        let decoded = try ProduceRequest(from: &buffer, version: 2)
        #expect(decoded.transactionalId == nil)
        #expect(decoded.acks == -1)
        #expect(decoded.timeoutMs == 1500)
    }

    @Test func versionsOutsideTheValidRangeAreRejected() {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 0])
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: 18, version: 99)) {
            _ = try ApiVersionsRequest(from: &buffer, version: 99)
        }
        #expect(throws: KafkaProtocolError.unknownApiKey(9999)) {
            _ = try KafkaRequestBody.decode(apiKey: 9999, version: 0, from: &buffer)
        }
    }
}
