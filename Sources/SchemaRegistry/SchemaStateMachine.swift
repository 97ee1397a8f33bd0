// SchemaStateMachine: the registry's replicated state, rebuilt from `_schemas`. Every record read
// back from the topic — whether this instance wrote it a moment ago or another instance wrote it
// last year — goes through `apply`, so writes and replay share one code path. Writes are planned
// by `plan` (SchemaStateMachine+Plan.swift) against the current state; the caller appends the
// planned records and applies them when they are read back. The caller must not plan the next
// write until the previous plan's records are applied (a single writer, as Confluent's leader).
//
// State derived from live records only, so a compacted topic replays to the same state:
// an id exists while some (live or soft-deleted) version carries it. `maxId` is the largest id
// seen in the log; ids are allocated above it. Permanent deletes also append a NOOP carrying
// `maxId` (`barrierRecord`), so ids stay unused even after compaction drops the deleted schemas.
import JSONSchema

public struct SubjectVersion: Sendable, Hashable {
    public var subject: String
    public var version: Int
    public init(subject: String, version: Int) {
        self.subject = subject
        self.version = version
    }
}

/// What makes two registrations "the same schema": type, stored text, references and data-contract fields.
struct ContentKey: Hashable, Sendable {
    let type: String
    let text: String
    let references: [SchemaReference]
    let contract: String

    init(_ value: SchemaValue) {
        self.init(type: value.schemaType, text: value.schema, references: value.references, extra: value.extra)
    }

    init(type: SchemaType, text: String, references: [SchemaReference], extra: JSONObject) {
        self.type = type.rawValue
        self.text = text
        self.references = references
        var contract = JSONObject()
        for field in SchemaStateMachine.identityFields { if let value = extra[field] { contract[field] = value } }
        self.contract = contract.isEmpty ? "" : JSONValue.object(contract).serialized(sortedKeys: true)
    }
}

public struct SchemaStateMachine: Sendable, Equatable {
    /// Request fields beyond the schema that are part of its identity (Confluent's MD5 covers them).
    static let identityFields = ["metadata", "ruleSet"]
    /// Largest schema text accepted (bytes of UTF-8).
    public static let schemaBytesMax = 1 << 20
    /// Longest subject name accepted (bytes of UTF-8).
    public static let subjectBytesMax = 4096

    /// subject → version → stored value (soft-deleted ones included).
    var subjects: [String: [Int: SchemaValue]] = [:]
    var usersById: [Int: Set<SubjectVersion>] = [:]
    var idByContent: [ContentKey: Int] = [:]
    var subjectConfigs: [String: ConfigValue] = [:]
    var globalConfig: ConfigValue?
    var subjectModes: [String: RegistryMode] = [:]
    var globalMode: RegistryMode?
    /// Largest schema id seen in the log; the next id is `maxId + 1`.
    public private(set) var maxId = 0
    /// Records applied, NOOPs included (a read-your-writes barrier compares against it).
    public private(set) var appliedRecordCount = 0
    /// Counts the records that removed or replaced a stored version, or gave an existing id a
    /// second content (only a foreign writer does that). Registering never changes what an
    /// existing id names otherwise, so a cache of answers by id stays valid while this number
    /// stays the same.
    public private(set) var removalGeneration = 0

    public init() {}

    // MARK: Apply

    /// Applies one record read from `_schemas`. Never fails: the log is the truth, and a record
    /// that does not fit (a version deleted twice, a tombstone for nothing) changes nothing.
    public mutating func apply(_ record: SchemaRegistryRecord) {
        appliedRecordCount += 1
        switch (record.key, record.value) {
        case (.schema(let subject, let version), .schema(let value)):
            removeVersion(subject: subject, version: version)
            var stored = value
            stored.subject = subject
            stored.version = version
            subjects[subject, default: [:]][version] = stored
            usersById[stored.id, default: []].insert(SubjectVersion(subject: subject, version: version))
            let key = ContentKey(stored)
            if idByContent[key] != stored.id, usersById[stored.id].map({ $0.count > 1 }) == true { removalGeneration &+= 1 }
            if idByContent[key] == nil { idByContent[key] = stored.id }
            maxId = max(maxId, stored.id)
        case (.schema(let subject, let version), nil):
            removeVersion(subject: subject, version: version)
        case (.config(let subject?), .config(let config)): subjectConfigs[subject] = config
        case (.config(nil), .config(let config)): globalConfig = config
        case (.config(let subject?), nil): subjectConfigs[subject] = nil
        case (.config(nil), nil): globalConfig = nil
        case (.mode(let subject?), .mode(let mode)): subjectModes[subject] = mode
        case (.mode(nil), .mode(let mode)): globalMode = mode
        case (.mode(let subject?), nil): subjectModes[subject] = nil
        case (.mode(nil), nil): globalMode = nil
        case (.deleteSubject(let subject), .deleteSubject(_, let through)):
            guard var versions = subjects[subject] else { return }
            for (version, value) in versions where version <= through && !value.deleted {
                var deleted = value
                deleted.deleted = true
                versions[version] = deleted
            }
            subjects[subject] = versions
        case (.clearSubject(let subject), .clearSubject):
            for version in subjects[subject]?.keys.sorted() ?? [] { removeVersion(subject: subject, version: version) }
        case (.noop, .noop(let idHighWaterMark)):
            maxId = max(maxId, idHighWaterMark)
        default:
            // NOOP barriers, DELETE_SUBJECT/CLEAR_SUBJECT tombstones: nothing to change.
            break
        }
    }

    private mutating func removeVersion(subject: String, version: Int) {
        guard let old = subjects[subject]?[version] else { return }
        removalGeneration &+= 1
        subjects[subject]?[version] = nil
        if subjects[subject]?.isEmpty == true { subjects[subject] = nil }
        let user = SubjectVersion(subject: subject, version: version)
        usersById[old.id]?.remove(user)
        if usersById[old.id]?.isEmpty == true {
            usersById[old.id] = nil
            let key = ContentKey(old)
            if idByContent[key] == old.id { idByContent[key] = nil }
        }
    }

    /// The NOOP to append as a read-your-writes barrier. It carries the id high-water mark, so
    /// the latest NOOP (the one compaction keeps) always remembers every id ever allocated.
    public var barrierRecord: SchemaRegistryRecord {
        SchemaRegistryRecord(key: .noop, value: .noop(idHighWaterMark: maxId))
    }

    // MARK: Effective settings

    /// The level that governs `subject`: its own, else the global one, else BACKWARD.
    public func compatibilityLevel(for subject: String?) -> CompatibilityLevel {
        (subject.flatMap { subjectConfigs[$0] } ?? globalConfig)?.compatibilityLevel ?? .defaultLevel
    }

    public func mode(for subject: String?) -> RegistryMode {
        subject.flatMap { subjectModes[$0] } ?? globalMode ?? .defaultMode
    }

    // MARK: Internal views

    func versions(of subject: String, includeDeleted: Bool) -> [SchemaValue] {
        guard let versions = subjects[subject] else { return [] }
        return versions.values.filter { includeDeleted || !$0.deleted }.sorted { $0.version < $1.version }
    }

    func version(of subject: String, _ selector: VersionSelector, includeDeleted: Bool) -> Result<SchemaValue, RegistryError> {
        let candidates = versions(of: subject, includeDeleted: includeDeleted)
        guard !candidates.isEmpty else { return .failure(.subjectNotFound(subject)) }
        switch selector {
        case .latest:
            guard let latest = candidates.last else { return .failure(.subjectNotFound(subject)) }
            return .success(latest)
        case .number(let number):
            guard let found = candidates.first(where: { $0.version == number }) else { return .failure(.versionNotFound(number)) }
            return .success(found)
        }
    }

    /// Any version carrying `id` (live preferred), for the schema text behind an id.
    func anyVersion(withId id: Int) -> SchemaValue? {
        guard let users = usersById[id] else { return nil }
        let values = users.compactMap { subjects[$0.subject]?[$0.version] }
        return values.sorted { ($0.deleted ? 1 : 0, $0.subject, $0.version) < ($1.deleted ? 1 : 0, $1.subject, $1.version) }.first
    }

    /// Live versions (any subject) whose references name `subject`/`version`.
    func referrers(of subject: String, version: Int) -> [SchemaValue] {
        subjects.values.flatMap(\.values).filter { value in
            !value.deleted && value.references.contains { $0.subject == subject && $0.version == version }
        }.sorted { ($0.id, $0.subject, $0.version) < ($1.id, $1.subject, $1.version) }
    }

    /// Referenced schemas of `references`, transitively, dependencies first.
    func resolveDependencies(_ references: [SchemaReference]) -> Result<[ResolvedDependency], RegistryError> {
        var resolved: [ResolvedDependency] = []
        var visited: Set<SubjectVersion> = []
        func visit(_ reference: SchemaReference, depth: Int) -> RegistryError? {
            guard depth <= Self.referenceDepthMax else { return .invalidSchema("references nest deeper than \(Self.referenceDepthMax)") }
            let selector: VersionSelector = reference.version == -1 ? .latest : .number(reference.version)
            guard case .success(let value) = version(of: reference.subject, selector, includeDeleted: true) else {
                return .invalidSchema("reference '\(reference.name)' to subject '\(reference.subject)' version \(reference.version) not found")
            }
            let key = SubjectVersion(subject: value.subject, version: value.version)
            guard visited.insert(key).inserted else { return nil }
            for inner in value.references { if let error = visit(inner, depth: depth + 1) { return error } }
            resolved.append(ResolvedDependency(name: reference.name, type: value.schemaType, text: value.schema))
            return nil
        }
        for reference in references { if let error = visit(reference, depth: 0) { return .failure(error) } }
        return .success(resolved)
    }

    /// Deepest chain of references followed.
    public static let referenceDepthMax = 32
}
