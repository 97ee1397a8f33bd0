// What the registry-backed serializers share: turning registry failures into BrookError, finding
// the schema id a serializer writes (per subject, remembered after the first answer), and a
// bounded memo of per-schema-id work (parsed writer schemas, compiled resolvers). Ids are
// immutable in a Confluent registry, so anything derived from an id is valid forever; the bound
// only protects memory from a topic that names an endless stream of distinct ids.
import NIOConcurrencyHelpers
import SchemaRegistry
import SchemaRegistryClient

extension BrookError {
    /// A registry failure while fetching schema `schemaID`; 40403 means the id is unknown.
    static func registry(_ error: SchemaRegistryClientError, schemaID: Int) -> BrookError {
        if error.errorCode == .schemaNotFound || (error.kind == .registry && error.httpStatus == 404 && error.errorCode == nil) {
            return BrookError(
                kind: .unknownSchemaID, message: "the registry has no schema with id \(schemaID)", schemaID: schemaID,
                registryError: error)
        }
        return BrookError(kind: .registry, message: "fetching schema \(schemaID): \(error)", schemaID: schemaID, registryError: error)
    }

    /// A registry failure while finding the id for `subject`.
    static func registry(_ error: SchemaRegistryClientError, subject: String) -> BrookError {
        BrookError(kind: .registry, message: "finding the schema id for subject '\(subject)': \(error)", registryError: error)
    }
}

/// A thread-safe memo from schema id to something derived from its schema, bounded by `entriesMax`.
final class SchemaIDMemo<Entry: Sendable>: Sendable {
    /// Distinct writer schema ids one serializer remembers; past it the memo starts over.
    let entriesMax: Int
    private let entries = NIOLockedValueBox<[Int: Entry]>([:])

    init(entriesMax: Int) {
        self.entriesMax = max(1, entriesMax)
    }

    subscript(id: Int) -> Entry? {
        entries.withLockedValue { $0[id] }
    }

    func remember(_ entry: Entry, for id: Int) {
        entries.withLockedValue { entries in
            if entries.count >= entriesMax, entries[id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[id] = entry
        }
    }
}

/// A subject's chosen schema: its id and, for `useLatest`, the registry's text of it.
struct ChosenSchema: Sendable {
    var id: Int
    var schema: RegistrySchema
}

/// Finds the schema id a serializer writes under a subject, per `SchemaIDSelection`. Answers for
/// `autoRegister` and `lookUp` are remembered forever (the registry returns the same id for the
/// same content); `useLatest` asks the cached registry, whose latest-version cache has a TTL.
final class SubjectSchemaIDs: Sendable {
    let registry: CachedSchemaRegistry
    let selection: SchemaIDSelection
    let normalize: Bool
    /// Subjects one serializer remembers; Confluent's serializers cache per subject without bound,
    /// but a strategy naming endless subjects must not grow memory endlessly.
    static let subjectsMax = 10_000
    private let known = NIOLockedValueBox<[String: ChosenSchema]>([:])

    init(registry: CachedSchemaRegistry, selection: SchemaIDSelection, normalize: Bool) {
        self.registry = registry
        self.selection = selection
        self.normalize = normalize
    }

    func schema(subject: String, own: RegistrySchema) async throws(BrookError) -> ChosenSchema {
        if selection != .useLatest, let cached = known.withLockedValue({ $0[subject] }) { return cached }
        let chosen: ChosenSchema
        do {
            switch selection {
            case .autoRegister:
                chosen = ChosenSchema(id: try await registry.registeredID(subject: subject, schema: own, normalize: normalize), schema: own)
            case .lookUp:
                chosen = ChosenSchema(id: try await registry.lookupID(subject: subject, schema: own, normalize: normalize), schema: own)
            case .useLatest:
                let latest = try await registry.latestVersion(subject: subject)
                return ChosenSchema(id: latest.id, schema: latest.schema)
            }
        } catch {
            throw BrookError.registry(error, subject: subject)
        }
        known.withLockedValue { known in
            if known.count >= Self.subjectsMax { known.removeAll(keepingCapacity: true) }
            known[subject] = chosen
        }
        return chosen
    }
}
