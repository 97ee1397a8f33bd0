// Thin wrappers over the POSIX calls the log needs (open, pread, pwritev, fsync, ftruncate,
// directory listing). The log keeps one descriptor per segment file open for its lifetime; the
// descriptor closes when the last reference goes away, so a read that raced with retention
// finishes on the unlinked file instead of on a reused descriptor number.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

final class FileDescriptor: Sendable {
    let rawValue: Int32
    let path: String

    /// Opens `path` read-write, creating it (mode 0644) when `create` is set.
    init(path: String, create: Bool) throws(LogStorageError) {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw .io("open \(path)", errno: errno) }
        self.rawValue = descriptor
        self.path = path
    }

    deinit { close(rawValue) }

    func sizeBytes() throws(LogStorageError) -> Int {
        var status = stat()
        guard fstat(rawValue, &status) == 0 else { throw .io("fstat \(path)", errno: errno) }
        return Int(status.st_size)
    }

    /// Reads up to `count` bytes at `position` and appends them to `buffer`; returns how many
    /// were read (fewer only at end of file). The bytes land in the buffer directly: one copy.
    @discardableResult
    func read(into buffer: inout ByteBuffer, count: Int, at position: Int) throws(LogStorageError) -> Int {
        guard count > 0 else { return 0 }
        var total = 0
        var failure: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            guard let base = raw.baseAddress else { return 0 }
            while total < count {
                let result = pread(rawValue, base + total, count - total, off_t(position + total))
                if result > 0 {
                    total += result
                } else if result == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
            return total
        }
        if failure != 0 { throw .io("pread \(path)", errno: failure) }
        return total
    }

    /// Reads exactly `count` bytes at `position` into a new buffer, or fails with `corrupt`
    /// when the file is shorter.
    func read(count: Int, at position: Int) throws(LogStorageError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        let got = try read(into: &buffer, count: count, at: position)
        guard got == count else {
            throw .corrupt("\(path): wanted \(count) bytes at \(position), the file has \(got)")
        }
        return buffer
    }

    /// Writes all of `bytes` at `position`.
    func write(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(LogStorageError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let result = pwrite(rawValue, base + done, bytes.count - done, off_t(position + done))
            if result >= 0 {
                done += result
            } else if errno != EINTR {
                throw .io("pwrite \(path)", errno: errno)
            }
        }
    }

    /// Writes all of `bytes` at `position`.
    func write(_ bytes: [UInt8], at position: Int) throws(LogStorageError) {
        let result: Result<Void, LogStorageError> = bytes.withUnsafeBytes { raw in
            do throws(LogStorageError) {
                try write(raw, at: position)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Writes the vectors back to back at `position` with as few pwritev calls as the kernel
    /// allows (one unless there are more than `maxVectorsPerCall` or the write comes back short).
    func write(vectors: inout [iovec], at position: Int) throws(LogStorageError) {
        let maxVectorsPerCall = 1024  // IOV_MAX on Linux and Darwin
        var first = 0
        var written = 0
        while first < vectors.count {
            let count = min(vectors.count - first, maxVectorsPerCall)
            let result = vectors.withUnsafeBufferPointer { all in
                pwritev(rawValue, all.baseAddress! + first, Int32(count), off_t(position + written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io("pwritev \(path)", errno: errno)
            }
            written += result
            // Skip the vectors the kernel took whole; trim the one it took in part.
            var remaining = result
            while first < vectors.count, remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base = vectors[first].iov_base.map { $0 + remaining }
                vectors[first].iov_len -= remaining
            }
        }
    }

    func truncate(to sizeBytes: Int) throws(LogStorageError) {
        guard ftruncate(rawValue, off_t(sizeBytes)) == 0 else {
            throw .io("ftruncate \(path)", errno: errno)
        }
    }

    /// Makes written data durable (fdatasync where available: the size change is metadata it
    /// does include, timestamps are not needed).
    func sync() throws(LogStorageError) {
        #if canImport(Darwin)
        let result = fsync(rawValue)
        #else
        let result = fdatasync(rawValue)
        #endif
        guard result == 0 else { throw .io("fsync \(path)", errno: errno) }
    }
}

/// Directory and whole-file helpers used outside the hot path (open, roll, close, delete).
enum FileSystem {
    static func makeDirectory(_ path: String) throws(LogStorageError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .io("mkdir \(prefix)", errno: errno)
            }
        }
    }

    static func listDirectory(_ path: String) throws(LogStorageError) -> [String] {
        guard let directory = opendir(path) else { throw .io("opendir \(path)", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Removes a file; a file that is already gone is fine.
    static func remove(_ path: String) throws(LogStorageError) {
        if unlink(path) != 0, errno != ENOENT { throw .io("unlink \(path)", errno: errno) }
    }

    static func removeDirectory(_ path: String) throws(LogStorageError) {
        if rmdir(path) != 0, errno != ENOENT { throw .io("rmdir \(path)", errno: errno) }
    }

    /// Makes file creations, renames and deletions in the directory durable.
    static func syncDirectory(_ path: String) throws(LogStorageError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io("open \(path)", errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io("fsync \(path)", errno: errno) }
    }

    /// The whole content of a small file, or nil when it does not exist.
    static func readSmallFile(_ path: String, maxBytes: Int) throws(LogStorageError) -> ByteBuffer? {
        guard exists(path) else { return nil }
        let file = try FileDescriptor(path: path, create: false)
        let size = try file.sizeBytes()
        guard size <= maxBytes else { throw .corrupt("\(path) is \(size) bytes, more than \(maxBytes)") }
        return try file.read(count: size, at: 0)
    }

    /// Replaces `path` with `bytes` so that a crash leaves either the old or the new content:
    /// write a temporary file, fsync it, rename it over, fsync the directory.
    static func writeFileAtomically(_ path: String, directory: String, bytes: [UInt8]) throws(LogStorageError) {
        let temporaryPath = path + ".tmp"
        do {
            let file = try FileDescriptor(path: temporaryPath, create: true)
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        guard rename(temporaryPath, path) == 0 else { throw .io("rename \(temporaryPath)", errno: errno) }
        try syncDirectory(directory)
    }
}
