// Foundation-free Swift values for Avro's logical types (spec §Logical Types), used by types
// that `brook codegen` generates. Each wraps the underlying Avro value exactly, so decoding and
// re-encoding gives the same bytes; the Codable form is the underlying number or string.

/// Avro `null` as a stored value (a field whose type is just "null").
public struct AvroNull: Sendable, Hashable, Codable {
    public init() {}
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard container.decodeNil() else {
            throw DecodingError.typeMismatch(AvroNull.self, .init(codingPath: decoder.codingPath, debugDescription: "expected null"))
        }
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

/// `date`: days since 1970-01-01.
public struct AvroDate: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(daysSinceEpoch: Int32) { rawValue = daysSinceEpoch }
    public var daysSinceEpoch: Int32 { rawValue }
}

/// `time-millis`: milliseconds after midnight.
public struct AvroTimeMillis: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(millisecondsSinceMidnight: Int32) { rawValue = millisecondsSinceMidnight }
    public var millisecondsSinceMidnight: Int32 { rawValue }
}

/// `time-micros`: microseconds after midnight.
public struct AvroTimeMicros: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(microsecondsSinceMidnight: Int64) { rawValue = microsecondsSinceMidnight }
    public var microsecondsSinceMidnight: Int64 { rawValue }
}

/// `timestamp-millis`: an instant, milliseconds since the Unix epoch (UTC).
public struct AvroTimestampMillis: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(millisecondsSinceEpoch: Int64) { rawValue = millisecondsSinceEpoch }
    public var millisecondsSinceEpoch: Int64 { rawValue }
}

/// `timestamp-micros`: an instant, microseconds since the Unix epoch (UTC).
public struct AvroTimestampMicros: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(microsecondsSinceEpoch: Int64) { rawValue = microsecondsSinceEpoch }
    public var microsecondsSinceEpoch: Int64 { rawValue }
}

/// `timestamp-nanos`: an instant, nanoseconds since the Unix epoch (UTC).
public struct AvroTimestampNanos: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(nanosecondsSinceEpoch: Int64) { rawValue = nanosecondsSinceEpoch }
    public var nanosecondsSinceEpoch: Int64 { rawValue }
}

/// `local-timestamp-millis`: a wall-clock time without zone, milliseconds since 1970-01-01T00:00.
public struct AvroLocalTimestampMillis: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(millisecondsSinceLocalEpoch: Int64) { rawValue = millisecondsSinceLocalEpoch }
}

/// `local-timestamp-micros`: microseconds since 1970-01-01T00:00, local time.
public struct AvroLocalTimestampMicros: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(microsecondsSinceLocalEpoch: Int64) { rawValue = microsecondsSinceLocalEpoch }
}

/// `local-timestamp-nanos`: nanoseconds since 1970-01-01T00:00, local time.
public struct AvroLocalTimestampNanos: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(nanosecondsSinceLocalEpoch: Int64) { rawValue = nanosecondsSinceLocalEpoch }
}

/// `uuid` (on string or fixed(16)): 128 bits; its text form is the lower-case 8-4-4-4-12 spelling.
public struct AvroUUID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the 36-character 8-4-4-4-12 form (either case); nil for anything else.
    public init?(uuidString: String) {
        let utf8 = Array(uuidString.utf8)
        guard utf8.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for (index, character) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            nibbles += 1
        }
        self.init(high: high, low: low)
    }

    /// The 16 bytes, big-endian (the layout of `uuid` on fixed(16)).
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        self.init(high: high, low: low)
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * $0)) }
    }

    public var uuidString: String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { output.append(UInt8(ascii: "-")) }
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    public var description: String { uuidString }

    /// Reads the string form; a string that is not a UUID is a typed decoding error.
    public static func avroParse(_ text: String) throws(AvroValueError) -> AvroUUID {
        guard let uuid = AvroUUID(uuidString: text) else {
            throw AvroValueError(kind: .typeMismatch, path: "", message: "'\(text.prefix(64))' is not a UUID")
        }
        return uuid
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = AvroUUID(uuidString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a UUID: \(text)"))
        }
        self = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(uuidString)
    }
}

/// `decimal` (on bytes or fixed): the unscaled value as big-endian two's-complement bytes, kept as
/// written so re-encoding is byte-identical. The scale comes from the schema.
public struct AvroDecimal: Sendable, Hashable, Codable, CustomStringConvertible {
    public var unscaledBytes: [UInt8]
    public var scale: Int

    public init(unscaledBytes: [UInt8], scale: Int) {
        self.unscaledBytes = unscaledBytes
        self.scale = scale
    }

    /// The shortest two's-complement form of `unscaled` (as Java's BigInteger.toByteArray()).
    public init(unscaled: Int64, scale: Int) {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: unscaled >> Int64(56 - 8 * $0)) }
        while bytes.count > 1 {
            let signBitOfNext = bytes[1] & 0x80
            if (bytes[0] == 0 && signBitOfNext == 0) || (bytes[0] == 0xff && signBitOfNext != 0) {
                bytes.removeFirst()
            } else {
                break
            }
        }
        self.init(unscaledBytes: bytes, scale: scale)
    }

    /// The unscaled value when it fits 64 bits.
    public var unscaledInt64: Int64? {
        guard !unscaledBytes.isEmpty else { return 0 }
        let negative = unscaledBytes[0] & 0x80 != 0
        var significant = unscaledBytes[...]
        while significant.count > 8, significant.first == (negative ? 0xff : 0) { significant = significant.dropFirst() }
        guard significant.count <= 8 else { return nil }
        var value: UInt64 = negative ? UInt64.max : 0
        for byte in significant { value = value << 8 | UInt64(byte) }
        return Int64(bitPattern: value)
    }

    /// Decimal text ("-12.34") when the unscaled value fits 64 bits; the hex bytes otherwise.
    public var description: String {
        guard let unscaled = unscaledInt64 else {
            return "decimal(0x" + unscaledBytes.map { String($0, radix: 16) }.joined() + ", scale: \(scale))"
        }
        guard scale > 0 else { return String(unscaled) }
        let magnitude = String(unscaled.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - magnitude.count)) + magnitude
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return (unscaled < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }
}

/// `duration` on fixed(12): three little-endian unsigned 32-bit counts.
public struct AvroDuration: Sendable, Hashable, Codable {
    public var months: UInt32
    public var days: UInt32
    public var milliseconds: UInt32

    public init(months: UInt32, days: UInt32, milliseconds: UInt32) {
        self.months = months
        self.days = days
        self.milliseconds = milliseconds
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        func word(_ offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << UInt32(8 * $1) }
        }
        self.init(months: word(0), days: word(4), milliseconds: word(8))
    }

    public var bytes: [UInt8] {
        [months, days, milliseconds].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(8 * $0)) } }
    }
}

// MARK: Helpers called by generated code

extension AvroUUID {
    /// Reads `uuid` on fixed(16); any other size is a typed decoding error.
    public static func avroFixed(_ bytes: [UInt8]) throws(AvroValueError) -> AvroUUID {
        guard let uuid = AvroUUID(bytes: bytes) else {
            throw AvroValueError(kind: .fixedSizeMismatch, path: "", message: "a uuid fixed needs 16 bytes, found \(bytes.count)")
        }
        return uuid
    }
}

extension AvroDuration {
    /// Reads `duration` on fixed(12); any other size is a typed decoding error.
    public static func avroFixed(_ bytes: [UInt8]) throws(AvroValueError) -> AvroDuration {
        guard let duration = AvroDuration(bytes: bytes) else {
            throw AvroValueError(kind: .fixedSizeMismatch, path: "", message: "a duration fixed needs 12 bytes, found \(bytes.count)")
        }
        return duration
    }
}

extension AvroDecimal {
    /// The unscaled bytes sign-extended to `size` for a decimal on fixed(size). A value that
    /// needs more bytes than the fixed holds keeps only its low `size` bytes, like a C cast:
    /// callers check `fits(fixedSize:)` before encoding values they did not range-check.
    public func avroFixedBytes(size: Int) -> [UInt8] {
        if unscaledBytes.count >= size { return Array(unscaledBytes.suffix(size)) }
        let fill: UInt8 = (unscaledBytes.first ?? 0) & 0x80 != 0 ? 0xff : 0
        return [UInt8](repeating: fill, count: size - unscaledBytes.count) + unscaledBytes
    }

    /// True when the unscaled value fits a fixed of `size` bytes without losing digits.
    public func fits(fixedSize size: Int) -> Bool {
        guard unscaledBytes.count > size else { return true }
        let negative = (unscaledBytes.first ?? 0) & 0x80 != 0
        let extra = unscaledBytes.prefix(unscaledBytes.count - size)
        guard extra.allSatisfy({ $0 == (negative ? 0xff : 0) }) else { return false }
        let kept = unscaledBytes[unscaledBytes.count - size]
        return (kept & 0x80 != 0) == negative
    }
}
