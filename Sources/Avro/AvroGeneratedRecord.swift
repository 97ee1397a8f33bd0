// The runtime side of `brook codegen`: the protocols generated Swift types conform to, and the
// small helpers their generated bodies call. Generated types encode and decode themselves
// straight through AvroBinaryWriter/AvroBinaryReader (no AvroValue on the hot path); AvroValue is
// only used when the writer schema differs from the type's own schema, where AvroResolver does
// the schema resolution and `init(avroValue:)` takes the reader-shaped result.

/// A type generated from an Avro schema node (record, enum, fixed or union).
public protocol AvroGeneratedType: Sendable, Equatable, Codable {
    /// Appends this value in Avro binary encoding, under the type's own schema.
    func avroEncode(to writer: inout AvroBinaryWriter)
    /// Reads one value written under the type's own schema.
    init(avroDecoding reader: inout AvroBinaryReader, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError)
    /// Builds the value from a generic datum shaped by the type's own schema (the resolution path).
    init(avroValue: AvroValue) throws(AvroValueError)
    /// The value as a generic datum under the type's own schema.
    var avroValue: AvroValue { get }
}

/// A record type generated from a schema file: it carries its schema.
public protocol AvroGeneratedRecord: AvroGeneratedType {
    /// The schema as Avro-Java's `Schema.toString()` writes it (what a registry stores).
    static var avroSchemaText: String { get }
    /// `avroSchemaText`, parsed once.
    static var avroSchema: AvroSchema { get }
    /// CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form.
    static var avroFingerprint: UInt64 { get }
}

extension AvroGeneratedRecord {
    /// The value in Avro binary encoding.
    public func avroEncoded(capacity: Int = 128) -> [UInt8] {
        var writer = AvroBinaryWriter(capacity: capacity)
        avroEncode(to: &writer)
        return writer.bytes
    }

    /// Decodes bytes written with this type's own schema; the input must hold exactly one datum.
    public static func avroDecode(_ bytes: [UInt8], limits: AvroDecodingLimits = AvroDecodingLimits()) throws(AvroValueError) -> Self {
        let result: Result<Self, AvroValueError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(AvroValueError) -> Self in try avroDecode(buffer, limits: limits) }
        }
        return try result.get()
    }

    /// Decodes one datum from a buffer written with this type's own schema.
    public static func avroDecode(_ buffer: UnsafeRawBufferPointer, limits: AvroDecodingLimits = AvroDecodingLimits()) throws(AvroValueError) -> Self {
        var reader = AvroBinaryReader(buffer)
        let value = try Self(avroDecoding: &reader, limits: limits, depth: 0)
        guard reader.remaining == 0 else {
            throw AvroValueError(kind: .trailingBytes, path: "", message: "\(reader.remaining) bytes left after the datum")
        }
        return value
    }

    /// Decodes bytes written with `writerSchema` (schema resolution when it differs from ours).
    /// Build an `AvroRecordReader` once instead when decoding many datums.
    public static func avroDecode(_ bytes: [UInt8], writerSchema: AvroSchema) throws(AvroValueError) -> Self {
        try AvroRecordReader<Self>(writerSchema: writerSchema).decode(bytes)
    }
}

/// Reads datums written with one writer schema into a generated record type. When the writer
/// schema has the type's own fingerprint the generated decoder runs directly; otherwise the
/// bytes go through an AvroResolver compiled once here.
public struct AvroRecordReader<Record: AvroGeneratedRecord>: Sendable {
    private let resolver: AvroResolver?
    public let limits: AvroDecodingLimits

    public init(writerSchema: AvroSchema, limits: AvroDecodingLimits = AvroDecodingLimits()) throws(AvroValueError) {
        self.limits = limits
        if writerSchema.fingerprint64 == Record.avroFingerprint {
            resolver = nil
        } else {
            resolver = try AvroResolver(writer: writerSchema, reader: Record.avroSchema, limits: limits)
        }
    }

    /// True when datums go through schema resolution (the writer schema differs from ours).
    public var isResolving: Bool { resolver != nil }

    public func decode(_ bytes: [UInt8]) throws(AvroValueError) -> Record {
        let result: Result<Record, AvroValueError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(AvroValueError) -> Record in try decode(buffer) }
        }
        return try result.get()
    }

    public func decode(_ buffer: UnsafeRawBufferPointer) throws(AvroValueError) -> Record {
        guard let resolver else { return try Record.avroDecode(buffer, limits: limits) }
        return try Record(avroValue: resolver.decode(buffer))
    }
}

// MARK: Helpers called by generated code

extension AvroDecodingLimits {
    /// Throws when a generated decoder nests deeper than `nestingDepthMax`.
    @inline(__always)
    public func checkDepth(_ depth: Int) throws(AvroValueError) {
        guard depth < nestingDepthMax else {
            throw AvroValueError(kind: .limitExceeded, path: "", message: "value nesting deeper than \(nestingDepthMax)")
        }
    }
}

extension AvroBinaryReader {
    /// Reads an array or map block header: the item count of the next block, 0 at the end.
    @inline(__always)
    public mutating func readCollectionBlockCount(itemsSoFar: Int, limits: AvroDecodingLimits) throws(AvroValueError) -> Int {
        try readBlockCount(itemsSoFar: itemsSoFar, limits: limits)
    }

    /// Reads a union branch index and checks it against the union's branch count.
    @inline(__always)
    public mutating func readUnionBranch(count: Int) throws(AvroValueError) -> Int {
        let index = try readLong()
        guard index >= 0, index < Int64(count) else {
            throw AvroValueError(kind: .unionBranchOutOfRange, path: "", message: "union has \(count) branches, data selects \(index)")
        }
        return Int(index)
    }

    /// Reads an enum ordinal and checks it against the enum's symbol count.
    @inline(__always)
    public mutating func readEnumOrdinal(count: Int, enumName: String) throws(AvroValueError) -> Int {
        let ordinal = try readInt()
        guard ordinal >= 0, Int(ordinal) < count else {
            throw AvroValueError(kind: .unknownSymbol, path: "", message: "enum '\(enumName)' has no ordinal \(ordinal)")
        }
        return Int(ordinal)
    }
}

extension AvroValue {
    private func mismatch(_ expected: String) -> AvroValueError {
        AvroValueError(kind: .typeMismatch, path: "", message: "expected \(expected), found \(caseName)")
    }

    public func decodeNull() throws(AvroValueError) {
        guard case .null = self else { throw mismatch("null") }
    }
    public func decodeBoolean() throws(AvroValueError) -> Bool {
        guard case .boolean(let value) = self else { throw mismatch("boolean") }
        return value
    }
    public func decodeInt() throws(AvroValueError) -> Int32 {
        guard case .int(let value) = self else { throw mismatch("int") }
        return value
    }
    public func decodeLong() throws(AvroValueError) -> Int64 {
        guard case .long(let value) = self else { throw mismatch("long") }
        return value
    }
    public func decodeFloat() throws(AvroValueError) -> Float {
        guard case .float(let value) = self else { throw mismatch("float") }
        return value
    }
    public func decodeDouble() throws(AvroValueError) -> Double {
        guard case .double(let value) = self else { throw mismatch("double") }
        return value
    }
    public func decodeBytes() throws(AvroValueError) -> [UInt8] {
        guard case .bytes(let value) = self else { throw mismatch("bytes") }
        return value
    }
    public func decodeString() throws(AvroValueError) -> String {
        guard case .string(let value) = self else { throw mismatch("string") }
        return value
    }
    public func decodeFixed(size: Int) throws(AvroValueError) -> [UInt8] {
        guard case .fixed(let value) = self else { throw mismatch("fixed") }
        guard value.count == size else {
            throw AvroValueError(kind: .fixedSizeMismatch, path: "", message: "fixed needs \(size) bytes, value has \(value.count)")
        }
        return value
    }
    public func decodeEnumSymbol() throws(AvroValueError) -> String {
        guard case .enumeration(let symbol) = self else { throw mismatch("enum") }
        return symbol
    }
    public func decodeArray() throws(AvroValueError) -> [AvroValue] {
        guard case .array(let items) = self else { throw mismatch("array") }
        return items
    }
    public func decodeMap() throws(AvroValueError) -> [String: AvroValue] {
        guard case .map(let entries) = self else { throw mismatch("map") }
        return entries
    }
    public func decodeUnion() throws(AvroValueError) -> (branch: Int, value: AvroValue) {
        guard case .union(let branch, let value) = self else { throw mismatch("union") }
        return (branch, value)
    }
    public func decodeRecord(fieldCount: Int) throws(AvroValueError) -> [AvroValue] {
        guard case .record(let fields) = self else { throw mismatch("record") }
        guard fields.count == fieldCount else {
            throw AvroValueError(kind: .typeMismatch, path: "", message: "record needs \(fieldCount) fields, value has \(fields.count)")
        }
        return fields
    }
}

extension AvroValueError {
    /// An error raised by generated code, located at the value being decoded.
    public init(kind: Kind, message: String) {
        self.init(kind: kind, path: "", message: message)
    }

    /// An error for a generated type: `symbol` is not one of the enum's symbols.
    public static func unknownSymbol(_ symbol: String, enumName: String) -> AvroValueError {
        AvroValueError(kind: .unknownSymbol, path: "", message: "'\(symbol)' is not a symbol of enum '\(enumName)'")
    }

    /// The same error with `component` prepended to its path, so a failure names its field.
    public func inField(_ component: String) -> AvroValueError {
        AvroValueError(kind: kind, path: "/" + component + path, message: message)
    }
}
