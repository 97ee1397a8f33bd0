// Planning writes: each operation is validated against the current state and turned into the
// `_schemas` records that carry it out, plus the answer the client gets once they are applied.
// Planning changes nothing; state changes only when the records come back through `apply`.
import JSONSchema

/// The body of POST /subjects/{s}/versions (and of lookup and compatibility checks).
public struct RegisterSchemaRequest: Sendable, Equatable {
    public var schema: String
    public var schemaType: SchemaType
    public var references: [SchemaReference]
    /// Explicit id/version: honoured in IMPORT mode only. nil (or ≤ 0) = allocate.
    public var id: Int?
    public var version: Int?
    /// Other request fields (metadata, ruleSet...): stored and returned unchanged.
    public var extra: JSONObject

    public init(
        schema: String, schemaType: SchemaType = .avro, references: [SchemaReference] = [], id: Int? = nil,
        version: Int? = nil, extra: JSONObject = JSONObject()
    ) {
        self.schema = schema
        self.schemaType = schemaType
        self.references = references
        self.id = id
        self.version = version
        self.extra = extra
    }
}

public enum SchemaRegistryOperation: Sendable, Equatable {
    case register(subject: String, request: RegisterSchemaRequest, normalize: Bool)
    case deleteSubject(subject: String, permanent: Bool)
    case deleteVersion(subject: String, version: VersionSelector, permanent: Bool)
    /// nil subject = global.
    case setConfig(subject: String?, ConfigValue)
    case deleteConfig(subject: String?)
    case setMode(subject: String?, RegistryMode, force: Bool)
    case deleteMode(subject: String?)
}

/// What the client is told once the plan's records have been applied.
public enum SchemaRegistryOutcome: Sendable, Equatable {
    /// `created` is false when the content was already live in the subject (no records).
    case registered(id: Int, version: Int, created: Bool)
    case deletedVersions([Int])
    case deletedVersion(Int)
    case config(ConfigValue)
    case mode(RegistryMode)
}

public struct SchemaRegistryPlan: Sendable, Equatable {
    /// Append these to `_schemas` in order, then apply each as it is read back.
    public var records: [SchemaRegistryRecord]
    public var outcome: SchemaRegistryOutcome
}

extension SchemaStateMachine {
    public func plan(_ operation: SchemaRegistryOperation) -> Result<SchemaRegistryPlan, RegistryError> {
        switch operation {
        case .register(let subject, let request, let normalize):
            return planRegister(subject: subject, request: request, normalize: normalize)
        case .deleteSubject(let subject, let permanent):
            return planDeleteSubject(subject, permanent: permanent)
        case .deleteVersion(let subject, let version, let permanent):
            return planDeleteVersion(subject, version, permanent: permanent)
        case .setConfig(let subject, let config):
            if let subject, let error = Self.validate(subject: subject) { return .failure(error) }
            return .success(SchemaRegistryPlan(
                records: [SchemaRegistryRecord(key: .config(subject: subject), value: .config(config))], outcome: .config(config)))
        case .deleteConfig(let subject):
            let previous: ConfigValue
            if let subject {
                guard let existing = subjectConfigs[subject] else {
                    return .failure(subjects[subject] == nil ? .subjectNotFound(subject) : .subjectCompatibilityNotConfigured(subject))
                }
                previous = existing
            } else {
                previous = globalConfig ?? ConfigValue(compatibilityLevel: .defaultLevel)
            }
            return .success(SchemaRegistryPlan(records: [.tombstone(.config(subject: subject))], outcome: .config(previous)))
        case .setMode(let subject, let mode, let force):
            return planSetMode(subject: subject, mode: mode, force: force)
        case .deleteMode(let subject):
            let previous: RegistryMode
            if let subject {
                guard let existing = subjectModes[subject] else {
                    return .failure(subjects[subject] == nil ? .subjectNotFound(subject) : .subjectModeNotConfigured(subject))
                }
                previous = existing
            } else {
                previous = globalMode ?? .defaultMode
            }
            return .success(SchemaRegistryPlan(records: [.tombstone(.mode(subject: subject))], outcome: .mode(previous)))
        }
    }

    static func validate(subject: String) -> RegistryError? {
        let bytes = subject.utf8.count
        if bytes == 0 || bytes > subjectBytesMax || subject.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            return .invalidSubject(subject)
        }
        return nil
    }

    private func refuseWritesIfReadOnly(_ subject: String) -> RegistryError? {
        mode(for: subject).refusesWrites ? .operationNotPermitted("Subject \(subject) is in read-only mode") : nil
    }

    /// Parses `request` with its references resolved through this state.
    func parse(_ request: RegisterSchemaRequest, normalize: Bool) -> Result<ParsedSchema, RegistryError> {
        let bytes = request.schema.utf8.count
        guard bytes <= Self.schemaBytesMax else { return .failure(.schemaTooLarge(bytes: bytes, maximumBytes: Self.schemaBytesMax)) }
        return resolveDependencies(request.references).flatMap { dependencies in
            ParsedSchema.parse(request.schema, type: request.schemaType, normalize: normalize, dependencies: dependencies)
        }
    }

    private func planRegister(subject: String, request: RegisterSchemaRequest, normalize: Bool)
        -> Result<SchemaRegistryPlan, RegistryError>
    {
        if let error = Self.validate(subject: subject) ?? refuseWritesIfReadOnly(subject) { return .failure(error) }
        let parsed: ParsedSchema
        switch parse(request, normalize: normalize) {
        case .success(let value): parsed = value
        case .failure(let error): return .failure(error)
        }
        let references = normalize ? Array(Set(request.references)).sorted { $0.name < $1.name } : request.references
        let key = ContentKey(type: parsed.type, text: parsed.canonicalText, references: references, extra: request.extra)
        // One pass over the subject's versions, without sorting or copying them into an array:
        // a subject with many versions must not make each registration cost more than a scan.
        var latestVersion = 0
        var latestLive: SchemaValue?
        var liveMatch: SchemaValue?
        var deletedMatches: [Int] = []
        for (number, value) in subjects[subject] ?? [:] {
            latestVersion = max(latestVersion, number)
            // The text is compared first: it differs for almost every version and costs least.
            let isMatch = value.schema == parsed.canonicalText && ContentKey(value) == key
            if value.deleted {
                if isMatch { deletedMatches.append(number) }
                continue
            }
            if number > (latestLive?.version ?? 0) { latestLive = value }
            if isMatch, number < (liveMatch?.version ?? Int.max) { liveMatch = value }
        }
        if let live = liveMatch {
            return .success(SchemaRegistryPlan(records: [], outcome: .registered(id: live.id, version: live.version, created: false)))
        }
        let importing = mode(for: subject) == .importing
        let explicitId = request.id.flatMap { $0 > 0 ? $0 : nil }
        let explicitVersion = request.version.flatMap { $0 > 0 ? $0 : nil }
        var id = idByContent[key] ?? (maxId + 1)
        var version = latestVersion + 1
        if importing {
            if let explicitId {
                if let holder = anyVersion(withId: explicitId), ContentKey(holder) != key {
                    return .failure(.idMismatch(id: explicitId, detail: "is already used by a different schema"))
                }
                id = explicitId
            }
            if let explicitVersion {
                guard explicitVersion <= VersionSelector.versionMax else { return .failure(.invalidVersion(String(explicitVersion))) }
                if let existing = subjects[subject]?[explicitVersion], ContentKey(existing) != key {
                    return .failure(.operationNotPermitted(
                        "Version \(explicitVersion) of subject \(subject) already holds a different schema"))
                }
                version = explicitVersion
            }
        } else {
            if explicitId != nil || explicitVersion != nil {
                return .failure(.operationNotPermitted("Overriding the schema id or version requires IMPORT mode"))
            }
            let level = compatibilityLevel(for: subject)
            // The non-transitive levels check the latest live version only.
            let live = level.isTransitive ? versions(of: subject, includeDeleted: false) : latestLive.map { [$0] } ?? []
            let messages = compatibilityMessages(parsed, against: live, level: level, verbose: true)
            if !messages.isEmpty { return .failure(.incompatibleSchema(subject: subject, details: messages)) }
        }
        var records: [SchemaRegistryRecord] = []
        // Content that matches a soft-deleted version gets a new version; the old key is
        // tombstoned so that only one version of the subject holds it (as Confluent does).
        for old in deletedMatches.sorted() where old != version {
            records.append(.tombstone(.schema(subject: subject, version: old)))
        }
        let value = SchemaValue(
            subject: subject, version: version, id: id, schema: parsed.canonicalText, deleted: false,
            schemaType: parsed.type, references: references, extra: request.extra)
        records.append(SchemaRegistryRecord(key: .schema(subject: subject, version: version), value: .schema(value)))
        return .success(SchemaRegistryPlan(records: records, outcome: .registered(id: id, version: version, created: true)))
    }

    private func planDeleteSubject(_ subject: String, permanent: Bool) -> Result<SchemaRegistryPlan, RegistryError> {
        if let error = refuseWritesIfReadOnly(subject) { return .failure(error) }
        let all = versions(of: subject, includeDeleted: true)
        guard !all.isEmpty else { return .failure(.subjectNotFound(subject)) }
        let live = all.filter { !$0.deleted }
        for value in all {
            if !referrers(of: subject, version: value.version).isEmpty {
                return .failure(.referenceExists(subject: subject, version: value.version))
            }
        }
        if !permanent {
            guard let latest = live.last else { return .failure(.subjectSoftDeleted(subject)) }
            var records = [SchemaRegistryRecord(
                key: .deleteSubject(subject: subject), value: .deleteSubject(subject: subject, version: latest.version))]
            // Confluent drops a soft-deleted subject's own compatibility and mode.
            if subjectConfigs[subject] != nil { records.append(.tombstone(.config(subject: subject))) }
            if subjectModes[subject] != nil { records.append(.tombstone(.mode(subject: subject))) }
            return .success(SchemaRegistryPlan(records: records, outcome: .deletedVersions(live.map(\.version))))
        }
        guard live.isEmpty else { return .failure(.subjectNotSoftDeleted(subject)) }
        var records = all.map { SchemaRegistryRecord.tombstone(.schema(subject: subject, version: $0.version)) }
        records.append(SchemaRegistryRecord(key: .clearSubject(subject: subject), value: .clearSubject(subject: subject)))
        records.append(barrierRecord)
        return .success(SchemaRegistryPlan(records: records, outcome: .deletedVersions(all.map(\.version))))
    }

    private func planDeleteVersion(_ subject: String, _ selector: VersionSelector, permanent: Bool)
        -> Result<SchemaRegistryPlan, RegistryError>
    {
        if let error = refuseWritesIfReadOnly(subject) { return .failure(error) }
        // "latest" names the latest live version; a number may name a soft-deleted one.
        let target: SchemaValue
        switch version(of: subject, selector, includeDeleted: selector != .latest) {
        case .success(let value): target = value
        case .failure(let error):
            if subjects[subject] == nil { return .failure(.subjectNotFound(subject)) }
            if case .latest = selector { return .failure(.subjectSoftDeleted(subject)) }
            return .failure(error)
        }
        if !referrers(of: subject, version: target.version).isEmpty {
            return .failure(.referenceExists(subject: subject, version: target.version))
        }
        let key = SchemaRegistryRecordKey.schema(subject: subject, version: target.version)
        if permanent {
            guard target.deleted else { return .failure(.versionNotSoftDeleted(subject, target.version)) }
            return .success(SchemaRegistryPlan(records: [.tombstone(key), barrierRecord], outcome: .deletedVersion(target.version)))
        }
        guard !target.deleted else { return .failure(.versionSoftDeleted(subject, target.version)) }
        var deleted = target
        deleted.deleted = true
        return .success(SchemaRegistryPlan(
            records: [SchemaRegistryRecord(key: key, value: .schema(deleted))], outcome: .deletedVersion(target.version)))
    }

    private func planSetMode(subject: String?, mode: RegistryMode, force: Bool) -> Result<SchemaRegistryPlan, RegistryError> {
        if let subject, let error = Self.validate(subject: subject) { return .failure(error) }
        if mode == .importing && !force {
            let occupied = subject.map { !versions(of: $0, includeDeleted: false).isEmpty }
                ?? subjects.values.contains { $0.values.contains { !$0.deleted } }
            if occupied { return .failure(.operationNotPermitted("Cannot import since found existing subjects")) }
        }
        return .success(SchemaRegistryPlan(
            records: [SchemaRegistryRecord(key: .mode(subject: subject), value: .mode(mode))], outcome: .mode(mode)))
    }
}
