// /config and /config/{subject}: compatibility levels. PUT takes `compatibility`, GET answers
// `compatibilityLevel` (Confluent's field-name asymmetry, which its clients rely on); level
// names are case-insensitive; other PUT fields (normalize, ...) are stored and returned.
import JSON
import SchemaRegistry

enum ConfigRoutes {
    static func routes(_ store: KafkaSchemaStore) -> [Route] {
        Route.settingRoutes(
            "/config",
            get: { request, subject throws(RegistryError) in try get(store, request, subject: subject) },
            put: { request, subject throws(RegistryError) in try await put(store, request, subject: subject) },
            delete: { subject throws(RegistryError) in try await delete(store, subject: subject) })
    }

    private static func get(_ store: KafkaSchemaStore, _ request: RegistryRequest, subject: String?) throws(RegistryError) -> RegistryReply {
        let config = try store.read { $0.config(subject: subject, defaultToGlobal: request.flag("defaultToGlobal")) }.get()
        return .json(RegistryJSON.config(config))
    }

    private static func put(_ store: KafkaSchemaStore, _ request: RegistryRequest, subject: String?) async throws(RegistryError)
        -> RegistryReply
    {
        let object = try request.jsonObject()
        let name: String
        switch object["compatibility"] ?? object["compatibilityLevel"] {
        case .string(let text)?: name = text
        case nil, .null?: throw .invalidCompatibilityLevel("null")
        case let other?: throw .invalidCompatibilityLevel(other.serialized())
        }
        let level = try CompatibilityLevel.parse(name).get()
        // Confluent's Config has `normalize` as a Boolean and refuses anything else; storing it
        // as sent would make every later GET /config answer a non-boolean `normalize`.
        if let normalize = object["normalize"] {
            switch normalize {
            case .bool, .null: break
            default:
                throw RegistryError(
                    httpStatus: 422, errorCode: 422,
                    message: "Unprocessable entity: normalize must be true or false, not \(normalize.serialized())")
            }
        }
        var extra = JSONObject()
        for member in object.members where member.key != "compatibility" && member.key != "compatibilityLevel" && member.value != .null {
            extra[member.key] = member.value
        }
        let outcome = try await store.write(.setConfig(subject: subject, ConfigValue(compatibilityLevel: level, extra: extra)))
        guard case .config(let config) = outcome else { throw SubjectRoutes.unexpected(outcome) }
        var echoed = JSONObject([("compatibility", .string(config.compatibilityLevel.rawValue))])
        for member in config.extra.members { echoed[member.key] = member.value }
        return .json(.object(echoed))
    }

    private static func delete(_ store: KafkaSchemaStore, subject: String?) async throws(RegistryError) -> RegistryReply {
        let outcome = try await store.write(.deleteConfig(subject: subject))
        guard case .config(let config) = outcome else { throw SubjectRoutes.unexpected(outcome) }
        return .json(RegistryJSON.config(config))
    }
}
