// /subjects: list subjects, look a schema up in a subject, register, read and delete versions,
// and the ids that reference a version. Also the decoding of RegisterSchemaRequest bodies,
// shared with the compatibility endpoints: fields the registry does not model (metadata,
// ruleSet, schemaTagsToAdd...) are kept and stored, as newer Confluent clients send them.
import JSON
import SchemaRegistry

enum SubjectRoutes {
    static func routes(_ store: KafkaSchemaStore) -> [Route] {
        [
            Route("GET", "/subjects") { request, _ throws(RegistryError) in
                let names = store.read {
                    $0.subjectNames(
                        prefix: request.query["subjectPrefix"], deleted: request.flag("deleted"),
                        deletedOnly: request.flag("deletedOnly"))
                }
                return .strings(try RouteParameters.page(names, request))
            },
            Route("POST", "/subjects/{}") { request, parameters throws(RegistryError) in
                let body = try decodeRegisterRequest(request)
                let found = try store.read {
                    $0.lookup(subject: parameters[0], request: body, normalize: request.flag("normalize"), deleted: request.flag("deleted"))
                }.get()
                return .json(RegistryJSON.schema(found))
            },
            Route("DELETE", "/subjects/{}", isWrite: true) { request, parameters throws(RegistryError) in
                let outcome = try await store.write(.deleteSubject(subject: parameters[0], permanent: request.flag("permanent")))
                guard case .deletedVersions(let versions) = outcome else { throw unexpected(outcome) }
                return .integers(versions)
            },
            Route("GET", "/subjects/{}/versions") { request, parameters throws(RegistryError) in
                let versions = try store.read {
                    $0.versionNumbers(subject: parameters[0], deleted: request.flag("deleted"), deletedOnly: request.flag("deletedOnly"))
                }.get()
                return .integers(try RouteParameters.page(versions, request))
            },
            Route("POST", "/subjects/{}/versions", isWrite: true) { request, parameters throws(RegistryError) in
                let body = try decodeRegisterRequest(request)
                let outcome = try await store.write(
                    .register(subject: parameters[0], request: body, normalize: request.flag("normalize")))
                guard case .registered(let id, let version, _) = outcome else { throw unexpected(outcome) }
                return .json(.object(JSONObject([("id", .integer(Int64(id))), ("version", .integer(Int64(version)))])))
            },
            Route("GET", "/subjects/{}/versions/{}") { request, parameters throws(RegistryError) in
                .json(RegistryJSON.schema(try registered(store, request, parameters)))
            },
            Route("GET", "/subjects/{}/versions/{}/schema") { request, parameters throws(RegistryError) in
                RegistryReply(status: 200, text: try registered(store, request, parameters).schema)
            },
            Route("GET", "/subjects/{}/versions/{}/referencedby") { request, parameters throws(RegistryError) in
                let version = try RouteParameters.version(parameters[1])
                let ids = try store.read { $0.referencedBy(subject: parameters[0], version: version) }.get()
                return .integers(try RouteParameters.page(ids, request))
            },
            Route("DELETE", "/subjects/{}/versions/{}", isWrite: true) { request, parameters throws(RegistryError) in
                let version = try RouteParameters.version(parameters[1])
                let outcome = try await store.write(
                    .deleteVersion(subject: parameters[0], version: version, permanent: request.flag("permanent")))
                guard case .deletedVersion(let deleted) = outcome else { throw unexpected(outcome) }
                return .json(.integer(Int64(deleted)))
            },
        ]
    }

    private static func registered(_ store: KafkaSchemaStore, _ request: RegistryRequest, _ parameters: [String])
        throws(RegistryError) -> RegisteredSchema
    {
        let version = try RouteParameters.version(parameters[1])
        return try store.read { $0.schema(subject: parameters[0], version: version, deleted: request.flag("deleted")) }.get()
    }

    /// A plan that answered with the wrong kind of outcome is a bug, reported as a server error.
    static func unexpected(_ outcome: SchemaRegistryOutcome) -> RegistryError {
        .storeError("unexpected outcome \(outcome)")
    }

    /// Fields of RegisterSchemaRequest that are modelled; every other field goes to `extra`.
    static let modelledRequestFields: Set<String> = ["schema", "schemaType", "references", "id", "version"]

    static func decodeRegisterRequest(_ request: RegistryRequest) throws(RegistryError) -> RegisterSchemaRequest {
        let object = try request.jsonObject()
        guard let schema = object["schema"]?.stringValue else {
            throw .invalidSchema("- the request needs a \"schema\" string")
        }
        var schemaType = SchemaType.avro
        switch object["schemaType"] {
        case nil, .null?: break
        case .string(let name)?: schemaType = SchemaType(name: name)
        default: throw .invalidSchema("- \"schemaType\" must be a string")
        }
        var references: [SchemaReference] = []
        switch object["references"] {
        case nil, .null?: break
        case .array(let elements)?:
            for element in elements {
                guard let name = element["name"]?.stringValue, let subject = element["subject"]?.stringValue,
                    case .integer(let version)? = element["version"], version >= -1, version <= Int64(Int32.max)
                else { throw .invalidSchema("- each reference needs a name, a subject and a version") }
                references.append(SchemaReference(name: name, subject: subject, version: Int(version)))
            }
        default: throw .invalidSchema("- \"references\" must be an array")
        }
        func optionalInteger(_ name: String) throws(RegistryError) -> Int? {
            switch object[name] {
            case nil, .null?: return nil
            case .integer(let value)? where value >= Int64(Int32.min) && value <= Int64(Int32.max): return Int(value)
            default: throw .invalidSchema("- \"\(name)\" must be a 32-bit integer")
            }
        }
        var extra = JSONObject()
        // Null members are dropped: clients send `"metadata": null` for "none", which must not
        // make the schema differ from one registered without the field.
        for member in object.members where !modelledRequestFields.contains(member.key) && member.value != .null {
            extra[member.key] = member.value
        }
        return RegisterSchemaRequest(
            schema: schema, schemaType: schemaType, references: references, id: try optionalInteger("id"),
            version: try optionalInteger("version"), extra: extra)
    }
}
