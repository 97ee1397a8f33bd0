// Test helpers: build valid magic-2 record batches by hand (uncompressed records, CRC-32C),
// make throwaway log directories, and poke at segment files the way crashes and disks do.
import Foundation
import KafkaProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import Testing

@testable import LogStorage

enum TestBatch {
    /// A magic-2 batch of `recordCount` uncompressed records, each with a `valueBytes`-byte value.
    /// Timestamps run from `baseTimestamp` one millisecond apart unless `maxTimestamp` is given
    /// (then every record after the first has it).
    static func make(
        recordCount: Int = 1, valueBytes: Int = 10, baseTimestamp: Int64 = 1_000, maxTimestamp: Int64? = nil,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1, attributes: Int16 = 0,
        fill: UInt8 = 0x61
    ) -> ByteBuffer {
        var records = ByteBuffer()
        var largest = baseTimestamp
        for index in 0..<recordCount {
            let timestampDelta: Int64 =
                if let maxTimestamp, index > 0 { maxTimestamp - baseTimestamp } else { Int64(index) }
            largest = max(largest, baseTimestamp + timestampDelta)
            var body = ByteBuffer()
            body.writeInteger(Int8(0))  // record attributes
            writeVarlong(timestampDelta, to: &body)
            writeVarlong(Int64(index), to: &body)  // offset delta
            writeVarlong(-1, to: &body)  // null key
            writeVarlong(Int64(valueBytes), to: &body)
            body.writeRepeatingByte(fill, count: valueBytes)
            writeVarlong(0, to: &body)  // no headers
            writeVarlong(Int64(body.readableBytes), to: &records)
            records.writeBuffer(&body)
        }
        var batch = ByteBuffer()
        batch.writeInteger(Int64(0))  // base offset: the log assigns it
        batch.writeInteger(Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead + records.readableBytes))
        batch.writeInteger(Int32(-1))  // partition leader epoch
        batch.writeInteger(Int8(2))
        batch.writeInteger(UInt32(0))  // CRC, filled below
        batch.writeInteger(attributes)
        batch.writeInteger(Int32(recordCount - 1))
        batch.writeInteger(baseTimestamp)
        batch.writeInteger(largest)
        batch.writeInteger(producerId)
        batch.writeInteger(producerEpoch)
        batch.writeInteger(baseSequence)
        batch.writeInteger(Int32(recordCount))
        batch.writeBuffer(&records)
        let crc = CRC32C.checksum(
            batch, at: RecordBatchHeader.Offset.attributes,
            length: batch.readableBytes - RecordBatchHeader.Offset.attributes)
        batch.setInteger(crc, at: RecordBatchHeader.Offset.crc)
        return batch
    }

    static func writeVarlong(_ value: Int64, to buffer: inout ByteBuffer) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            buffer.writeInteger(UInt8(zigzag & 0x7f | 0x80))
            zigzag >>= 7
        }
        buffer.writeInteger(UInt8(zigzag))
    }

    /// The headers of the batches in `buffer`, in order; fails the caller on malformed bytes.
    static func headers(in buffer: ByteBuffer) throws -> [RecordBatchHeader] {
        var result: [RecordBatchHeader] = []
        var position = 0
        while position < buffer.readableBytes {
            let header = try RecordBatchHeader.peek(in: buffer, at: position)
            #expect(header.totalSize <= buffer.readableBytes - position, "batch runs past the buffer")
            #expect(RecordBatchHeader.computeCRC(of: buffer, at: position, header: header) == header.crc)
            result.append(header)
            position += header.totalSize
        }
        return result
    }
}

/// A fresh directory under the system temporary directory, removed when the test is done.
final class TemporaryDirectory {
    let path: String

    init() {
        let template = NSTemporaryDirectory() + "brook-log-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        let created = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(decoding: bytes.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The directory of a partition inside it (the log creates it).
    var partition: String { path + "/topic-0" }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: partition)) ?? []).sorted()
    }

    func segmentFiles(suffix: String) -> [String] { files().filter { $0.hasSuffix(suffix) } }

    func file(_ name: String) -> String { partition + "/" + name }

    func size(of name: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file(name)))?[.size] as? Int) ?? -1
    }

    func truncate(_ name: String, to size: Int) {
        #if canImport(Glibc)
        precondition(Glibc.truncate(file(name), off_t(size)) == 0)
        #else
        precondition(Darwin.truncate(file(name), off_t(size)) == 0)
        #endif
    }

    /// Flips one byte of a file.
    func corruptByte(_ name: String, at position: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file(name)))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(position))
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: UInt64(position))
        try handle.write(contentsOf: Data([byte[0] ^ 0xff]))
    }

    func contents(_ name: String) -> Data? { FileManager.default.contents(atPath: file(name)) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension PartitionLog {
    /// Every batch header from `offset` to the high watermark, reading as a consumer would.
    func readAll(from offset: Int64, maxBytes: Int = 1 << 20) throws -> [RecordBatchHeader] {
        var headers: [RecordBatchHeader] = []
        var next = offset
        while next < highWatermark {
            let result = try read(from: next, maxBytes: maxBytes)
            let batchHeaders = try TestBatch.headers(in: result.records)
            guard let last = batchHeaders.last else { break }
            headers += batchHeaders
            next = last.lastOffset + 1
        }
        return headers
    }
}
