// Read-side answers of the REST API, computed from the applied state. Results are plain values;
// the HTTP layer renders them as Confluent's JSON.
import JSONSchema

/// A version as GET /subjects/{s}/versions/{v} and lookups return it.
public struct RegisteredSchema: Sendable, Equatable {
    public var subject: String
    public var version: Int
    public var id: Int
    public var schemaType: SchemaType
    public var schema: String
    public var references: [SchemaReference]
    public var deleted: Bool
    /// metadata, ruleSet and other stored fields.
    public var extra: JSONObject

    init(_ value: SchemaValue) {
        subject = value.subject
        version = value.version
        id = value.id
        schemaType = value.schemaType
        schema = value.schema
        references = value.references
        deleted = value.deleted
        extra = value.extra
    }
}

extension SchemaStateMachine {
    /// GET /subjects. `deleted` adds subjects whose versions are all soft-deleted; `deletedOnly` lists only those.
    public func subjectNames(prefix: String? = nil, deleted: Bool = false, deletedOnly: Bool = false) -> [String] {
        subjects.compactMap { subject, versions -> String? in
            if let prefix, !subject.hasPrefix(prefix) { return nil }
            let hasLive = versions.values.contains { !$0.deleted }
            if deletedOnly { return hasLive ? nil : subject }
            return hasLive || deleted ? subject : nil
        }.sorted()
    }

    /// GET /subjects/{s}/versions.
    public func versionNumbers(subject: String, deleted: Bool = false, deletedOnly: Bool = false) -> Result<[Int], RegistryError> {
        let all = versions(of: subject, includeDeleted: true)
        let chosen = all.filter { deletedOnly ? $0.deleted : (deleted || !$0.deleted) }.map(\.version)
        if chosen.isEmpty && (all.isEmpty || !deletedOnly) { return .failure(.subjectNotFound(subject)) }
        return .success(chosen)
    }

    /// GET /subjects/{s}/versions/{v}.
    public func schema(subject: String, version selector: VersionSelector, deleted: Bool = false) -> Result<RegisteredSchema, RegistryError> {
        version(of: subject, selector, includeDeleted: deleted).map(RegisteredSchema.init)
    }

    /// GET /schemas/ids/{id}: the text behind an id (the same under every subject). With
    /// `subject`, the id must be used by that subject.
    public func schema(id: Int, subject: String? = nil) -> Result<RegisteredSchema, RegistryError> {
        guard let value = anyVersion(withId: id) else { return .failure(.schemaNotFound()) }
        // `subject` only picks which registration to answer with when the id has several; it never
        // filters: Confluent's deserializers send `{topic}-value` for ids registered elsewhere
        // (references, record-name strategies), and Confluent answers those.
        if let subject, let users = usersById[id], let user = users.filter({ $0.subject == subject }).min(by: { $0.version < $1.version }),
            let scoped = subjects[user.subject]?[user.version]
        {
            return .success(RegisteredSchema(scoped))
        }
        return .success(RegisteredSchema(value))
    }

    /// GET /schemas/ids/{id}/versions: every subject/version carrying the id.
    public func subjectVersions(id: Int, deleted: Bool = false) -> Result<[SubjectVersion], RegistryError> {
        guard let users = usersById[id] else { return .failure(.schemaNotFound()) }
        let chosen = users.filter { deleted || subjects[$0.subject]?[$0.version]?.deleted == false }
        return .success(chosen.sorted { ($0.subject, $0.version) < ($1.subject, $1.version) })
    }

    /// GET /schemas/ids/{id}/subjects.
    public func subjectNames(id: Int, deleted: Bool = false) -> Result<[String], RegistryError> {
        subjectVersions(id: id, deleted: deleted).map { Array(Set($0.map(\.subject))).sorted() }
    }

    /// GET /subjects/{s}/versions/{v}/referencedby: ids of live schemas that reference it.
    public func referencedBy(subject: String, version selector: VersionSelector) -> Result<[Int], RegistryError> {
        version(of: subject, selector, includeDeleted: true).map { target in
            Array(Set(referrers(of: subject, version: target.version).map(\.id))).sorted()
        }
    }

    /// POST /subjects/{s}: the version of `subject` holding this schema.
    public func lookup(subject: String, request: RegisterSchemaRequest, normalize: Bool = false, deleted: Bool = false)
        -> Result<RegisteredSchema, RegistryError>
    {
        let candidates = versions(of: subject, includeDeleted: deleted)
        guard !candidates.isEmpty else { return .failure(.subjectNotFound(subject)) }
        return parse(request, normalize: normalize).flatMap { parsed in
            let references = normalize ? Array(Set(request.references)).sorted { $0.name < $1.name } : request.references
            let key = ContentKey(type: parsed.type, text: parsed.canonicalText, references: references, extra: request.extra)
            let sameText = candidates.filter { $0.schemaType == parsed.type && $0.schema == parsed.canonicalText && $0.references == references }
            // Exact identity first; a lookup without metadata still finds the schema text.
            guard let found = candidates.last(where: { ContentKey($0) == key }) ?? sameText.last else {
                return .failure(.schemaNotFound())
            }
            return .success(RegisteredSchema(found))
        }
    }

    /// GET /config[/{s}]. Without `defaultToGlobal` a subject without its own level is 40408.
    public func config(subject: String?, defaultToGlobal: Bool = false) -> Result<ConfigValue, RegistryError> {
        if let subject {
            if let own = subjectConfigs[subject] { return .success(own) }
            if !defaultToGlobal { return .failure(.subjectCompatibilityNotConfigured(subject)) }
        }
        return .success(globalConfig ?? ConfigValue(compatibilityLevel: .defaultLevel))
    }

    /// GET /mode[/{s}]. Without `defaultToGlobal` a subject without its own mode is 40409.
    public func mode(subject: String?, defaultToGlobal: Bool = false) -> Result<RegistryMode, RegistryError> {
        if let subject {
            if let own = subjectModes[subject] { return .success(own) }
            if !defaultToGlobal { return .failure(.subjectModeNotConfigured(subject)) }
        }
        return .success(globalMode ?? .defaultMode)
    }
}
