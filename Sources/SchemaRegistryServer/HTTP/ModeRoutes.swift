// /mode and /mode/{subject}: READWRITE, READONLY and IMPORT. IMPORT lets registrations carry
// their own id and version (moving a registry); entering it while live subjects exist needs
// `force=true`.
import JSON
import SchemaRegistry

enum ModeRoutes {
    static func routes(_ store: KafkaSchemaStore) -> [Route] {
        Route.settingRoutes(
            "/mode",
            get: { request, subject throws(RegistryError) in try get(store, request, subject: subject) },
            put: { request, subject throws(RegistryError) in try await put(store, request, subject: subject) },
            delete: { subject throws(RegistryError) in try await delete(store, subject: subject) })
    }

    private static func get(_ store: KafkaSchemaStore, _ request: RegistryRequest, subject: String?) throws(RegistryError) -> RegistryReply {
        .json(RegistryJSON.mode(try store.read { $0.mode(subject: subject, defaultToGlobal: request.flag("defaultToGlobal")) }.get()))
    }

    private static func put(_ store: KafkaSchemaStore, _ request: RegistryRequest, subject: String?) async throws(RegistryError)
        -> RegistryReply
    {
        let object = try request.jsonObject()
        let name: String
        switch object["mode"] {
        case .string(let text)?: name = text
        case nil, .null?: throw .invalidMode("null")
        case let other?: throw .invalidMode(other.serialized())
        }
        let mode = try RegistryMode.parse(name).get()
        let outcome = try await store.write(.setMode(subject: subject, mode, force: request.flag("force")))
        guard case .mode(let applied) = outcome else { throw SubjectRoutes.unexpected(outcome) }
        return .json(RegistryJSON.mode(applied))
    }

    private static func delete(_ store: KafkaSchemaStore, subject: String?) async throws(RegistryError) -> RegistryReply {
        let outcome = try await store.write(.deleteMode(subject: subject))
        guard case .mode(let previous) = outcome else { throw SubjectRoutes.unexpected(outcome) }
        return .json(RegistryJSON.mode(previous))
    }
}
