// JSONSchemaCompatibility: Schema Registry compatibility levels for JSON Schema. BACKWARD asks
// whether the new schema accepts everything the old one did, so it diffs old → new; FORWARD
// diffs new → old; FULL does both; the transitive levels check every earlier version instead of
// only the latest. Changes are classified by Confluent's STRICT (default) or LENIENT policy.

public enum JSONSchemaCompatibility {
    public enum Level: String, Sendable, CaseIterable {
        case none = "NONE"
        case backward = "BACKWARD"
        case backwardTransitive = "BACKWARD_TRANSITIVE"
        case forward = "FORWARD"
        case forwardTransitive = "FORWARD_TRANSITIVE"
        case full = "FULL"
        case fullTransitive = "FULL_TRANSITIVE"

        var isTransitive: Bool { [.backwardTransitive, .forwardTransitive, .fullTransitive].contains(self) }
        var checksBackward: Bool { [.backward, .backwardTransitive, .full, .fullTransitive].contains(self) }
        var checksForward: Bool { [.forward, .forwardTransitive, .full, .fullTransitive].contains(self) }
    }

    public enum Policy: String, Sendable {
        case strict = "STRICT"
        case lenient = "LENIENT"

        public var compatibleChanges: Set<JSONSchemaChangeType> {
            self == .strict ? JSONSchemaChangeType.compatibleUnderStrict : JSONSchemaChangeType.compatibleUnderLenient
        }
    }

    /// One incompatible change found while checking a candidate against an earlier version.
    public struct Incompatibility: Sendable, Hashable, CustomStringConvertible {
        public let change: JSONSchemaChange
        /// Index into the `previous` list of the version this change is relative to.
        public let previousIndex: Int
        /// True when found by the FORWARD direction (old reader, new writer).
        public let isForward: Bool

        /// Confluent's message form: {errorType:"TYPE_CHANGED", description:"..."}.
        public var description: String {
            "{errorType:\"\(change.type.rawValue)\", description:\"\(explanation)\"}"
        }

        var explanation: String {
            let (first, second) = isForward ? ("old", "new") : ("new", "old")
            return JSONSchemaCompatibility.explain(change, first, second)
        }
    }

    /// Every change from `original` to `update` (compatible ones included).
    public static func differences(
        from original: JSONValue, to update: JSONValue, policy: Policy = .strict,
        remotes: @escaping (String) throws -> JSONValue? = { _ in nil }
    ) throws(SchemaError) -> [JSONSchemaChange] {
        do {
            let originalModel = try DiffModelLoader(resolver: remotes).load(document: original, uri: "urn:brook:original")
            let updateModel = try DiffModelLoader(resolver: remotes).load(document: update, uri: "urn:brook:update")
            return try SchemaDiff.compare(originalModel, updateModel, compatible: policy.compatibleChanges)
        } catch let error as SchemaError {
            throw error
        } catch {
            throw SchemaError.invalidDocument(uri: "", reason: "\(error)")
        }
    }

    /// The changes from `original` to `update` that the policy does not accept.
    public static func incompatibleChanges(
        from original: JSONValue, to update: JSONValue, policy: Policy = .strict,
        remotes: @escaping (String) throws -> JSONValue? = { _ in nil }
    ) throws(SchemaError) -> [JSONSchemaChange] {
        let accepted = policy.compatibleChanges
        return try differences(from: original, to: update, policy: policy, remotes: remotes)
            .filter { !accepted.contains($0.type) }
    }

    /// Checks `candidate` against earlier versions (oldest first) at `level`. Empty means compatible.
    /// Non-transitive levels look at the latest version only; transitive ones at all of them.
    public static func check(
        _ candidate: JSONValue, against previous: [JSONValue], level: Level, policy: Policy = .strict,
        remotes: @escaping (String) throws -> JSONValue? = { _ in nil }
    ) throws(SchemaError) -> [Incompatibility] {
        guard level != .none, !previous.isEmpty else { return [] }
        let indices = level.isTransitive ? Array(previous.indices) : [previous.count - 1]
        var found: [Incompatibility] = []
        for index in indices.reversed() {
            if level.checksBackward {
                for change in try incompatibleChanges(from: previous[index], to: candidate, policy: policy, remotes: remotes) {
                    found.append(Incompatibility(change: change, previousIndex: index, isForward: false))
                }
            }
            if level.checksForward {
                for change in try incompatibleChanges(from: candidate, to: previous[index], policy: policy, remotes: remotes) {
                    found.append(Incompatibility(change: change, previousIndex: index, isForward: true))
                }
            }
        }
        return found
    }

    static func explain(_ change: JSONSchemaChange, _ first: String, _ second: String) -> String {
        let path = change.path
        let name = change.type.rawValue
        if name.hasSuffix("_ADDED") && !name.contains("PROPERTY") && !name.contains("ITEM")
            || [.additionalItemsRemoved, .additionalPropertiesRemoved, .unevaluatedPropertiesRemoved,
                .unevaluatedItemsRemoved].contains(change.type) {
            return "The keyword at path '\(path)' in the \(first) schema is not present in the \(second) schema"
        }
        if name.hasSuffix("_INCREASED") || change.type == .multipleOfExpanded {
            return "The value at path '\(path)' in the \(first) schema is more than its value in the \(second) schema"
        }
        if name.hasSuffix("_DECREASED") {
            return "The value at path '\(path)' in the \(first) schema is less than its value in the \(second) schema"
        }
        if name.hasSuffix("_NARROWED") && change.type != .typeNarrowed {
            return "An array or combined type at path '\(path)' has fewer elements in the \(first) schema than the \(second) schema"
        }
        if name.hasSuffix("_EXTENDED") {
            return "An array or combined type at path '\(path)' has more elements in the \(first) schema than the \(second) schema"
        }
        if [.patternChanged, .multipleOfChanged, .dependencyArrayChanged].contains(change.type) {
            return "The value at path '\(path)' is different between the \(first) and \(second) schema"
        }
        if name.contains("TYPE") || change.type == .enumArrayChanged {
            return "A type at path '\(path)' is different between the \(first) schema and the \(second) schema"
        }
        if name.contains("ADDED_TO_OPEN_CONTENT_MODEL") {
            return "The \(first) schema has an open content model and has a property or item at path '\(path)' which is missing in the \(second) schema"
        }
        if change.type == .requiredPropertyAddedToUnopenContentModel {
            return "The \(first) schema has an unopen content model and has a required property at path '\(path)' which is missing in the \(second) schema"
        }
        if name.contains("REMOVED_FROM_CLOSED_CONTENT_MODEL") {
            return "The \(first) schema has a closed content model and is missing a property or item present at path '\(path)' in the \(second) schema"
        }
        if name.contains("NOT_COVERED_BY_PARTIALLY_OPEN") {
            return "A property or item at path '\(path)' is not covered by the partially open content model of the \(first) schema"
        }
        return "\(name) at path '\(path)'"
    }
}
