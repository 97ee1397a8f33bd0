// Test support: a real broker in process on an ephemeral port (data in a temporary directory)
// with a real registry in front of it, driven over HTTP through real sockets. `restart` stops
// both and starts them again on the same data directory, as an operator restart would.
import Broker
import Foundation
import JSON
import KafkaClient
import SchemaRegistryClient
import Testing

@testable import SchemaRegistryServer

final class RegistryFixture: @unchecked Sendable {
    let directory: String
    private(set) var broker: BrokerServer
    private(set) var registries: [SchemaRegistryServer] = []
    let adjust: @Sendable (inout SchemaRegistryServer.Configuration) -> Void

    var registry: SchemaRegistryServer { registries[0] }

    private init(directory: String, broker: BrokerServer, adjust: @escaping @Sendable (inout SchemaRegistryServer.Configuration) -> Void) {
        self.directory = directory
        self.broker = broker
        self.adjust = adjust
    }

    static func start(
        adjust: @escaping @Sendable (inout SchemaRegistryServer.Configuration) -> Void = { _ in }
    ) async throws -> RegistryFixture {
        let directory = NSTemporaryDirectory() + "brook-registry-tests-" + UUID().uuidString
        let fixture = RegistryFixture(directory: directory, broker: try await startBroker(directory), adjust: adjust)
        try await fixture.addRegistry()
        return fixture
    }

    private static func startBroker(_ directory: String) async throws -> BrokerServer {
        var config = BrokerConfig()
        config.dataDirectory = directory
        config.listener = HostPort(host: "127.0.0.1", port: 0)
        config.numberOfThreads = 1
        return try await BrokerServer(broker: KafkaBroker(config: config))
    }

    var configuration: SchemaRegistryServer.Configuration {
        var configuration = SchemaRegistryServer.Configuration(
            bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: broker.boundAddress.port)], listenPort: 0)
        configuration.store.readBackTimeoutMilliseconds = 10_000
        adjust(&configuration)
        return configuration
    }

    /// Starts one more registry instance on the same broker.
    @discardableResult
    func addRegistry(_ change: (inout SchemaRegistryServer.Configuration) -> Void = { _ in }) async throws -> SchemaRegistryServer {
        var configuration = self.configuration
        change(&configuration)
        let registry = try await SchemaRegistryServer.start(configuration)
        registries.append(registry)
        return registry
    }

    /// Stops every registry and the broker, then starts the broker and one registry on the same data.
    func restart() async throws {
        for registry in registries { await registry.shutdown() }
        registries.removeAll()
        await broker.shutdown()
        broker = try await Self.startBroker(directory)
        try await addRegistry()
    }

    func stop() async {
        for registry in registries { await registry.shutdown() }
        registries.removeAll()
        await broker.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: HTTP

    static let contentType = "application/vnd.schemaregistry.v1+json"

    func send(
        _ method: String, _ target: String, body: String? = nil, contentType: String? = RegistryFixture.contentType,
        to instance: SchemaRegistryServer? = nil
    ) async throws -> SchemaRegistryClient.RawResponse {
        let registry = instance ?? self.registry
        var headers: [(name: String, value: String)] = []
        if let contentType, body != nil { headers.append((name: "Content-Type", value: contentType)) }
        var configuration = try SchemaRegistryClientConfiguration(url: registry.listeningURL)
        configuration.requestTimeoutMilliseconds = 20_000
        let client = try SchemaRegistryClient(configuration: configuration)
        do {
            let response = try await client.sendRaw(method: method, target: target, headers: headers, body: Array((body ?? "").utf8))
            await client.shutdown()
            return response
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Sends and parses the JSON answer.
    func json(
        _ method: String, _ target: String, body: String? = nil, to instance: SchemaRegistryServer? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (status: Int, value: JSONValue) {
        let response = try await send(method, target, body: body, to: instance)
        #expect(response.header("Content-Type") == Self.contentType, sourceLocation: sourceLocation)
        let value = try JSONValue.parse(response.body)
        return (response.status, value)
    }

    /// Sends, expects an error answer and returns its `error_code`.
    func errorCode(_ method: String, _ target: String, body: String? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> Int?
    {
        let (status, value) = try await json(method, target, body: body, sourceLocation: sourceLocation)
        #expect(status >= 400 && status < 500, "status \(status) for \(method) \(target)", sourceLocation: sourceLocation)
        #expect(value["message"]?.stringValue != nil, sourceLocation: sourceLocation)
        if case .integer(let code)? = value["error_code"] { return Int(code) }
        return nil
    }

    /// Registers `schema` (a JSON text) under `subject` and returns its id.
    func register(_ subject: String, _ schema: String, schemaType: String? = nil, extra: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int? {
        let (status, value) = try await json(
            "POST", "/subjects/\(subject)/versions", body: Self.registerBody(schema, schemaType: schemaType, extra: extra),
            sourceLocation: sourceLocation)
        #expect(status == 200, "register answered \(status): \(value.serialized())", sourceLocation: sourceLocation)
        if case .integer(let id)? = value["id"] { return Int(id) }
        return nil
    }

    static func registerBody(_ schema: String, schemaType: String? = nil, extra: String = "") -> String {
        var body = #"{"schema":\#(JSONValue.string(schema).serialized())"#
        if let schemaType { body += #","schemaType":"\#(schemaType)""# }
        if !extra.isEmpty { body += "," + extra }
        return body + "}"
    }
}

func withRegistry(
    adjust: @escaping @Sendable (inout SchemaRegistryServer.Configuration) -> Void = { _ in },
    _ body: (RegistryFixture) async throws -> Void
) async throws {
    let fixture = try await RegistryFixture.start(adjust: adjust)
    do {
        try await body(fixture)
    } catch {
        await fixture.stop()
        throw error
    }
    await fixture.stop()
}

/// Avro schemas used across the tests.
enum Schemas {
    static let userV1 = #"{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}"#
    /// Adds a field with a default: BACKWARD compatible with v1.
    static let userV2 = #"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}"#
    /// Adds a field without a default: not BACKWARD compatible with v1.
    static let userBreaking = #"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"email","type":"string"}]}"#
    static let order = #"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#
}
