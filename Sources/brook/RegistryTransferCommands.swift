// `brook schema export` and `brook schema import`: move a registry's contents — every subject's
// live versions with their global ids, the global and per-subject compatibility levels and modes —
// through one JSON file. Import switches the target to IMPORT mode, registers every version with
// its original id and version (in id order, so referenced schemas exist before those that use
// them), applies the levels and modes, and puts the target's previous mode back even on failure.
import ArgumentParser
import Foundation
import JSONSchema
import SchemaRegistry
import SchemaRegistryClient

/// The export file: `{"format": "brook-schema-registry-export", "formatVersion": 1, ...}`.
struct RegistryExport {
    static let format = "brook-schema-registry-export"
    static let formatVersion = 1
    /// Largest export file read; far beyond any real registry, so a bigger file is the wrong file.
    static let fileBytesMax = 512 * 1024 * 1024

    struct Subject {
        var name: String
        var compatibilityLevel: CompatibilityLevel?
        var mode: RegistryMode?
        var versions: [SubjectSchema]
    }

    var compatibilityLevel: CompatibilityLevel?
    var mode: RegistryMode?
    var subjects: [Subject]

    func document() -> [String: Any] {
        var root: [String: Any] = ["format": Self.format, "formatVersion": Self.formatVersion]
        if let compatibilityLevel { root["compatibilityLevel"] = compatibilityLevel.rawValue }
        if let mode { root["mode"] = mode.rawValue }
        root["subjects"] = subjects.map { subject -> [String: Any] in
            var entry: [String: Any] = ["subject": subject.name]
            if let level = subject.compatibilityLevel { entry["compatibilityLevel"] = level.rawValue }
            if let mode = subject.mode { entry["mode"] = mode.rawValue }
            entry["versions"] = subject.versions.map { version -> [String: Any] in
                var document = RegistryJSON.schema(version.schema)
                document["version"] = version.version
                document["id"] = version.id
                return document
            }
            return entry
        }
        return root
    }

    /// Reads an export file back, naming the first thing that is wrong with it.
    static func parse(_ text: String, path: String) throws(SchemaInputError) -> RegistryExport {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw SchemaInputError("\(path) is not JSON: \(error.description)")
        }
        func bad(_ what: String) -> SchemaInputError {
            SchemaInputError("\(path) is not a brook schema export: \(what)")
        }
        guard root["format"]?.stringValue == format else { throw bad("\"format\" is not \"\(format)\"") }
        guard case .integer(let version)? = root["formatVersion"], version == Int64(formatVersion) else {
            throw bad("\"formatVersion\" is not \(formatVersion)")
        }
        func level(_ value: JSONValue?, _ where_: String) throws(SchemaInputError) -> CompatibilityLevel? {
            guard let name = value?.stringValue else { return nil }
            guard case .success(let parsed) = CompatibilityLevel.parse(name) else { throw bad("\(where_) has the unknown level \(name)") }
            return parsed
        }
        func mode(_ value: JSONValue?, _ where_: String) throws(SchemaInputError) -> RegistryMode? {
            guard let name = value?.stringValue else { return nil }
            guard case .success(let parsed) = RegistryMode.parse(name) else { throw bad("\(where_) has the unknown mode \(name)") }
            return parsed
        }
        guard let subjectList = root["subjects"]?.arrayValue else { throw bad("\"subjects\" is not an array") }
        var subjects: [Subject] = []
        for (index, item) in subjectList.enumerated() {
            guard let name = item["subject"]?.stringValue else { throw bad("subjects[\(index)] has no \"subject\" name") }
            guard let versionList = item["versions"]?.arrayValue else { throw bad("subject \(name) has no \"versions\" array") }
            var versions: [SubjectSchema] = []
            for entry in versionList {
                let schema: RegistrySchema
                let number: Int
                let id: Int
                do {
                    schema = try RegistryResponseDecodingBridge.schema(entry)
                    guard case .integer(let versionNumber)? = entry["version"], case .integer(let idNumber)? = entry["id"] else {
                        throw bad("a version of \(name) lacks an integer \"version\" or \"id\"")
                    }
                    number = Int(versionNumber)
                    id = Int(idNumber)
                } catch let error as SchemaInputError {
                    throw error
                } catch {
                    throw bad("a version of \(name): \(error)")
                }
                versions.append(SubjectSchema(subject: name, version: number, id: id, schema: schema))
            }
            subjects.append(
                Subject(
                    name: name, compatibilityLevel: try level(item["compatibilityLevel"], "subject \(name)"),
                    mode: try mode(item["mode"], "subject \(name)"), versions: versions))
        }
        return RegistryExport(
            compatibilityLevel: try level(root["compatibilityLevel"], "the file"), mode: try mode(root["mode"], "the file"),
            subjects: subjects)
    }
}

/// Reads a schema entry of an export file with the same rules the client applies to answers.
/// The value `body` fetches, or nil when the registry answers with one of `codes` (a subject
/// without a level or mode of its own).
func absentAsNil<Value>(
    _ codes: Set<SchemaRegistryClientError.Code>, _ body: () async throws(SchemaRegistryClientError) -> Value
) async throws(SchemaRegistryClientError) -> Value? {
    do {
        return try await body()
    } catch {
        guard let code = error.errorCode, codes.contains(code) else { throw error }
        return nil
    }
}

enum RegistryResponseDecodingBridge {
    static func schema(_ value: JSONValue) throws -> RegistrySchema {
        guard let text = value["schema"]?.stringValue else { throw SchemaInputError("a version has no \"schema\" text") }
        var references: [SchemaReference] = []
        for item in value["references"]?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue, let subject = item["subject"]?.stringValue,
                case .integer(let version)? = item["version"]
            else { throw SchemaInputError("a reference lacks name, subject or version") }
            references.append(SchemaReference(name: name, subject: subject, version: Int(version)))
        }
        return RegistrySchema(
            schema: text, schemaType: SchemaType(name: value["schemaType"]?.stringValue), references: references,
            metadata: value["metadata"], ruleSet: value["ruleSet"])
    }
}

extension SchemaCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every subject's live versions (with ids), levels and modes to a JSON file.",
            discussion: "Use `-` as FILE for standard output. `brook schema import FILE` loads it into another registry, keeping ids.")

        @OptionGroup var registry: RegistryOptions
        @Argument(help: "The file to write (- for standard output).") var file: String

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let export = try await Self.read(client)
                let text = JSONOutput.pretty(export.document())
                let versionCount = export.subjects.reduce(0) { $0 + $1.versions.count }
                if file == "-" {
                    output.line(text)
                    return .success
                }
                do {
                    try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: file))
                } catch {
                    throw RegistryCommandFailure("cannot write \(file): \(error.localizedDescription); check the directory exists and is writable")
                }
                switch registry.output {
                case .table: output.line("Exported \(versionCount) versions of \(export.subjects.count) subjects to \(file).")
                case .json: output.line(JSONOutput.line(["file": file, "subjects": export.subjects.count, "versions": versionCount]))
                }
                return .success
            }
        }

        static func read(_ client: SchemaRegistryClient) async throws -> RegistryExport {
            var subjects: [RegistryExport.Subject] = []
            for name in try await client.subjects().sorted() {
                var versions: [SubjectSchema] = []
                for number in try await client.versions(subject: name) {
                    versions.append(try await client.version(subject: name, .number(number)))
                }
                let level = try await absentAsNil([.subjectCompatibilityNotConfigured, .subjectNotFound]) { () async throws(SchemaRegistryClientError) in
                    try await client.config(subject: name).compatibilityLevel
                }
                let mode = try await absentAsNil([.subjectModeNotConfigured, .subjectNotFound]) { () async throws(SchemaRegistryClientError) in
                    try await client.mode(subject: name)
                }
                subjects.append(.init(name: name, compatibilityLevel: level, mode: mode, versions: versions))
            }
            return RegistryExport(
                compatibilityLevel: try await client.config().compatibilityLevel, mode: try await client.mode(), subjects: subjects)
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a file written by `brook schema export`, keeping ids and versions.",
            discussion: """
                Sets the registry to IMPORT mode, registers every version with its exported id and \
                version, applies the exported levels and modes, and restores the registry's previous \
                mode. A registry that already holds subjects refuses IMPORT mode unless --force is given.
                """)

        @OptionGroup var registry: RegistryOptions
        @Argument(help: "The export file.") var file: String
        @Flag(help: "Import into a registry that already holds subjects.") var force = false

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let export = try RegistryExport.parse(SchemaFiles.readText(file, bytesMax: RegistryExport.fileBytesMax), path: file)
                let previousMode = try await client.mode()
                if let refusal = await Self.enterImportMode(client, force: force) { throw refusal }
                let imported: Int
                do {
                    imported = try await Self.load(export, into: client)
                } catch {
                    // Put the mode back, then report the failure that stopped the import.
                    _ = try? await client.setMode(previousMode, force: true)
                    throw error
                }
                try await client.setMode(previousMode, force: true)
                switch registry.output {
                case .table:
                    output.line("Imported \(imported) versions of \(export.subjects.count) subjects from \(file) with their ids; mode restored to \(previousMode.rawValue).")
                case .json:
                    output.line(JSONOutput.line(["file": file, "subjects": export.subjects.count, "versions": imported, "mode": previousMode.rawValue]))
                }
                return .success
            }
        }

        /// Switches to IMPORT mode; a refusal because the registry holds subjects becomes advice.
        static func enterImportMode(_ client: SchemaRegistryClient, force: Bool) async -> (any Error)? {
            do {
                try await client.setMode(.importing, force: force)
                return nil
            } catch {
                guard error.errorCode == .operationNotPermitted else { return error }
                return RegistryCommandFailure(
                    "the registry refused IMPORT mode (\(error.message)); it already holds subjects — pass --force to import into it anyway",
                    status: .failed)
            }
        }

        /// Registers every version in id order; returns how many.
        static func load(_ export: RegistryExport, into client: SchemaRegistryClient) async throws -> Int {
            let ordered = export.subjects.flatMap(\.versions).sorted { ($0.id, $0.subject, $0.version) < ($1.id, $1.subject, $1.version) }
            for version in ordered {
                let id = try await client.register(subject: version.subject, schema: version.schema, id: version.id, version: version.version)
                guard id == version.id else {
                    throw RegistryCommandFailure(
                        "\(version.subject) version \(version.version) was registered with id \(id), not its exported id \(version.id); is the registry in IMPORT mode?",
                        status: .failed)
                }
            }
            if let level = export.compatibilityLevel { try await client.setCompatibility(level) }
            for subject in export.subjects {
                if let level = subject.compatibilityLevel { try await client.setCompatibility(level, subject: subject.name) }
                if let mode = subject.mode { try await client.setMode(mode, subject: subject.name, force: true) }
            }
            return ordered.count
        }
    }
}
