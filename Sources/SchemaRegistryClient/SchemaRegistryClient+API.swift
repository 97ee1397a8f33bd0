// The typed Confluent REST calls. Each method names its endpoint; query booleans are sent only
// when they differ from the server's default, so any Confluent-compatible registry understands
// them. Subject and version path parts are percent-encoded by the request builder.
import JSON
import SchemaRegistry

extension SchemaRegistryClient {
    // MARK: Registering and looking up

    /// `POST /subjects/{subject}/versions`: registers `schema` (or finds it already live) and
    /// returns its global id. `id`/`version` are honoured only in IMPORT mode (to keep ids when
    /// moving a registry).
    public func register(
        subject: String, schema: RegistrySchema, normalize: Bool = false, id: Int? = nil, version: Int? = nil
    ) async throws(SchemaRegistryClientError) -> Int {
        try await registration(subject: subject, schema: schema, normalize: normalize, id: id, version: version).id
    }

    /// The same call, with the version when the registry reports it.
    public func registration(
        subject: String, schema: RegistrySchema, normalize: Bool = false, id: Int? = nil, version: Int? = nil
    ) async throws(SchemaRegistryClientError) -> SchemaRegistration {
        var body = Self.requestBody(schema)
        if let id { body["id"] = .integer(Int64(id)) }
        if let version { body["version"] = .integer(Int64(version)) }
        let (answer, label) = try await sendJSON(
            Request(.POST, ["subjects", subject, "versions"], query: Self.flag("normalize", normalize), body: .object(body)))
        return try RegistryResponseDecoding.registration(answer, request: label)
    }

    /// `POST /subjects/{subject}`: the version of `subject` holding `schema` (40403 when none does).
    public func lookup(
        subject: String, schema: RegistrySchema, normalize: Bool = false, includeDeleted: Bool = false
    ) async throws(SchemaRegistryClientError) -> SubjectSchema {
        let (answer, label) = try await sendJSON(
            Request(
                .POST, ["subjects", subject],
                query: Self.flag("normalize", normalize) + Self.flag("deleted", includeDeleted),
                body: .object(Self.requestBody(schema))))
        return try RegistryResponseDecoding.subjectSchema(answer, request: label)
    }

    // MARK: Schemas by id

    /// `GET /schemas/ids/{id}`: the schema with this global id.
    public func schema(id: Int, subject: String? = nil) async throws(SchemaRegistryClientError) -> RegistrySchema {
        let query = subject.map { [(name: "subject", value: $0)] } ?? []
        let (answer, label) = try await sendJSON(Request(.GET, ["schemas", "ids", String(id)], query: query))
        return try RegistryResponseDecoding.schema(answer, request: label)
    }

    /// `GET /schemas/ids/{id}/subjects`: subjects that hold the schema with this id.
    public func subjects(id: Int, includeDeleted: Bool = false) async throws(SchemaRegistryClientError) -> [String] {
        let (answer, label) = try await sendJSON(
            Request(.GET, ["schemas", "ids", String(id), "subjects"], query: Self.flag("deleted", includeDeleted)))
        return try RegistryResponseDecoding.strings(answer, what: "the subjects", request: label)
    }

    /// `GET /schemas/ids/{id}/versions`: every (subject, version) holding the schema with this id.
    public func subjectVersions(id: Int, includeDeleted: Bool = false) async throws(SchemaRegistryClientError) -> [SubjectVersion] {
        let (answer, label) = try await sendJSON(
            Request(.GET, ["schemas", "ids", String(id), "versions"], query: Self.flag("deleted", includeDeleted)))
        return try RegistryResponseDecoding.subjectVersions(answer, request: label)
    }

    /// `GET /schemas/types`: the schema types the registry accepts.
    public func schemaTypes() async throws(SchemaRegistryClientError) -> [String] {
        let (answer, label) = try await sendJSON(Request(.GET, ["schemas", "types"]))
        return try RegistryResponseDecoding.strings(answer, what: "the schema types", request: label)
    }

    // MARK: Subjects and versions

    /// `GET /subjects`: subject names, optionally only those starting with `prefix`.
    public func subjects(prefix: String? = nil, listing: SubjectListing = .live) async throws(SchemaRegistryClientError) -> [String] {
        var query = prefix.map { [(name: "subjectPrefix", value: $0)] } ?? []
        query += Self.listingQuery(listing)
        let (answer, label) = try await sendJSON(Request(.GET, ["subjects"], query: query))
        return try RegistryResponseDecoding.strings(answer, what: "the subjects", request: label)
    }

    /// `GET /subjects/{subject}/versions`: the subject's version numbers, ascending.
    public func versions(subject: String, listing: SubjectListing = .live) async throws(SchemaRegistryClientError) -> [Int] {
        let (answer, label) = try await sendJSON(Request(.GET, ["subjects", subject, "versions"], query: Self.listingQuery(listing)))
        return try RegistryResponseDecoding.integers(answer, what: "the versions", request: label)
    }

    /// `GET /subjects/{subject}/versions/{version}` (a number or `.latest`).
    public func version(
        subject: String, _ version: VersionSelector = .latest, includeDeleted: Bool = false
    ) async throws(SchemaRegistryClientError) -> SubjectSchema {
        let (answer, label) = try await sendJSON(
            Request(.GET, ["subjects", subject, "versions", Self.text(version)], query: Self.flag("deleted", includeDeleted)))
        return try RegistryResponseDecoding.subjectSchema(answer, request: label)
    }

    /// `GET /subjects/{subject}/versions/{version}/referencedby`: ids of schemas that reference it.
    public func referencedBy(subject: String, _ version: VersionSelector) async throws(SchemaRegistryClientError) -> [Int] {
        let (answer, label) = try await sendJSON(
            Request(.GET, ["subjects", subject, "versions", Self.text(version), "referencedby"]))
        return try RegistryResponseDecoding.integers(answer, what: "the referencing ids", request: label)
    }

    /// `DELETE /subjects/{subject}`: soft-deletes every version (or, with `permanent`, removes a
    /// subject that was soft-deleted before). Returns the deleted version numbers.
    @discardableResult
    public func deleteSubject(_ subject: String, permanent: Bool = false) async throws(SchemaRegistryClientError) -> [Int] {
        let (answer, label) = try await sendJSON(Request(.DELETE, ["subjects", subject], query: Self.flag("permanent", permanent)))
        return try RegistryResponseDecoding.integers(answer, what: "the deleted versions", request: label)
    }

    /// `DELETE /subjects/{subject}/versions/{version}`: returns the deleted version number.
    @discardableResult
    public func deleteVersion(
        subject: String, _ version: VersionSelector, permanent: Bool = false
    ) async throws(SchemaRegistryClientError) -> Int {
        let (answer, label) = try await sendJSON(
            Request(.DELETE, ["subjects", subject, "versions", Self.text(version)], query: Self.flag("permanent", permanent)))
        guard let number = RegistryResponseDecoding.integer(answer) else {
            throw RegistryResponseDecoding.invalid("expected the deleted version number", request: label)
        }
        return number
    }

    // MARK: Compatibility

    /// `POST /compatibility/subjects/{subject}/versions[/{version}]`: whether `schema` is
    /// compatible with the given version, or (`version` nil) with the versions the subject's level
    /// names. With `verbose` the result lists the reasons.
    public func checkCompatibility(
        subject: String, version: VersionSelector? = nil, schema: RegistrySchema, normalize: Bool = false, verbose: Bool = false
    ) async throws(SchemaRegistryClientError) -> CompatibilityCheckResult {
        var path = ["compatibility", "subjects", subject, "versions"]
        if let version { path.append(Self.text(version)) }
        let (answer, label) = try await sendJSON(
            Request(
                .POST, path, query: Self.flag("normalize", normalize) + Self.flag("verbose", verbose),
                body: .object(Self.requestBody(schema))))
        return try RegistryResponseDecoding.compatibility(answer, request: label)
    }

    // MARK: Config and mode

    /// `GET /config[/{subject}]`. For a subject without its own level the registry answers 40408
    /// unless `defaultToGlobal` is set.
    public func config(subject: String? = nil, defaultToGlobal: Bool = false) async throws(SchemaRegistryClientError) -> RegistryConfig {
        let (answer, label) = try await sendJSON(
            Request(.GET, Self.path("config", subject), query: Self.flag("defaultToGlobal", defaultToGlobal)))
        return try RegistryResponseDecoding.config(answer, request: label)
    }

    /// `PUT /config[/{subject}]` with `{"compatibility": level}`; returns the level now set.
    @discardableResult
    public func setCompatibility(
        _ level: CompatibilityLevel, subject: String? = nil
    ) async throws(SchemaRegistryClientError) -> CompatibilityLevel {
        let body = JSONObject([("compatibility", .string(level.rawValue))])
        let (answer, label) = try await sendJSON(Request(.PUT, Self.path("config", subject), body: .object(body)))
        return try RegistryResponseDecoding.config(answer, request: label).compatibilityLevel
    }

    /// `DELETE /config[/{subject}]`: removes the subject's own level (or resets the global one);
    /// returns the level that was removed.
    @discardableResult
    public func deleteConfig(subject: String? = nil) async throws(SchemaRegistryClientError) -> CompatibilityLevel {
        let (answer, label) = try await sendJSON(Request(.DELETE, Self.path("config", subject)))
        return try RegistryResponseDecoding.config(answer, request: label).compatibilityLevel
    }

    /// `GET /mode[/{subject}]`; 40409 for a subject without its own mode unless `defaultToGlobal`.
    public func mode(subject: String? = nil, defaultToGlobal: Bool = false) async throws(SchemaRegistryClientError) -> RegistryMode {
        let (answer, label) = try await sendJSON(
            Request(.GET, Self.path("mode", subject), query: Self.flag("defaultToGlobal", defaultToGlobal)))
        return try RegistryResponseDecoding.mode(answer, request: label)
    }

    /// `PUT /mode[/{subject}]`; IMPORT on a registry that holds subjects needs `force`.
    @discardableResult
    public func setMode(_ mode: RegistryMode, subject: String? = nil, force: Bool = false) async throws(SchemaRegistryClientError) -> RegistryMode {
        let body = JSONObject([("mode", .string(mode.rawValue))])
        let (answer, label) = try await sendJSON(
            Request(.PUT, Self.path("mode", subject), query: Self.flag("force", force), body: .object(body)))
        return try RegistryResponseDecoding.mode(answer, request: label)
    }

    /// `DELETE /mode[/{subject}]`: removes the subject's own mode; returns the mode removed.
    @discardableResult
    public func deleteMode(subject: String? = nil) async throws(SchemaRegistryClientError) -> RegistryMode {
        let (answer, label) = try await sendJSON(Request(.DELETE, Self.path("mode", subject)))
        return try RegistryResponseDecoding.mode(answer, request: label)
    }

    // MARK: Helpers

    /// The RegisterSchemaRequest body: `schemaType` and `references` always written, as
    /// confluent-kafka-python does, so any registry reads the same request.
    static func requestBody(_ schema: RegistrySchema) -> JSONObject {
        var body = JSONObject(minimumCapacity: 5)
        body["schema"] = .string(schema.schema)
        body["schemaType"] = .string(schema.schemaType.rawValue)
        body["references"] = .array(schema.references.map(SchemaRegistryRecord.encodeReference))
        if let metadata = schema.metadata { body["metadata"] = metadata }
        if let ruleSet = schema.ruleSet { body["ruleSet"] = ruleSet }
        return body
    }

    static func flag(_ name: String, _ isSet: Bool) -> [(name: String, value: String)] {
        isSet ? [(name, "true")] : []
    }

    static func listingQuery(_ listing: SubjectListing) -> [(name: String, value: String)] {
        switch listing {
        case .live: return []
        case .includingDeleted: return [("deleted", "true")]
        case .deletedOnly: return [("deletedOnly", "true")]
        }
    }

    static func text(_ version: VersionSelector) -> String {
        switch version {
        case .latest: return "latest"
        case .number(let number): return String(number)
        }
    }

    static func path(_ resource: String, _ subject: String?) -> [String] {
        subject.map { [resource, $0] } ?? [resource]
    }
}
