// /compatibility: would this schema be accepted? Against one named version, or (without a
// version) against what the subject's level names: the latest live version, or all of them for
// the _TRANSITIVE levels. `verbose=true` adds Confluent's readable messages.
import JSON
import SchemaRegistry

enum CompatibilityRoutes {
    static func routes(_ store: KafkaSchemaStore) -> [Route] {
        [
            Route("POST", "/compatibility/subjects/{}/versions/{}") { request, parameters throws(RegistryError) in
                let version = try RouteParameters.version(parameters[1])
                return try check(store, request, subject: parameters[0], version: version)
            },
            Route("POST", "/compatibility/subjects/{}/versions") { request, parameters throws(RegistryError) in
                try check(store, request, subject: parameters[0], version: nil)
            },
        ]
    }

    private static func check(_ store: KafkaSchemaStore, _ request: RegistryRequest, subject: String, version: VersionSelector?)
        throws(RegistryError) -> RegistryReply
    {
        let body = try SubjectRoutes.decodeRegisterRequest(request)
        let result = try store.read {
            $0.checkCompatibility(subject: subject, version: version, request: body, normalize: request.flag("normalize"))
        }.get()
        var object = JSONObject([("is_compatible", .bool(result.isCompatible))])
        if request.flag("verbose") { object["messages"] = .array(result.messages.map { .string($0) }) }
        return .json(.object(object))
    }
}
