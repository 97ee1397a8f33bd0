// Avro object container files (spec §Object Container Files) read and written through libavro.
//
// libavro parses the writer schema with its own parser, which drops logical types, defaults and
// properties, so Brook never trusts it for the schema: the header (magic `Obj\x01`, metadata map,
// 16-byte sync marker) is parsed here and its `avro.schema` text goes to Brook's AvroSchema.
// libavro also does not tell the end of a file from a broken block (its reader ignores a block
// it cannot read and only fails on the next datum) and trusts block lengths; so before libavro
// sees a file, this walks every block (count, byte size, sync marker) with named limits and
// knows how many datums to ask for. libavro then does the codec work: each datum it reads is
// written back to bytes with `avro_value_write` and decoded by Brook's AvroDecoder. Writing
// goes the other way: Brook writes the header (so the schema text keeps everything Brook
// parsed), and libavro's writer, opened on that file, appends Brook-encoded datums in blocks.
@preconcurrency import CAvro
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A container file that cannot be read or written, with the path and what failed.
public struct AvroContainerFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The file could not be opened, read or written (the operating system's reason).
        case fileAccess
        /// The first four bytes are not `Obj\x01`.
        case notAContainerFile
        /// The file ends inside the header or a block.
        case truncated
        /// The header metadata is malformed or lacks `avro.schema`.
        case invalidHeader
        /// The header's schema text is not a valid Avro schema.
        case invalidSchema
        /// A block has a bad count, length or sync marker.
        case invalidBlock
        /// The codec is unknown or not built into libavro.
        case unsupportedCodec
        /// A datum does not match the schema.
        case invalidDatum
        /// libavro reported a failure (its `avro_strerror()` text is in the message).
        case libavroFailure
        case limitExceeded
    }
    public let kind: Kind
    public let path: String
    public let message: String

    public var description: String { "\(path): \(message)" }
}

/// Block codecs of the container format that libavro can be built with.
public enum AvroContainerCodec: String, Sendable, CaseIterable {
    case null, deflate, snappy, lzma
}

/// Limits that keep a hostile file from making the reader allocate without bound.
public struct AvroContainerLimits: Sendable {
    /// The whole header metadata map (schema text included).
    public var headerBytesMax: Int
    /// One block's (compressed) byte size.
    public var blockBytesMax: Int
    /// Datums in one block, and datums in the whole file.
    public var datumsMax: Int

    public init(headerBytesMax: Int = 16 << 20, blockBytesMax: Int = 256 << 20, datumsMax: Int = 100_000_000) {
        self.headerBytesMax = headerBytesMax
        self.blockBytesMax = blockBytesMax
        self.datumsMax = datumsMax
    }
}

/// What the header of a container file says.
public struct AvroContainerHeader: Sendable {
    public let schemaText: String
    public let codec: String
    /// Every metadata entry, including `avro.schema` and `avro.codec`.
    public let metadata: [String: [UInt8]]
    public let syncMarker: [UInt8]
}

public enum AvroContainerFile {
    static let magic: [UInt8] = [0x4f, 0x62, 0x6a, 0x01]
    static let syncMarkerBytes = 16
    /// libavro's writer buffers one block in memory; a datum must fit in it.
    static let writerBlockBytesMin = 64 << 10

    /// Reads the writer schema (from the header text, by Brook's parser) and every datum.
    public static func read(path: String, limits: AvroContainerLimits = AvroContainerLimits()) throws(AvroContainerFileError) -> (schema: AvroSchema, values: [AvroValue]) {
        let layout = try walk(path: path, limits: limits)
        let schema: AvroSchema
        do {
            schema = try AvroSchema.parse(layout.header.schemaText)
        } catch {
            throw AvroContainerFileError(kind: .invalidSchema, path: path, message: "the writer schema in the header is not valid: \(error)")
        }
        guard layout.datumCount > 0 else { return (schema, []) }
        return (schema, try readDatums(path: path, count: layout.datumCount, schema: schema))
    }

    /// Reads only the header (magic, metadata, sync marker).
    public static func readHeader(path: String, limits: AvroContainerLimits = AvroContainerLimits()) throws(AvroContainerFileError) -> AvroContainerHeader {
        let file = try FileCursor(path: path)
        defer { file.close() }
        return try readHeader(file, limits: limits)
    }

    /// Writes `values` (each must match `schema`) as a new container file, replacing any file at `path`.
    public static func write(path: String, schema: AvroSchema, values: [AvroValue], codec: AvroContainerCodec = .null) throws(AvroContainerFileError) {
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            do {
                encoded.append(try AvroEncoder.encode(value, schema: schema))
            } catch {
                throw AvroContainerFileError(kind: .invalidDatum, path: path, message: "datum \(index) does not match the schema: \(error)")
            }
        }
        let schemaText = schema.canonicalString
        // libavro must accept the schema too, or its writer cannot open the file.
        var libavroSchema: avro_schema_t?
        let schemaStatus = schemaText.withCString { avro_schema_from_json_length($0, strlen($0), &libavroSchema) }
        guard schemaStatus == 0, let libavroSchema else {
            throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro rejects the schema: \(libavroError())")
        }
        avro_schema_decref(libavroSchema)

        var header = AvroBinaryWriter(capacity: schemaText.utf8.count + 64)
        header.writeFixed(magic)
        header.writeLong(2)
        header.writeString("avro.schema")
        header.writeBytes(Array(schemaText.utf8))
        header.writeString("avro.codec")
        header.writeBytes(Array(codec.rawValue.utf8))
        header.writeLong(0)
        var generator = SystemRandomNumberGenerator()
        header.writeFixed((0..<syncMarkerBytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try writeWholeFile(path: path, bytes: header.bytes)

        let largest = encoded.map(\.count).max() ?? 0
        let blockBytes = max(writerBlockBytesMin, largest)
        var writer: avro_file_writer_t?
        guard avro_file_writer_open_bs(path, &writer, blockBytes) == 0, let writer else {
            let reason = libavroError()
            throw AvroContainerFileError(
                kind: reason.contains("codec") ? .unsupportedCodec : .libavroFailure, path: path,
                message: "libavro cannot open the file for appending (codec \(codec.rawValue)): \(reason)")
        }
        for (index, datum) in encoded.enumerated() {
            let status = datum.withUnsafeBytes { avro_file_writer_append_encoded(writer, $0.baseAddress, Int64($0.count)) }
            if status != 0 {
                let reason = libavroError()
                _ = avro_file_writer_close(writer)
                throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot append datum \(index): \(reason)")
            }
        }
        guard avro_file_writer_close(writer) == 0 else {
            throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot finish the file: \(libavroError())")
        }
    }

    // MARK: - Reading

    /// The header and how many datums the blocks hold, after checking every block's frame.
    static func walk(path: String, limits: AvroContainerLimits) throws(AvroContainerFileError) -> (header: AvroContainerHeader, datumCount: Int) {
        let file = try FileCursor(path: path)
        defer { file.close() }
        let header = try readHeader(file, limits: limits)
        var datumCount = 0
        var blockIndex = 0
        var sawEmptyBlock = false
        while !file.atEnd {
            let count = try file.readLong(what: "block \(blockIndex) datum count")
            let size = try file.readLong(what: "block \(blockIndex) byte size")
            guard count >= 0, size >= 0 else {
                throw file.error(.invalidBlock, "block \(blockIndex) has a negative datum count or byte size")
            }
            guard count <= limits.datumsMax, datumCount + Int(count) <= limits.datumsMax else {
                throw file.error(.limitExceeded, "more than \(limits.datumsMax) datums")
            }
            guard size <= limits.blockBytesMax else {
                throw file.error(.limitExceeded, "block \(blockIndex) is \(size) bytes, more than \(limits.blockBytesMax)")
            }
            // libavro's reader cannot step over a block without datums (it fails on the next
            // read), so one is only accepted as the last block.
            if sawEmptyBlock {
                throw file.error(.invalidBlock, "block \(blockIndex - 1) holds no datums but is not the last block")
            }
            sawEmptyBlock = count == 0
            try file.skip(Int(size), what: "block \(blockIndex) data")
            let sync = try file.readBytes(syncMarkerBytes, what: "block \(blockIndex) sync marker")
            guard sync == header.syncMarker else {
                throw file.error(.invalidBlock, "block \(blockIndex) ends with the wrong sync marker")
            }
            datumCount += Int(count)
            blockIndex += 1
        }
        return (header, datumCount)
    }

    static func readHeader(_ file: FileCursor, limits: AvroContainerLimits) throws(AvroContainerFileError) -> AvroContainerHeader {
        let start = try file.readBytes(magic.count, what: "magic")
        guard start == magic else {
            throw file.error(.notAContainerFile, "not an Avro container file (the first bytes are not Obj\\x01)")
        }
        var metadata: [String: [UInt8]] = [:]
        var metadataBytes = 0
        while true {
            var count = try file.readLong(what: "header metadata block count")
            if count == 0 { break }
            if count < 0 {
                count = -count  // a negative count is followed by the block's byte size
                _ = try file.readLong(what: "header metadata block size")
            }
            for _ in 0..<count {
                let key = try file.readLengthPrefixed(what: "header metadata key", limit: limits.headerBytesMax - metadataBytes)
                metadataBytes += key.count
                let value = try file.readLengthPrefixed(what: "header metadata value", limit: limits.headerBytesMax - metadataBytes)
                metadataBytes += value.count
                guard let keyText = String(validating: key, as: UTF8.self) else {
                    throw file.error(.invalidHeader, "a header metadata key is not UTF-8")
                }
                metadata[keyText] = value
            }
        }
        guard let schemaBytes = metadata["avro.schema"] else {
            throw file.error(.invalidHeader, "the header has no avro.schema entry")
        }
        guard let schemaText = String(validating: schemaBytes, as: UTF8.self) else {
            throw file.error(.invalidHeader, "the header's avro.schema is not UTF-8")
        }
        let codec = metadata["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
        guard AvroContainerCodec(rawValue: codec) != nil else {
            throw file.error(.unsupportedCodec, "codec \"\(codec)\" is not one of null, deflate, snappy, lzma")
        }
        let sync = try file.readBytes(syncMarkerBytes, what: "header sync marker")
        return AvroContainerHeader(schemaText: schemaText, codec: codec, metadata: metadata, syncMarker: sync)
    }

    /// Lets libavro decode the blocks, turning each datum back into bytes for Brook's decoder.
    static func readDatums(path: String, count: Int, schema: AvroSchema) throws(AvroContainerFileError) -> [AvroValue] {
        var reader: avro_file_reader_t?
        let openStatus = avro_file_reader(path, &reader)
        guard openStatus == 0, let reader else {
            let reason = openStatus > 0 && openStatus != EILSEQ ? String(cString: strerror(openStatus)) : libavroError()
            throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot open the file: \(reason)")
        }
        defer { _ = avro_file_reader_close(reader) }
        guard let libavroSchema = avro_file_reader_get_writer_schema(reader),
              let valueClass = avro_generic_class_from_schema(libavroSchema) else {
            throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot build a value for the schema: \(libavroError())")
        }
        defer { valueClass.pointee.decref_iface?(valueClass) }
        var datum = avro_value_t()
        guard avro_generic_value_new(valueClass, &datum) == 0 else {
            throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot allocate a value: \(libavroError())")
        }
        defer { avro_value_decref(&datum) }

        var values: [AvroValue] = []
        values.reserveCapacity(count)
        var buffer = [UInt8](repeating: 0, count: 4096)
        for index in 0..<count {
            // Arrays and maps would otherwise keep the previous datum's elements.
            _ = datum.iface.pointee.reset?(datum.iface, datum.`self`)
            guard avro_file_reader_read_value(reader, &datum) == 0 else {
                throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot read datum \(index): \(libavroError())")
            }
            var size = 0
            guard avro_value_sizeof(&datum, &size) == 0 else {
                throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot size datum \(index): \(libavroError())")
            }
            if size > buffer.count { buffer = [UInt8](repeating: 0, count: size) }
            let writeStatus = buffer.withUnsafeMutableBytes { raw -> Int32 in
                guard let memoryWriter = avro_writer_memory(raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int64(raw.count)) else { return ENOMEM }
                defer { avro_writer_free(memoryWriter) }
                return avro_value_write(memoryWriter, &datum)
            }
            guard writeStatus == 0 else {
                throw AvroContainerFileError(kind: .libavroFailure, path: path, message: "libavro cannot write datum \(index) to memory: \(libavroError())")
            }
            do {
                let value = try buffer.withUnsafeBytes { raw throws(AvroValueError) in
                    try AvroDecoder.decode(UnsafeRawBufferPointer(rebasing: raw[0..<size]), schema: schema)
                }
                values.append(value)
            } catch {
                throw AvroContainerFileError(kind: .invalidDatum, path: path, message: "datum \(index) does not decode under the header schema: \(error)")
            }
        }
        return values
    }

    static func libavroError() -> String {
        guard let text = avro_strerror() else { return "unknown error" }
        let message = String(cString: text)
        return message.isEmpty ? "unknown error" : message
    }

    static func writeWholeFile(path: String, bytes: [UInt8]) throws(AvroContainerFileError) {
        guard let handle = fopen(path, "wb") else {
            throw AvroContainerFileError(kind: .fileAccess, path: path, message: "cannot create the file: \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        let closeStatus = fclose(handle)
        guard written == bytes.count, closeStatus == 0 else {
            throw AvroContainerFileError(kind: .fileAccess, path: path, message: "cannot write the header: \(String(cString: strerror(errno)))")
        }
    }
}

/// Sequential reads over a file, with its size known so skips past the end are caught.
final class FileCursor {
    let path: String
    private let handle: UnsafeMutablePointer<FILE>
    let size: Int
    private(set) var position = 0

    init(path: String) throws(AvroContainerFileError) {
        self.path = path
        guard let handle = fopen(path, "rb") else {
            throw AvroContainerFileError(kind: .fileAccess, path: path, message: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(fileno(handle), &status) == 0 else {
            let reason = String(cString: strerror(errno))
            fclose(handle)
            throw AvroContainerFileError(kind: .fileAccess, path: path, message: "cannot stat the file: \(reason)")
        }
        self.handle = handle
        self.size = Int(status.st_size)
    }

    func close() { fclose(handle) }

    var atEnd: Bool { position >= size }

    func error(_ kind: AvroContainerFileError.Kind, _ message: String) -> AvroContainerFileError {
        AvroContainerFileError(kind: kind, path: path, message: message + " (at byte \(position))")
    }

    func readBytes(_ count: Int, what: String) throws(AvroContainerFileError) -> [UInt8] {
        guard count <= size - position else {
            throw error(.truncated, "the file ends inside the \(what)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, handle) }
        guard read == count else { throw error(.fileAccess, "cannot read the \(what)") }
        position += count
        return bytes
    }

    func skip(_ count: Int, what: String) throws(AvroContainerFileError) {
        guard count <= size - position else {
            throw error(.truncated, "the file ends inside the \(what)")
        }
        guard fseeko(handle, off_t(count), SEEK_CUR) == 0 else { throw error(.fileAccess, "cannot seek past the \(what)") }
        position += count
    }

    /// A zig-zag varint long (at most 10 bytes).
    func readLong(what: String) throws(AvroContainerFileError) -> Int64 {
        var accumulated: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readBytes(1, what: what)[0]
            guard shift < 64, shift != 63 || byte <= 1 else { throw error(.invalidBlock, "the \(what) is not a valid varint") }
            accumulated |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (accumulated >> 1) ^ (0 &- (accumulated & 1)))
    }

    func readLengthPrefixed(what: String, limit: Int) throws(AvroContainerFileError) -> [UInt8] {
        let length = try readLong(what: "\(what) length")
        guard length >= 0 else { throw error(.invalidHeader, "the \(what) has a negative length") }
        guard length <= limit else { throw error(.limitExceeded, "the header metadata is larger than its limit") }
        return try readBytes(Int(length), what: what)
    }
}
