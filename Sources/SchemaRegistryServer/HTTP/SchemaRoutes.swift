// /schemas: schemas by global id (the text, the subjects and versions that use it), the list
// of every schema, and the schema types this registry understands. Ids are the same under
// every subject, so deserializers resolve them without knowing the subject.
import JSON
import SchemaRegistry

enum SchemaRoutes {
    static func routes(_ store: KafkaSchemaStore) -> [Route] {
        [
            Route("GET", "/schemas") { request, _ throws(RegistryError) in
                let deleted = request.flag("deleted")
                let latestOnly = request.flag("latestOnly")
                let schemas = store.read { machine -> [JSONValue] in
                    var schemas: [JSONValue] = []
                    for subject in machine.subjectNames(prefix: request.query["subjectPrefix"], deleted: deleted) {
                        guard case .success(var versions) = machine.versionNumbers(subject: subject, deleted: deleted) else { continue }
                        if latestOnly, let latest = versions.last { versions = [latest] }
                        for version in versions {
                            if case .success(let registered) = machine.schema(subject: subject, version: .number(version), deleted: deleted) {
                                schemas.append(RegistryJSON.schema(registered))
                            }
                        }
                    }
                    return schemas
                }
                return .json(.array(try RouteParameters.page(schemas, request)))
            },
            Route("GET", "/schemas/types") { _, _ in
                .strings(SchemaType.supported.map(\.rawValue))
            },
            Route("GET", "/schemas/ids/{}") { request, parameters throws(RegistryError) in
                .json(RegistryJSON.schemaString(try schema(store, request, parameters)))
            },
            Route("GET", "/schemas/ids/{}/schema") { request, parameters throws(RegistryError) in
                RegistryReply(status: 200, text: try schema(store, request, parameters).schema)
            },
            Route("GET", "/schemas/ids/{}/subjects") { request, parameters throws(RegistryError) in
                let id = try RouteParameters.schemaId(parameters[0])
                var names = try store.read { $0.subjectNames(id: id, deleted: request.flag("deleted")) }.get()
                if let subject = request.query["subject"], !subject.isEmpty { names = names.filter { $0 == subject } }
                return .strings(try RouteParameters.page(names, request))
            },
            Route("GET", "/schemas/ids/{}/versions") { request, parameters throws(RegistryError) in
                let id = try RouteParameters.schemaId(parameters[0])
                var users = try store.read { $0.subjectVersions(id: id, deleted: request.flag("deleted")) }.get()
                if let subject = request.query["subject"], !subject.isEmpty { users = users.filter { $0.subject == subject } }
                let values = users.map { user in
                    JSONValue.object(JSONObject([("subject", .string(user.subject)), ("version", .integer(Int64(user.version)))]))
                }
                return .json(.array(try RouteParameters.page(values, request)))
            },
        ]
    }

    private static func schema(_ store: KafkaSchemaStore, _ request: RegistryRequest, _ parameters: [String])
        throws(RegistryError) -> RegisteredSchema
    {
        let id = try RouteParameters.schemaId(parameters[0])
        let subject = request.query["subject"].flatMap { $0.isEmpty ? nil : $0 }
        return try store.read { $0.schema(id: id, subject: subject) }.get()
    }
}
