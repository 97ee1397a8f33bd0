// A blocking Kafka wire driver for broker tests: it frames requests with the generated codec,
// sends them over a real TCP socket to a real in-process broker and decodes the responses.
// It is deliberately minimal (one request at a time) so a failure points at the broker.
import Foundation
import KafkaProtocol
import NIOCore

enum WireClientError: Error, CustomStringConvertible {
    case connect(String)
    case io(String)
    case closed

    var description: String {
        switch self {
        case let .connect(why): "connect failed: \(why)"
        case let .io(why): "socket error: \(why)"
        case .closed: "connection closed by the broker"
        }
    }
}

final class WireClient {
    private let descriptor: Int32
    private var correlationId: Int32 = 0

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw WireClientError.connect(String(cString: strerror(errno))) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw WireClientError.connect(String(cString: strerror(errno)))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Sends `request` at `version` and waits for its response.
    func send<Request: KafkaRequest>(_ request: Request, version: Int16) throws -> Request.Response {
        correlationId += 1
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        buffer.writeInteger(Int32(0))
        let header = RequestHeader(
            apiKey: Request.apiKey.rawValue, apiVersion: version, correlationId: correlationId, clientId: "brook-tests")
        header.encode(into: &buffer)
        request.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: 0)
        try writeAll(buffer)
        var response = try readFrame()
        let correlation: Int32 = response.readInteger() ?? -1
        guard correlation == correlationId else { throw WireClientError.io("correlation id \(correlation) ≠ \(correlationId)") }
        let flexible = Request.apiKey != .apiVersions && Request.Response.isFlexible(version: version)
        if flexible { try skipTaggedFields(&response) }
        return try Request.Response(from: &response, version: version)
    }

    /// Sends `request` without waiting for its response, for requests the broker parks (a
    /// JoinGroup waiting for the rebalance); `receive` reads the response later. Returns the
    /// request's correlation id.
    @discardableResult
    func sendOnly<Request: KafkaRequest>(_ request: Request, version: Int16) throws -> Int32 {
        correlationId += 1
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        buffer.writeInteger(Int32(0))
        RequestHeader(
            apiKey: Request.apiKey.rawValue, apiVersion: version, correlationId: correlationId, clientId: "brook-tests"
        ).encode(into: &buffer)
        request.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: 0)
        try writeAll(buffer)
        return correlationId
    }

    /// Reads the response to the oldest request sent with `sendOnly` (responses come in order).
    func receive<Request: KafkaRequest>(_: Request.Type, version: Int16, correlationId expected: Int32) throws
        -> Request.Response
    {
        var response = try readFrame()
        let correlation: Int32 = response.readInteger() ?? -1
        guard correlation == expected else { throw WireClientError.io("correlation id \(correlation) ≠ \(expected)") }
        if Request.Response.isFlexible(version: version) { try skipTaggedFields(&response) }
        return try Request.Response(from: &response, version: version)
    }

    /// Sends a request that gets no response (Produce with acks=0).
    func sendWithoutResponse<Request: KafkaRequest>(_ request: Request, version: Int16) throws {
        correlationId += 1
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        buffer.writeInteger(Int32(0))
        RequestHeader(apiKey: Request.apiKey.rawValue, apiVersion: version, correlationId: correlationId, clientId: "t")
            .encode(into: &buffer)
        request.encode(into: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: 0)
        try writeAll(buffer)
    }

    func writeRaw(_ bytes: [UInt8]) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try writeAll(buffer)
    }

    /// True when the broker has closed this connection (read returns EOF or reset).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    private func writeAll(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { raw in
            var sent = 0
            while sent < raw.count {
                let count = Foundation.send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { throw WireClientError.io(String(cString: strerror(errno))) }
                sent += count
            }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, count - received, 0) }
            if result == 0 { throw WireClientError.closed }
            guard result > 0 else { throw WireClientError.io(String(cString: strerror(errno))) }
            received += result
        }
        return bytes
    }

    private func readFrame() throws -> ByteBuffer {
        let sizeBytes = try readExactly(4)
        let size = Int(sizeBytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self).bigEndian })
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeBytes(try readExactly(size))
        return buffer
    }

    private func skipTaggedFields(_ buffer: inout ByteBuffer) throws {
        // Response header v1: an (empty, for Brook) tagged-field section.
        guard let count: UInt8 = buffer.readInteger() else { throw WireClientError.io("short response header") }
        guard count == 0 else { throw WireClientError.io("response header carries \(count) tagged fields") }
    }
}
