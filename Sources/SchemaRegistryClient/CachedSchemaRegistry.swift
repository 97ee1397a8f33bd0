// CachedSchemaRegistry: the registry as serializers and deserializers need it — hot lookups
// answered from memory. Schemas by id are cached forever (a registry never reuses an id for
// other content); (subject, schema) → id is cached forever too (registering live content again
// returns the same id); the latest version of a subject is cached for a TTL, because it changes
// when someone registers. Concurrent misses for one key share a single request, so a burst of
// records with a new id costs the registry one GET, not one per record.
import JSON
import SchemaRegistry

public actor CachedSchemaRegistry {
    public nonisolated let client: SchemaRegistryClient
    /// How long a subject's latest version is trusted before it is fetched again.
    public nonisolated let latestVersionTTL: Duration
    /// Subjects whose latest version is kept at once; beyond it the oldest entries are dropped.
    public nonisolated let latestVersionEntriesMax: Int

    private struct SubjectSchemaKey: Hashable {
        var subject: String
        var schema: String
        var schemaType: String
        var references: [SchemaReference]
        var extras: String
        var normalize: Bool

        init(subject: String, schema: RegistrySchema, normalize: Bool) {
            self.subject = subject
            self.schema = schema.schema
            schemaType = schema.schemaType.rawValue
            references = schema.references
            // metadata and ruleSet take part in Confluent's identity (its MD5 covers them).
            extras = (schema.metadata?.serialized(sortedKeys: true) ?? "") + "\u{0}" + (schema.ruleSet?.serialized(sortedKeys: true) ?? "")
            self.normalize = normalize
        }
    }

    private enum RequestKey: Hashable {
        case schema(id: Int)
        case register(SubjectSchemaKey)
        case lookup(SubjectSchemaKey)
        case latest(subject: String)
    }

    private enum Answer: Sendable {
        case schema(RegistrySchema)
        case id(Int)
        case subjectSchema(SubjectSchema)
    }

    private var schemasByID: [Int: RegistrySchema] = [:]
    private var idsBySubjectSchema: [SubjectSchemaKey: Int] = [:]
    private var latestVersions: [String: (value: SubjectSchema, expires: ContinuousClock.Instant)] = [:]
    private var inFlight: [RequestKey: Task<Answer, any Error>] = [:]
    private let clock = ContinuousClock()

    public init(client: SchemaRegistryClient, latestVersionTTL: Duration = .seconds(60), latestVersionEntriesMax: Int = 1000) {
        self.client = client
        self.latestVersionTTL = latestVersionTTL
        self.latestVersionEntriesMax = max(1, latestVersionEntriesMax)
    }

    /// The schema with this id: from memory, or fetched once (`GET /schemas/ids/{id}`).
    public func schema(id: Int) async throws(SchemaRegistryClientError) -> RegistrySchema {
        if let cached = schemasByID[id] { return cached }
        let client = self.client
        guard case .schema(let schema) = try await coalesced(.schema(id: id), { .schema(try await client.schema(id: id)) }) else {
            throw Self.internalMismatch
        }
        schemasByID[id] = schema
        return schema
    }

    /// The id of `schema` under `subject`, registering it on the first call (what a serializer
    /// with auto-registration does). The answer is cached, as is the id → schema mapping.
    public func registeredID(subject: String, schema: RegistrySchema, normalize: Bool = false) async throws(SchemaRegistryClientError) -> Int {
        let key = SubjectSchemaKey(subject: subject, schema: schema, normalize: normalize)
        if let cached = idsBySubjectSchema[key] { return cached }
        let client = self.client
        guard case .id(let id) = try await coalesced(.register(key), {
            .id(try await client.register(subject: subject, schema: schema, normalize: normalize))
        }) else { throw Self.internalMismatch }
        remember(id: id, key: key, schema: schema, normalize: normalize)
        return id
    }

    /// The id of `schema` under `subject` without registering (`POST /subjects/{s}`); 40401/40403
    /// errors when the subject does not hold it.
    public func lookupID(subject: String, schema: RegistrySchema, normalize: Bool = false) async throws(SchemaRegistryClientError) -> Int {
        let key = SubjectSchemaKey(subject: subject, schema: schema, normalize: normalize)
        if let cached = idsBySubjectSchema[key] { return cached }
        let client = self.client
        guard case .subjectSchema(let found) = try await coalesced(.lookup(key), {
            .subjectSchema(try await client.lookup(subject: subject, schema: schema, normalize: normalize))
        }) else { throw Self.internalMismatch }
        remember(id: found.id, key: key, schema: schema, normalize: normalize)
        return found.id
    }

    /// The subject's latest version, refetched once `latestVersionTTL` has passed.
    public func latestVersion(subject: String) async throws(SchemaRegistryClientError) -> SubjectSchema {
        if let cached = latestVersions[subject], clock.now < cached.expires { return cached.value }
        let client = self.client
        guard case .subjectSchema(let latest) = try await coalesced(.latest(subject: subject), {
            .subjectSchema(try await client.version(subject: subject, .latest))
        }) else { throw Self.internalMismatch }
        if latestVersions.count >= latestVersionEntriesMax, latestVersions[subject] == nil {
            let now = clock.now
            latestVersions = latestVersions.filter { $0.value.expires > now }
            if latestVersions.count >= latestVersionEntriesMax, let oldest = latestVersions.min(by: { $0.value.expires < $1.value.expires }) {
                latestVersions[oldest.key] = nil
            }
        }
        latestVersions[subject] = (latest, clock.now.advanced(by: latestVersionTTL))
        schemasByID[latest.id] = latest.schema
        return latest
    }

    /// Forgets a subject's cached latest version (after registering a new one, say).
    public func invalidateLatestVersion(subject: String) {
        latestVersions[subject] = nil
    }

    /// Cache sizes, for metrics and tests.
    public var cachedCounts: (schemasByID: Int, subjectSchemaIDs: Int, latestVersions: Int) {
        (schemasByID.count, idsBySubjectSchema.count, latestVersions.count)
    }

    // MARK: Private

    /// Only ids from the registry's own answers are trusted for the id → schema direction when
    /// the schema was not normalized by the server: a normalized registration may store other text.
    private func remember(id: Int, key: SubjectSchemaKey, schema: RegistrySchema, normalize: Bool) {
        idsBySubjectSchema[key] = id
        if !normalize && schemasByID[id] == nil { schemasByID[id] = schema }
    }

    /// Runs `fetch` once for `key` however many callers miss at the same time; every caller
    /// gets the one answer (or the one error).
    private func coalesced(
        _ key: RequestKey, _ fetch: @escaping @Sendable () async throws -> Answer
    ) async throws(SchemaRegistryClientError) -> Answer {
        let task: Task<Answer, any Error>
        if let running = inFlight[key] {
            task = running
        } else {
            task = Task { try await fetch() }
            inFlight[key] = task
        }
        defer { if inFlight[key] == task { inFlight[key] = nil } }
        do {
            return try await task.value
        } catch let error as SchemaRegistryClientError {
            throw error
        } catch {
            throw SchemaRegistryClientError(kind: .invalidResponse, message: "the registry request failed: \(error)")
        }
    }

    private static let internalMismatch = SchemaRegistryClientError(
        kind: .invalidResponse, message: "internal: a coalesced request answered with the wrong kind of value")
}
