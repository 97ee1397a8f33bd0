// Forwarding writes from a non-primary instance to the primary over HTTP, as Confluent's
// followers do: the request goes on unchanged (method, path, query, body) and the primary's
// answer comes back unchanged. After a successful write the forwarding instance waits until
// its own reader has caught up with the log, so a client that reads from it next sees its
// write. A forwarded request carries `X-Brook-Forwarded`; the receiver runs it itself even if
// its view of the election lags, so a request never bounces between instances. The requests go
// through SchemaRegistryClient's pass-through call on pooled keep-alive connections to the
// current primary; a new primary gets a new client.
import KafkaClient
import NIOConcurrencyHelpers
import SchemaRegistry
import SchemaRegistryClient

struct WriteForwarding: Sendable {
    static let forwardedHeader = "X-Brook-Forwarded"

    /// Set once the listener is bound and the election started (its URL needs the bound port).
    let election = NIOLockedValueBox<PrimaryElection?>(nil)
    let store: KafkaSchemaStore
    let timeoutMilliseconds: Int64
    /// The client for the primary last forwarded to, by its URL.
    private let primaryClient = NIOLockedValueBox<(url: String, client: SchemaRegistryClient)?>(nil)

    init(store: KafkaSchemaStore, timeoutMilliseconds: Int64) {
        self.store = store
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The client for `url`, made on first use; the client of an earlier primary is shut down.
    private func client(for url: String) throws(SchemaRegistryClientError) -> SchemaRegistryClient {
        if let current = primaryClient.withLockedValue({ $0 }), current.url == url { return current.client }
        var configuration = try SchemaRegistryClientConfiguration(url: url)
        configuration.requestTimeoutMilliseconds = timeoutMilliseconds
        configuration.userAgent = "brook-schema-registry-forwarder"
        let fresh = try SchemaRegistryClient(configuration: configuration)
        let (chosen, replaced) = primaryClient.withLockedValue { current -> (SchemaRegistryClient, SchemaRegistryClient?) in
            if let current, current.url == url { return (current.client, fresh) }  // another request won the race
            let replaced = current?.client
            current = (url, fresh)
            return (fresh, replaced)
        }
        if let replaced { Task { await replaced.shutdown() } }
        return chosen
    }

    /// Closes the connections to the primary (the server is stopping).
    func shutdown() async {
        await primaryClient.withLockedValue { current in defer { current = nil }; return current?.client }?.shutdown()
    }

    func forward(_ request: RegistryRequest, target: String, contentType: String?) async -> RegistryReply? {
        guard !request.isForwarded, let election = election.withLockedValue({ $0 }) else { return nil }
        let status = election.status
        if status.isPrimary { return nil }
        guard let primary = status.primaryURL else {
            return .error(RegistryError(
                httpStatus: 500, errorCode: 50004, message: "Unknown leader: no registry instance eligible to be primary is known"))
        }
        var headers = [(name: Self.forwardedHeader, value: "true")]
        if let contentType { headers.append((name: "Content-Type", value: contentType)) }
        do {
            let answer = try await client(for: primary).sendRaw(method: request.method, target: target, headers: headers, body: request.body)
            if (200..<300).contains(answer.status) { try? await store.catchUp() }
            return RegistryReply(status: answer.status, text: answer.text)
        } catch {
            return .error(RegistryError(
                httpStatus: 500, errorCode: 50003, message: "Error while forwarding the request to the primary at \(primary): \(error)"))
        }
    }
}
