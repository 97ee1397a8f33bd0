// Compatibility checks with Confluent's verbose messages (CompatibilityChecker and the Avro and
// JSON Schema Difference classes): for each old version that fails, its differences, then
// `{oldSchemaVersion: n}` and `{oldSchema: '...'}`, and finally the level that was applied.
// BACKWARD reads old data with the new schema; FORWARD the reverse; FULL both; the transitive
// levels check every live version, the others only the latest. A schema type change is
// always incompatible; NONE checks nothing.
import Avro
import JSONSchema

public struct CompatibilityResult: Sendable, Equatable {
    public var isCompatible: Bool
    /// Readable reasons (for `verbose=true`); empty when compatible.
    public var messages: [String]
}

extension SchemaStateMachine {
    /// Longest old schema text quoted in a message.
    static let quotedSchemaCharactersMax = 1024

    /// Messages for every incompatibility of `parsed` against `olds` (oldest first) at `level`; empty = compatible.
    func compatibilityMessages(_ parsed: ParsedSchema, against olds: [SchemaValue], level: CompatibilityLevel, verbose: Bool) -> [String] {
        guard level != .none, !olds.isEmpty else { return [] }
        let checked = level.isTransitive ? Array(olds.reversed()) : [olds[olds.count - 1]]
        let backward = [.backward, .backwardTransitive, .full, .fullTransitive].contains(level)
        let forward = [.forward, .forwardTransitive, .full, .fullTransitive].contains(level)
        var messages: [String] = []
        for old in checked {
            let differences = differences(parsed, old: old, backward: backward, forward: forward)
            guard !differences.isEmpty else { continue }
            messages += differences
            messages.append("{oldSchemaVersion: \(old.version)}")
            messages.append("{oldSchema: '\(String(old.schema.prefix(Self.quotedSchemaCharactersMax)))'}")
        }
        if !messages.isEmpty { messages.append("{validateFields: 'false', compatibility: '\(level.rawValue)'}") }
        return messages
    }

    private func differences(_ parsed: ParsedSchema, old: SchemaValue, backward: Bool, forward: Bool) -> [String] {
        guard old.schemaType == parsed.type else {
            return ["{errorType:'SCHEMA_TYPE_CHANGED', description:'The schema type changed from \(old.schemaType.rawValue) to \(parsed.type.rawValue)'}"]
        }
        let oldParsed: ParsedSchema
        switch resolveDependencies(old.references).flatMap({
            ParsedSchema.parse(old.schema, type: old.schemaType, normalize: false, dependencies: $0)
        }) {
        case .success(let value): oldParsed = value
        case .failure(let error):
            return ["{errorType:'OLD_SCHEMA_UNREADABLE', description:'Version \(old.version) cannot be parsed: \(error.message)'}"]
        }
        if let new = parsed.avro, let previous = oldParsed.avro {
            var found: [String] = []
            if backward { found += AvroCompatibility.check(reader: new, writer: previous).map { Self.describe($0, reader: "new", writer: "old") } }
            if forward { found += AvroCompatibility.check(reader: previous, writer: new).map { Self.describe($0, reader: "old", writer: "new") } }
            return found
        }
        if let new = parsed.json, let previous = oldParsed.json {
            let documents = oldParsed.jsonDependencies.merging(parsed.jsonDependencies) { _, newer in newer }
            let level: JSONSchemaCompatibility.Level = backward && forward ? .full : (backward ? .backward : .forward)
            do {
                return try JSONSchemaCompatibility.check(new, against: [previous], level: level, remotes: ParsedSchema.remotes(documents))
                    .map(\.description)
            } catch {
                return ["{errorType:'SCHEMA_UNREADABLE', description:'\(error.description)'}"]
            }
        }
        return []
    }

    /// Avro-Java/Confluent Difference text for one incompatibility.
    static func describe(_ incompatibility: AvroIncompatibility, reader: String, writer: String) -> String {
        let path = incompatibility.location.isEmpty ? "/" : incompatibility.location
        let info = incompatibility.additionalInfo
        let description: String
        switch incompatibility.kind {
        case .readerFieldMissingDefaultValue:
            description = "The field '\(info)' at path '\(path)' in the \(reader) schema has no default value and is missing in the \(writer) schema"
        case .typeMismatch:
            description = "The type (path '\(path)') of a field in the \(reader) schema does not match with the \(writer) schema"
        case .nameMismatch:
            description = "The name of the schema has changed (path '\(path)')"
        case .fixedSizeMismatch:
            description = "The size of FIXED type field at path '\(path)' in the \(reader) schema does not match with the \(writer) schema"
        case .missingEnumSymbols:
            description = "The \(reader) schema is missing enum symbols '\(info)' at path '\(path)' in the \(writer) schema"
        case .missingUnionBranch:
            description = "The \(reader) schema is missing a type inside a union field at path '\(path)' in the \(writer) schema"
        }
        return "{errorType:'\(incompatibility.kind.rawValue)', description:'\(description)', additionalInfo:'\(info)'}"
    }

    /// POST /compatibility/subjects/{s}/versions[/{v}]: against the version named, or (nil) the
    /// versions the subject's level names. An unknown subject is compatible when no version is named.
    public func checkCompatibility(
        subject: String, version selector: VersionSelector?, request: RegisterSchemaRequest, normalize: Bool = false
    ) -> Result<CompatibilityResult, RegistryError> {
        let olds: [SchemaValue]
        if let selector {
            switch version(of: subject, selector, includeDeleted: false) {
            case .success(let value): olds = [value]
            case .failure(let error): return .failure(error)
            }
        } else {
            olds = versions(of: subject, includeDeleted: false)
        }
        return parse(request, normalize: normalize).map { parsed in
            let messages = compatibilityMessages(parsed, against: olds, level: compatibilityLevel(for: subject), verbose: true)
            return CompatibilityResult(isCompatible: messages.isEmpty, messages: messages)
        }
    }
}
