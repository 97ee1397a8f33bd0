// Holds the cluster metadata of a single-node broker and keeps it durable: every applied
// command rewrites `meta/cluster-metadata.json` (write to a temporary file, fsync, rename), so a
// crash leaves either the old or the new state, never a torn one. Metadata changes are rare
// (topic admin), so a whole-snapshot rewrite is cheap; the Raft metadata log replaces this
// file in the cluster issue without changing `MetadataImage`.
import Foundation
import NIOConcurrencyHelpers

public enum MetadataStoreError: Error, CustomStringConvertible {
    case io(path: String, why: String)
    case corrupt(path: String, why: String)

    public var description: String {
        switch self {
        case let .io(path, why): "metadata I/O error on \(path): \(why)"
        case let .corrupt(path, why): "metadata file \(path) is unreadable: \(why)"
        }
    }
}

public final class MetadataStore: Sendable {
    private let path: String
    private let state: NIOLockedValueBox<MetadataImage>

    public init(directory: String, clusterId: String?) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/cluster-metadata.json"
        if FileManager.default.fileExists(atPath: path) {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                state = NIOLockedValueBox(try JSONDecoder().decode(MetadataImage.self, from: data))
            } catch {
                throw MetadataStoreError.corrupt(path: path, why: "\(error)")
            }
        } else {
            let metadata = MetadataImage(clusterId: clusterId ?? Self.newClusterId())
            state = NIOLockedValueBox(metadata)
            try Self.persist(metadata, to: path)
        }
    }

    public var current: MetadataImage { state.withLockedValue { $0 } }

    /// Applies `command` and makes it durable before returning the new state.
    @discardableResult
    public func apply(_ command: MetadataCommand) throws -> MetadataImage {
        try state.withLockedValue { metadata in
            var next = metadata
            next.apply(command)
            try Self.persist(next, to: path)
            metadata = next
            return next
        }
    }

    private static func persist(_ metadata: MetadataImage, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(metadata)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw MetadataStoreError.io(path: temporary, why: "cannot create file")
        }
        let descriptor = open(temporary, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard rename(temporary, path) == 0 else {
            throw MetadataStoreError.io(path: path, why: String(cString: strerror(errno)))
        }
    }

    /// A Kafka-style cluster id: 22 characters of URL-safe base64 of 16 random bytes.
    static func newClusterId() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<22).map { _ in alphabet[Int.random(in: 0..<64)] })
    }
}
