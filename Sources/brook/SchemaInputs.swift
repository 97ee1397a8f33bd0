// Loading what `brook schema` works on: schema files (Avro `.avsc` or JSON Schema `.json`),
// the kind of each, compatibility levels, and where commands write. Everything here turns bad
// input into a `SchemaInputError` (exit status 2) with a sentence naming the file and reason;
// nothing reads the network, so the commands work offline.
import ArgumentParser
import Avro
import Foundation
import JSONSchema

/// Exit statuses of the `brook schema` commands (documented in their help).
enum SchemaExitStatus: Int32 {
    /// Every instance valid / the new schema is compatible.
    case success = 0
    /// Some instance invalid / some incompatibility found.
    case failed = 1
    /// A schema or input file is unusable: unreadable, not UTF-8, or a schema that does not parse.
    case unusableInput = 2
}

/// A schema or input file that cannot be used; the description says which and why.
struct SchemaInputError: Error, CustomStringConvertible, Equatable {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the schema commands write: stdout/stderr in the binary, memory in tests.
protocol SchemaCommandOutput: AnyObject {
    func line(_ text: String)
    func error(_ text: String)
}

/// Lines to stdout, errors to stderr.
final class StandardSchemaCommandOutput: SchemaCommandOutput {
    func line(_ text: String) { print(text) }

    func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

enum SchemaKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    case avro
    case json

    /// The kind named by `explicit`, else the one the file's extension says
    /// (`.avsc` → Avro, `.json` → JSON Schema).
    static func of(path: String, explicit: SchemaKind?) throws(SchemaInputError) -> SchemaKind {
        if let explicit { return explicit }
        switch (path as NSString).pathExtension.lowercased() {
        case "avsc": return .avro
        case "json": return .json
        default:
            throw SchemaInputError(
                "cannot tell the schema type of \(path) from its extension; name it .avsc or .json, or pass --type avro|json")
        }
    }
}

/// A parsed schema document of either kind.
enum LoadedSchema {
    case avro(AvroSchema)
    case json(JSONValue)

    var kind: SchemaKind {
        switch self {
        case .avro: return .avro
        case .json: return .json
        }
    }
}

enum SchemaFiles {
    /// Largest schema file read; registry schemas are far smaller, so a larger file is a mistake.
    static let schemaFileBytesMax = 16 * 1024 * 1024

    /// The file's text, or a sentence saying why it cannot be read.
    static func readText(_ path: String, bytesMax: Int = schemaFileBytesMax) throws(SchemaInputError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SchemaInputError("cannot read \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw SchemaInputError("cannot read \(path): it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchemaInputError("cannot read \(path): check its permissions")
        }
        guard data.count <= bytesMax else {
            throw SchemaInputError("cannot use \(path): \(data.count) bytes is more than the \(bytesMax)-byte limit for a schema")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SchemaInputError("cannot use \(path): it is not UTF-8 text")
        }
        return text
    }

    /// Reads and parses a schema file. A JSON Schema must also pass its draft's meta-schema
    /// (when that meta-schema is built in), so a misspelt keyword value is caught here rather
    /// than silently ignored during validation.
    static func load(_ path: String, kind: SchemaKind) throws(SchemaInputError) -> LoadedSchema {
        let text = try readText(path)
        switch kind {
        case .avro:
            do {
                return .avro(try AvroSchema.parse(text))
            } catch {
                throw SchemaInputError("\(path) is not a valid Avro schema: \(error.description)")
            }
        case .json:
            let document: JSONValue
            do {
                document = try JSONValue.parse(text)
            } catch {
                throw SchemaInputError("\(path) is not JSON: \(error.description)")
            }
            let problems: [JSONSchema.ValidationError]
            do {
                problems = try JSONSchemaValidator.metaSchemaErrors(for: document)
            } catch .unknownMetaSchema {
                problems = []
            } catch {
                throw SchemaInputError("\(path) is not a valid JSON Schema: \(error.description)")
            }
            if let first = problems.first {
                let location = first.instancePath.isEmpty ? "/" : first.instancePath
                throw SchemaInputError("\(path) is not a valid JSON Schema: \(location): \(first.message)")
            }
            return .json(document)
        }
    }
}

/// A Schema Registry compatibility level, named case-insensitively (`backward`, `FULL_TRANSITIVE`,
/// `none`; `-` may stand for `_`).
struct CompatibilityLevelArgument: ExpressibleByArgument, Equatable, Sendable {
    var level: AvroCompatibilityLevel

    init(_ level: AvroCompatibilityLevel) { self.level = level }

    init?(argument: String) {
        let name = argument.uppercased().replacingOccurrences(of: "-", with: "_")
        guard let level = AvroCompatibilityLevel(rawValue: name) else { return nil }
        self.level = level
    }

    static var allValueStrings: [String] { AvroCompatibilityLevel.allCases.map(\.rawValue) }
    var defaultValueDescription: String { level.rawValue }

    /// The level split into the part that checks new-reads-old and the part that checks
    /// old-reads-new, so every reported problem can say which direction found it.
    var avroDirections: (backward: AvroCompatibilityLevel?, forward: AvroCompatibilityLevel?) {
        switch level {
        case .none: return (nil, nil)
        case .backward: return (.backward, nil)
        case .backwardTransitive: return (.backwardTransitive, nil)
        case .forward: return (nil, .forward)
        case .forwardTransitive: return (nil, .forwardTransitive)
        case .full: return (.backward, .forward)
        case .fullTransitive: return (.backwardTransitive, .forwardTransitive)
        }
    }

    var jsonSchemaLevel: JSONSchemaCompatibility.Level {
        switch level {
        case .none: return .none
        case .backward: return .backward
        case .backwardTransitive: return .backwardTransitive
        case .forward: return .forward
        case .forwardTransitive: return .forwardTransitive
        case .full: return .full
        case .fullTransitive: return .fullTransitive
        }
    }
}
