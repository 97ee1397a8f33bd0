// Locates ../shared test data (Kafka specs and client captures) and loads the capture index.
//
// BROOK_SHARED wins when set; otherwise the data sits next to the package root, which is three
// levels above this file (Tests/KafkaProtocolTests/SharedData.swift).
import Foundation
import NIOCore

enum SharedData {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var sharedDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["BROOK_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("..").appendingPathComponent("shared").standardizedFileURL
    }

    static var capturesDirectory: URL {
        sharedDirectory.appendingPathComponent("kafka-protocol").appendingPathComponent("captures")
    }

    struct Capture: Decodable, Sendable, CustomStringConvertible {
        struct SpecDecode: Decodable, Sendable {
            var ok: Bool
            var trailing_bytes: String?
        }
        var file: String
        var api_key: Int16
        var api_name: String
        var api_version: Int16
        var correlation_id: Int32
        var client_id: String?
        var request_header_version: Int16
        var spec_decode: SpecDecode

        var description: String { file }

        /// Bytes the spec does not account for at the end of the body (librdkafka#5049).
        var trailingByteCount: Int { (spec_decode.trailing_bytes?.count ?? 0) / 2 }

        /// The whole frame, size prefix included.
        func frame() throws -> ByteBuffer {
            let data = try Data(contentsOf: SharedData.capturesDirectory.appendingPathComponent(file))
            return ByteBuffer(bytes: data)
        }
    }

    private struct Index: Decodable {
        var files: [Capture]
    }

    /// Every capture in index.json; empty when the data is missing (the count test then fails).
    static let captures: [Capture] = {
        let url = capturesDirectory.appendingPathComponent("index.json")
        guard let data = try? Data(contentsOf: url), let index = try? JSONDecoder().decode(Index.self, from: data) else {
            return []
        }
        return index.files
    }()

    static func capture(_ file: String) throws -> Capture {
        guard let capture = captures.first(where: { $0.file == file }) else {
            throw CaptureMissing(file: file)
        }
        return capture
    }

    struct CaptureMissing: Error {
        var file: String
    }
}
