// The work behind `brook schema validate` and `brook schema compat`, apart from argument
// parsing so tests can drive it directly: judging one instance line against a schema, and
// listing the incompatibilities of a new schema with earlier ones.
import Avro
import Foundation
import JSONSchema

/// Judges JSON instance lines against one schema. For Avro an instance is the Avro JSON
/// encoding of a datum (unions wrapped as `{"type": value}`), decoded under the schema.
struct InstanceChecker {
    /// Longest instance line judged; a longer one is reported invalid without parsing it.
    static let instanceLineBytesMax = 16 * 1024 * 1024
    /// Problems listed for one invalid JSON Schema instance before "and N more".
    static let reportedErrorsMax = 5

    enum Verdict: Equatable {
        case valid
        /// The text after "invalid: " — "<path>: <reason>" or "line N: not JSON: <reason>".
        case invalid(String)

        var text: String {
            switch self {
            case .valid: return "valid"
            case .invalid(let reason): return "invalid: \(reason)"
            }
        }
    }

    /// What judges an instance: the Avro schema itself, or the compiled JSON Schema.
    private enum Judge {
        case avro(AvroSchema)
        case json(JSONSchemaValidator)
    }

    private let judge: Judge

    init(schema: LoadedSchema, assertFormats: Bool = false) throws(SchemaInputError) {
        switch schema {
        case .avro(let avroSchema):
            judge = .avro(avroSchema)
        case .json(let document):
            do {
                judge = .json(try JSONSchemaValidator(schema: document, formatAssertion: assertFormats))
            } catch {
                throw SchemaInputError("the JSON Schema cannot be compiled: \(error.description)")
            }
        }
    }

    /// `lineNumber` is 1-based and only used in messages about lines that are not JSON.
    func check(_ line: String, lineNumber: Int) -> Verdict {
        guard line.utf8.count <= Self.instanceLineBytesMax else {
            return .invalid("line \(lineNumber): longer than the \(Self.instanceLineBytesMax)-byte limit for one instance")
        }
        switch judge {
        case .avro(let avroSchema):
            do {
                _ = try AvroJSON.decode(line, schema: avroSchema)
                return .valid
            } catch where error.kind == .invalidJSON {
                return notJSON(line, lineNumber: lineNumber, fallback: error.message)
            } catch {
                return .invalid("\(error.path.isEmpty ? "/" : error.path): \(error.message)")
            }
        case .json(let validator):
            let instance: JSONValue
            do {
                instance = try JSONValue.parse(line)
            } catch {
                return .invalid("line \(lineNumber): not JSON: \(Self.describe(error))")
            }
            let errors = validator.validate(instance)
            guard !errors.isEmpty else { return .valid }
            var parts = errors.prefix(Self.reportedErrorsMax).map { "\($0.instancePath.isEmpty ? "/" : $0.instancePath): \($0.message)" }
            if errors.count > Self.reportedErrorsMax { parts.append("and \(errors.count - Self.reportedErrorsMax) more") }
            return .invalid(parts.joined(separator: "; "))
        }
    }

    /// The same "not JSON" wording for both kinds: the Avro decoder's parser words its errors
    /// differently, so the line is parsed again (only on this failure path) for the message.
    private func notJSON(_ line: String, lineNumber: Int, fallback: String) -> Verdict {
        do {
            _ = try JSONValue.parse(line)
            return .invalid("line \(lineNumber): not JSON: \(fallback)")
        } catch {
            return .invalid("line \(lineNumber): not JSON: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: JSONParseError) -> String {
        error.column > 0 ? "column \(error.column): \(error.message)" : error.message
    }
}

/// One incompatibility of a new schema with an earlier one, in the words `brook schema compat` prints.
struct SchemaIncompatibility: Equatable {
    /// Confluent's name for the problem: READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_CHANGED...
    var type: String
    /// Avro: a JSON pointer into the reading schema; JSON Schema: Confluent's `#/properties/x`.
    var location: String
    var message: String
    /// 0-based index into the old schemas (oldest first).
    var oldIndex: Int
    /// True when found by the FORWARD direction (old schema reading data written with the new one).
    var isForward: Bool

    func text(oldPaths: [String]) -> String {
        let old = oldIndex < oldPaths.count ? " (\(oldPaths[oldIndex]))" : ""
        let direction = isForward ? "forward" : "backward"
        return "\(type) at \(location): \(message) [old version \(oldIndex + 1)\(old), \(direction)]"
    }
}

enum SchemaCompatibilityCheck {
    /// Every incompatibility of `new` with `olds` (oldest first) at `level`; empty means compatible.
    /// All schemas must be of one kind.
    static func incompatibilities(
        new: LoadedSchema, olds: [LoadedSchema], level: CompatibilityLevelArgument
    ) throws(SchemaInputError) -> [SchemaIncompatibility] {
        switch new {
        case .avro(let newSchema):
            var oldSchemas: [AvroSchema] = []
            for old in olds {
                guard case .avro(let schema) = old else { throw SchemaInputError("cannot compare an Avro schema with a JSON Schema") }
                oldSchemas.append(schema)
            }
            var found: [SchemaIncompatibility] = []
            let directions = level.avroDirections
            for (directionLevel, isForward) in [(directions.backward, false), (directions.forward, true)] {
                guard let directionLevel else { continue }
                for problem in AvroCompatibility.check(new: newSchema, olds: oldSchemas, level: directionLevel) {
                    found.append(SchemaIncompatibility(
                        type: problem.kind.rawValue, location: problem.location.isEmpty ? "/" : problem.location,
                        message: problem.message, oldIndex: problem.oldSchemaIndex ?? oldSchemas.count - 1,
                        isForward: isForward))
                }
            }
            // Newest old version first, backward before forward, as the JSON Schema check orders them.
            return found.enumerated()
                .sorted { ($1.element.oldIndex, $0.offset) < ($0.element.oldIndex, $1.offset) }
                .map(\.element)
        case .json(let newDocument):
            var oldDocuments: [JSONValue] = []
            for old in olds {
                guard case .json(let document) = old else { throw SchemaInputError("cannot compare a JSON Schema with an Avro schema") }
                oldDocuments.append(document)
            }
            let problems: [JSONSchemaCompatibility.Incompatibility]
            do {
                problems = try JSONSchemaCompatibility.check(newDocument, against: oldDocuments, level: level.jsonSchemaLevel)
            } catch {
                throw SchemaInputError("the schemas cannot be compared: \(error.description)")
            }
            return problems.map {
                SchemaIncompatibility(
                    type: $0.change.type.rawValue, location: $0.change.path, message: confluentDescription(of: $0),
                    oldIndex: $0.previousIndex, isForward: $0.isForward)
            }
        }
    }

    /// The sentence inside Confluent's `{errorType:"...", description:"..."}` form, which is
    /// the only public wording of a JSON Schema incompatibility; the whole form if it differs.
    static func confluentDescription(of incompatibility: JSONSchemaCompatibility.Incompatibility) -> String {
        let whole = incompatibility.description
        let prefix = "{errorType:\"\(incompatibility.change.type.rawValue)\", description:\""
        guard whole.hasPrefix(prefix), whole.hasSuffix("\"}") else { return whole }
        return String(whole.dropFirst(prefix.count).dropLast(2))
    }
}
