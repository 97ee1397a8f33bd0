// Kafka's primitive wire types on ByteBuffer: fixed-width numbers, STRING / COMPACT_STRING,
// BYTES / COMPACT_BYTES, records, arrays, UUID, and tagged-field sections.
//
// Each reader takes `compact` (the message version is flexible) and `what` (the field path for
// error messages). Length and count prefixes are checked against the bytes that remain before
// anything is allocated, so a hostile 2-billion-element count fails at once instead of looping.
// Bytes and records are returned as slices of the input (no copy).
import NIOCore

extension ByteBuffer {
    // MARK: Fixed-width values

    public mutating func readKafkaInteger<Integer: FixedWidthInteger>(
        as type: Integer.Type = Integer.self, what: String
    ) throws -> Integer {
        guard let value = readInteger(as: Integer.self) else {
            throw KafkaProtocolError.truncated(what: what)
        }
        return value
    }

    /// Kafka's BOOLEAN: one byte, any non-zero value is true.
    public mutating func readKafkaBool(what: String) throws -> Bool {
        try readKafkaInteger(as: UInt8.self, what: what) != 0
    }

    public mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(value ? 1 : 0, as: UInt8.self)
    }

    /// Kafka's FLOAT64: IEEE 754 bits, big-endian.
    public mutating func readKafkaFloat64(what: String) throws -> Double {
        Double(bitPattern: try readKafkaInteger(as: UInt64.self, what: what))
    }

    public mutating func writeKafkaFloat64(_ value: Double) {
        writeInteger(value.bitPattern)
    }

    public mutating func readKafkaUUID(what: String) throws -> KafkaUUID {
        guard readableBytes >= 16,
            let most = readInteger(as: UInt64.self),
            let least = readInteger(as: UInt64.self)
        else { throw KafkaProtocolError.truncated(what: what) }
        return KafkaUUID(mostSignificantBits: most, leastSignificantBits: least)
    }

    public mutating func writeKafkaUUID(_ value: KafkaUUID) {
        writeInteger(value.mostSignificantBits)
        writeInteger(value.leastSignificantBits)
    }

    // MARK: Length prefixes

    /// Reads a length or count prefix: int16/int32 (-1 = null) or compact uvarint N+1 (0 = null).
    /// Returns nil for null. A length (or element count) larger than the bytes left is rejected.
    @inline(__always)
    mutating func readKafkaLengthPrefix(compact: Bool, wide: Bool, what: String) throws -> Int? {
        let length: Int
        if compact {
            let raw = try readUnsignedVarint32(what: what)
            if raw == 0 { return nil }
            length = Int(raw) - 1
        } else if wide {
            let raw = try readKafkaInteger(as: Int32.self, what: what)
            if raw < 0 {
                guard raw == -1 else { throw KafkaProtocolError.invalidLength(what: what, length: Int(raw)) }
                return nil
            }
            length = Int(raw)
        } else {
            let raw = try readKafkaInteger(as: Int16.self, what: what)
            if raw < 0 {
                guard raw == -1 else { throw KafkaProtocolError.invalidLength(what: what, length: Int(raw)) }
                return nil
            }
            length = Int(raw)
        }
        guard length <= readableBytes else {
            throw KafkaProtocolError.invalidLength(what: what, length: length)
        }
        return length
    }

    @inline(__always)
    mutating func writeKafkaLengthPrefix(_ length: Int?, compact: Bool, wide: Bool) {
        if compact {
            guard let length else { writeInteger(0, as: UInt8.self); return }
            writeUnsignedVarint(UInt32(truncatingIfNeeded: length + 1))
        } else if wide {
            writeInteger(Int32(truncatingIfNeeded: length ?? -1))
        } else {
            writeInteger(Int16(truncatingIfNeeded: length ?? -1))
        }
    }

    // MARK: Strings

    public mutating func readKafkaNullableString(compact: Bool, what: String) throws -> String? {
        guard let length = try readKafkaLengthPrefix(compact: compact, wide: false, what: what) else {
            return nil
        }
        return try readKafkaUTF8(length: length, what: what)
    }

    public mutating func readKafkaString(compact: Bool, what: String) throws -> String {
        guard let length = try readKafkaLengthPrefix(compact: compact, wide: false, what: what) else {
            throw KafkaProtocolError.invalidLength(what: what, length: -1)
        }
        return try readKafkaUTF8(length: length, what: what)
    }

    private mutating func readKafkaUTF8(length: Int, what: String) throws -> String {
        let isValid = withUnsafeReadableBytes { raw -> Bool in
            let bytes = UnsafeRawBufferPointer(rebasing: raw.prefix(length))
            // Names and ids are nearly always ASCII: skip the decoder for them.
            if !bytes.contains(where: { $0 >= 0x80 }) { return true }
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
        guard isValid else { throw KafkaProtocolError.invalidUTF8(what: what) }
        guard let string = readString(length: length) else { throw KafkaProtocolError.truncated(what: what) }
        return string
    }

    /// Longest string a non-compact (int16 length) STRING can carry.
    public static let kafkaStringBytesMax = Int(Int16.max)

    public mutating func writeKafkaString(_ value: String, compact: Bool) {
        var value = value
        value.withUTF8 { utf8 in
            // A non-compact string longer than an int16 cannot be represented; write the longest
            // prefix that fits so the frame stays well-formed (callers validate names up front).
            let count = compact ? utf8.count : Swift.min(utf8.count, Self.kafkaStringBytesMax)
            writeKafkaLengthPrefix(count, compact: compact, wide: false)
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8).prefix(count)))
        }
    }

    public mutating func writeKafkaNullableString(_ value: String?, compact: Bool) {
        guard let value else {
            writeKafkaLengthPrefix(nil, compact: compact, wide: false)
            return
        }
        writeKafkaString(value, compact: compact)
    }

    // MARK: Bytes and records

    /// BYTES / COMPACT_BYTES as a slice of this buffer (no copy).
    public mutating func readKafkaNullableBytes(compact: Bool, what: String) throws -> ByteBuffer? {
        guard let length = try readKafkaLengthPrefix(compact: compact, wide: true, what: what) else {
            return nil
        }
        guard let slice = readSlice(length: length) else { throw KafkaProtocolError.truncated(what: what) }
        return slice
    }

    public mutating func readKafkaBytes(compact: Bool, what: String) throws -> ByteBuffer {
        guard let bytes = try readKafkaNullableBytes(compact: compact, what: what) else {
            throw KafkaProtocolError.invalidLength(what: what, length: -1)
        }
        return bytes
    }

    public mutating func writeKafkaBytes(_ value: ByteBuffer, compact: Bool) {
        writeKafkaLengthPrefix(value.readableBytes, compact: compact, wide: true)
        writeImmutableBuffer(value)
    }

    public mutating func writeKafkaNullableBytes(_ value: ByteBuffer?, compact: Bool) {
        guard let value else {
            writeKafkaLengthPrefix(nil, compact: compact, wide: true)
            return
        }
        writeKafkaBytes(value, compact: compact)
    }

    // MARK: Arrays

    /// ARRAY / COMPACT_ARRAY; nil for a null array. The count must not exceed the bytes left
    /// (Kafka's own bound: no element is smaller than a byte in any array worth sending).
    public mutating func readKafkaNullableArray<Element>(
        compact: Bool, what: String, _ readElement: (inout ByteBuffer) throws -> Element
    ) throws -> [Element]? {
        guard let count = try readKafkaLengthPrefix(compact: compact, wide: true, what: what) else {
            return nil
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    public mutating func readKafkaArray<Element>(
        compact: Bool, what: String, _ readElement: (inout ByteBuffer) throws -> Element
    ) throws -> [Element] {
        guard let elements = try readKafkaNullableArray(compact: compact, what: what, readElement) else {
            throw KafkaProtocolError.invalidLength(what: what, length: -1)
        }
        return elements
    }

    public mutating func writeKafkaArray<Element>(
        _ elements: [Element], compact: Bool, _ writeElement: (Element, inout ByteBuffer) -> Void
    ) {
        writeKafkaLengthPrefix(elements.count, compact: compact, wide: true)
        for element in elements {
            writeElement(element, &self)
        }
    }

    public mutating func writeKafkaNullableArray<Element>(
        _ elements: [Element]?, compact: Bool, _ writeElement: (Element, inout ByteBuffer) -> Void
    ) {
        guard let elements else {
            writeKafkaLengthPrefix(nil, compact: compact, wide: true)
            return
        }
        writeKafkaArray(elements, compact: compact, writeElement)
    }

    // MARK: Nullable structs

    /// A nullable struct is preceded by an int8: -1 for null, 1 for present.
    public mutating func readKafkaStructPresence(what: String) throws -> Bool {
        try readKafkaInteger(as: Int8.self, what: what) >= 0
    }

    // MARK: Tagged fields

    /// Reads the count of a tagged-field section, bounded by the bytes left (each field needs at
    /// least a tag byte and a size byte).
    public mutating func readKafkaTaggedFieldCount(what: String) throws -> Int {
        let count = Int(try readUnsignedVarint32(what: what))
        guard count <= readableBytes / 2 else {
            throw KafkaProtocolError.invalidLength(what: what, length: count)
        }
        return count
    }

    /// Reads one tagged field's tag, size and payload (as a slice).
    public mutating func readKafkaTaggedField(what: String) throws -> TaggedField {
        let tag = try readUnsignedVarint32(what: what)
        let size = Int(try readUnsignedVarint32(what: what))
        guard let data = readSlice(length: size) else {
            throw KafkaProtocolError.invalidLength(what: what, length: size)
        }
        return TaggedField(tag: tag, data: data)
    }

    /// Reads a whole tagged-field section for a struct that knows no tags in this version.
    public mutating func readKafkaUnknownTaggedFields(what: String) throws -> [TaggedField] {
        let count = try readKafkaTaggedFieldCount(what: what)
        if count == 0 { return [] }
        var fields: [TaggedField] = []
        fields.reserveCapacity(count)
        for _ in 0..<count {
            fields.append(try readKafkaTaggedField(what: what))
        }
        return fields
    }

    /// Writes one known tagged field: tag, size, then whatever `writeValue` writes.
    public mutating func writeKafkaTaggedField(tag: UInt32, _ writeValue: (inout ByteBuffer) -> Void) {
        var value = ByteBuffer()
        writeValue(&value)
        writeUnsignedVarint(tag)
        writeUnsignedVarint(UInt32(truncatingIfNeeded: value.readableBytes))
        writeBuffer(&value)
    }

    /// Writes tagged fields kept from decoding, unchanged.
    public mutating func writeKafkaTaggedFields(_ fields: [TaggedField]) {
        for field in fields {
            writeUnsignedVarint(field.tag)
            writeUnsignedVarint(UInt32(truncatingIfNeeded: field.data.readableBytes))
            writeImmutableBuffer(field.data)
        }
    }
}
