// Kafka's murmur2 hash and the Java client's default key partitioning.
//
// Java's producer (and kafka-python, and librdkafka's `murmur2_random`) place a keyed record
// on partition `toPositive(murmur2(key)) % partitionCount`, where toPositive clears the sign
// bit. Matching it bit for bit keeps keys on the same partitions as Java producers.
public enum Murmur2 {
    static let seed: UInt32 = 0x9747_b28c
    static let multiplier: UInt32 = 0x5bd1_e995
    static let shift: UInt32 = 24

    /// Java's `Utils.murmur2(byte[])`, returned as the same signed 32-bit value.
    public static func hash<Bytes: Collection>(_ bytes: Bytes) -> Int32 where Bytes.Element == UInt8 {
        if let hash = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return hash }
        return Array(bytes).withUnsafeBytes { hash($0) }
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let length = bytes.count
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        let wholeWords = length / 4
        for word in 0..<wholeWords {
            let index = word * 4
            var k = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
                | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
            k = k &* multiplier
            k ^= k >> shift
            k = k &* multiplier
            h = h &* multiplier
            h ^= k
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(bytes[tail + 2]) << 16
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h = h &* multiplier
        case 2:
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h = h &* multiplier
        case 1:
            h ^= UInt32(bytes[tail])
            h = h &* multiplier
        default:
            break
        }
        h ^= h >> 13
        h = h &* multiplier
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Java's `Utils.toPositive`: the value with its sign bit cleared (not its absolute value).
    public static func toPositive(_ value: Int32) -> Int32 { value & 0x7fff_ffff }
}

/// The partition Kafka's Java default partitioner picks for a non-null key.
/// `partitionCount` must be positive; 0 or less yields nil rather than a division trap.
public func kafkaPartition<Bytes: Collection>(forKey key: Bytes, partitionCount: Int) -> Int?
where Bytes.Element == UInt8 {
    guard partitionCount > 0 else { return nil }
    return Int(Murmur2.toPositive(Murmur2.hash(key))) % partitionCount
}
