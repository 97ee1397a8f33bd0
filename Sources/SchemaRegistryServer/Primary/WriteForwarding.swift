// Forwarding writes from a non-primary instance to the primary over HTTP, as Confluent's
// followers do: the request goes on unchanged (method, path, query, body) and the primary's
// answer comes back unchanged. After a successful write the forwarding instance waits until
// its own reader has caught up with the log, so a client that reads from it next sees its
// write. A forwarded request carries `X-Brook-Forwarded`; the receiver runs it itself even if
// its view of the election lags, so a request never bounces between instances.
import Foundation
import KafkaClient
import NIOConcurrencyHelpers
import SchemaRegistry

struct WriteForwarding: Sendable {
    static let forwardedHeader = "X-Brook-Forwarded"

    /// Set once the listener is bound and the election started (its URL needs the bound port).
    let election = NIOLockedValueBox<PrimaryElection?>(nil)
    let store: KafkaSchemaStore
    let timeoutMilliseconds: Int64

    func forward(_ request: RegistryRequest, target: String, contentType: String?) async -> RegistryReply? {
        guard !request.isForwarded, let election = election.withLockedValue({ $0 }) else { return nil }
        let status = election.status
        if status.isPrimary { return nil }
        guard let primary = status.primaryURL else {
            return .error(RegistryError(
                httpStatus: 500, errorCode: 50004, message: "Unknown leader: no registry instance eligible to be primary is known"))
        }
        guard let url = URL(string: primary), let host = url.host, !host.isEmpty else {
            return .error(RegistryError(httpStatus: 500, errorCode: 50003, message: "Error while forwarding the request: bad primary URL '\(primary)'"))
        }
        var headers = [(Self.forwardedHeader, "true")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        do {
            let answer = try await RegistryHTTPClient.send(
                host: host, port: url.port ?? 80, method: request.method, target: target, headers: headers, body: request.body,
                timeoutMilliseconds: timeoutMilliseconds)
            if (200..<300).contains(answer.status) { try? await store.catchUp() }
            return RegistryReply(status: answer.status, text: answer.text)
        } catch {
            return .error(RegistryError(
                httpStatus: 500, errorCode: 50003, message: "Error while forwarding the request to the primary at \(primary): \(error)"))
        }
    }
}
