// Reads newline-separated lines from a file descriptor in large chunks, counting bytes so a
// progress bar can show how far through a file the producer is. A trailing "\r" is dropped
// (Windows line ends); the last line needs no newline. Not thread-safe: one reader, one task.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class LineReader: @unchecked Sendable {
    /// Bytes asked of the kernel per read.
    static let chunkBytes = 256 * 1024

    private let fileDescriptor: Int32
    private let ownsDescriptor: Bool
    let totalBytes: Int?
    private(set) var bytesRead = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false

    init(fileDescriptor: Int32, totalBytes: Int?, ownsDescriptor: Bool = false) {
        self.fileDescriptor = fileDescriptor
        self.totalBytes = totalBytes
        self.ownsDescriptor = ownsDescriptor
    }

    convenience init?(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        let size = fstat(descriptor, &status) == 0 ? Int(status.st_size) : nil
        self.init(fileDescriptor: descriptor, totalBytes: size, ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor { close(fileDescriptor) }
    }

    func nextLine() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = lineText(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if isAtEnd {
                guard start < buffer.count else { return nil }
                let line = lineText(buffer[start...])
                start = buffer.count
                return line
            }
            fill()
        }
    }

    private func lineText(_ bytes: ArraySlice<UInt8>) -> String {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func fill() {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: Self.chunkBytes)
        let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, Self.chunkBytes) }
        if count <= 0 {
            isAtEnd = true
            return
        }
        bytesRead += count
        buffer.append(contentsOf: chunk[0..<count])
    }
}

/// A one-line progress bar on stderr, redrawn at most every `redrawIntervalMilliseconds`.
final class ProgressBar: @unchecked Sendable {
    static let redrawIntervalMilliseconds = 100
    static let barWidth = 30

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    let totalBytes: Int
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private let started = ContinuousClock.now

    init(totalBytes: Int) {
        self.totalBytes = totalBytes
    }

    func update(bytesDone: Int, records: Int) {
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(Self.redrawIntervalMilliseconds) else { return }
        lastDraw = now
        draw(Self.render(bytesDone: bytesDone, totalBytes: totalBytes, records: records, elapsed: now - started), newline: false)
    }

    func finish(bytesDone: Int, records: Int) {
        draw(Self.render(bytesDone: bytesDone, totalBytes: totalBytes, records: records, elapsed: .now - started), newline: true)
    }

    private func draw(_ text: String, newline: Bool) {
        let line = "\r" + text + (newline ? "\n" : "")
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }

    /// "[#######-----------------------]  23%  1.2/5.0 MB  10234 records  5120 rec/s"
    static func render(bytesDone: Int, totalBytes: Int, records: Int, elapsed: Duration) -> String {
        let fraction = totalBytes > 0 ? min(1, Double(bytesDone) / Double(totalBytes)) : 0
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(records) / seconds) : 0
        let percent = String(Int((fraction * 100).rounded(.down)))
        func megabytes(_ bytes: Int) -> String {
            let tenths = bytes * 10 / 1_000_000
            return "\(tenths / 10).\(tenths % 10)"
        }
        return "[\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)%  "
            + "\(megabytes(bytesDone))/\(megabytes(totalBytes)) MB  \(records) records  \(rate) rec/s"
    }
}
