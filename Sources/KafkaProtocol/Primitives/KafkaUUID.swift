// Kafka's UUID type: 16 bytes on the wire, most significant half first.
//
// Topic ids and client instance ids use it. Kafka prints UUIDs as 22 characters of unpadded
// base64url, which `description` reproduces so ids match what Kafka tools show.

public struct KafkaUUID: Hashable, Sendable, CustomStringConvertible {
    public var mostSignificantBits: UInt64
    public var leastSignificantBits: UInt64

    public init(mostSignificantBits: UInt64, leastSignificantBits: UInt64) {
        self.mostSignificantBits = mostSignificantBits
        self.leastSignificantBits = leastSignificantBits
    }

    /// The all-zero UUID, Kafka's "no id" value.
    public static let zero = KafkaUUID(mostSignificantBits: 0, leastSignificantBits: 0)

    /// A random version-4 UUID, as Kafka's `Uuid.randomUuid()` makes.
    public static func random() -> KafkaUUID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A random version-4 UUID from the given generator (seeded generators make tests repeatable).
    public static func random<Generator: RandomNumberGenerator>(using generator: inout Generator) -> KafkaUUID {
        var most = generator.next() as UInt64
        var least = generator.next() as UInt64
        // Version 4 in the high nibble of byte 6, IETF variant in the top bits of byte 8.
        most = (most & ~0xF000) | 0x4000
        least = (least & ~(0xC000_0000_0000_0000 as UInt64)) | 0x8000_0000_0000_0000
        return KafkaUUID(mostSignificantBits: most, leastSignificantBits: least)
    }

    /// The 16 bytes in wire order.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: mostSignificantBits >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: leastSignificantBits >> UInt64(shift))) }
        return result
    }

    private static let base64URLAlphabet: [Character] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    /// Kafka's text form: unpadded base64url of the 16 bytes (22 characters).
    public var description: String {
        let input = bytes
        var output = ""
        output.reserveCapacity(22)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let first = UInt32(input[index])
            let second = remaining > 1 ? UInt32(input[index + 1]) : 0
            let third = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = (first << 16) | (second << 8) | third
            let characterCount = remaining >= 3 ? 4 : remaining + 1
            for position in 0..<characterCount {
                let sextet = Int((group >> UInt32(18 - 6 * position)) & 0x3F)
                output.append(Self.base64URLAlphabet[sextet])
            }
            index += 3
        }
        return output
    }
}
