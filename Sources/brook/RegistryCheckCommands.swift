// `brook schema check` (is this local file compatible with what the registry holds? — for CI
// pipelines) and `brook schema diff` (what changed between two registered versions).
import ArgumentParser
import Avro
import Foundation
import JSONSchema
import SchemaRegistry
import SchemaRegistryClient

extension SchemaCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a schema file against a subject in the registry, under the subject's compatibility level.",
            discussion: """
                Asks the registry (verbosely) whether FILE could be registered under the subject: \
                against the versions the subject's level names, or against --version only. A subject \
                that does not exist yet accepts anything. The subject is --subject, <topic>-value \
                for --topic (<topic>-key with --key), or <file base name>-value.
                Exit status: 0 compatible, 1 incompatible (one line per reason), 2 a usage or I/O \
                error (unreadable file, unreachable registry, a refused request).
                """)

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var subjects: SubjectOptions
        @Argument(help: "The schema file to check.") var file: String
        @Option(help: "Compare with this version only (a number or latest).") var version: VersionSelector?
        @Option(help: "avro or json (default: from the file's extension).") var type: SchemaKind?
        @Flag(help: "Ask the registry to normalize the schema first.") var normalize = false

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                guard let subject = subjects.subject(for: file) else {
                    throw RegistryCommandFailure("cannot name a subject for \(file); pass --subject or --topic")
                }
                let schema = try RegistrySchemaFiles.load(file, type: type)
                let result: CompatibilityCheckResult
                do {
                    result = try await client.checkCompatibility(
                        subject: subject, version: version, schema: schema, normalize: normalize, verbose: true)
                } catch let error as SchemaRegistryClientError {
                    // 1 is reserved for "incompatible", so a refused request is a usage error here.
                    throw RegistryCommandFailure(registryAdvice(for: error, registryURL: registry.effectiveURL))
                }
                let against = version.map { "\(subject) version \($0.text)" } ?? subject
                switch registry.output {
                case .table:
                    if result.isCompatible {
                        output.line("compatible: \(file) can be registered under \(against)")
                    } else {
                        output.line("incompatible: \(file) cannot be registered under \(against):")
                        if result.messages.isEmpty { output.line("  (the registry gave no reasons)") }
                        for message in result.messages { output.line("  - \(message)") }
                    }
                case .json:
                    output.line(JSONOutput.line([
                        "file": file, "subject": subject, "compatible": result.isCompatible, "messages": result.messages,
                    ]))
                }
                return result.isCompatible ? .success : .failed
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what changed between two versions of a subject.",
            discussion: """
                Avro: named types, fields (added, removed, renamed through aliases, type, default, doc, \
                order), enum symbols and fixed sizes. JSON Schema: every keyword change by Confluent's \
                change name, marked when it breaks backward compatibility. Then whether the newer \
                version reads data of the older one (backward) and the reverse (forward).
                """)

        @OptionGroup var registry: RegistryOptions
        @Argument(help: "The subject.") var subject: String
        @Argument(help: "The older version (a number or latest).") var from: VersionSelector
        @Argument(help: "The newer version (a number or latest).") var to: VersionSelector
        @Flag(help: "Allow soft-deleted versions.") var deleted = false

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let old = try await client.version(subject: subject, from, includeDeleted: deleted)
                let new = try await client.version(subject: subject, to, includeDeleted: deleted)
                let comparison = try Self.compare(old: old, new: new)
                switch registry.output {
                case .table:
                    output.line("\(subject): version \(old.version) (id \(old.id)) → version \(new.version) (id \(new.id)), \(new.schema.schemaType)")
                    if comparison.changes.isEmpty { output.line("no changes") }
                    for change in comparison.changes { output.line(change.text) }
                    for (name, problems) in [("backward (new reads old data)", comparison.backward), ("forward (old reads new data)", comparison.forward)] {
                        output.line("\(name): " + (problems.isEmpty ? "compatible" : "\(problems.count) problem\(problems.count == 1 ? "" : "s")"))
                        for problem in problems { output.line("  \(problem.type) at \(problem.location): \(problem.message)") }
                    }
                case .json:
                    func problems(_ list: [SchemaIncompatibility]) -> [[String: Any]] {
                        list.map { ["type": $0.type, "location": $0.location, "message": $0.message] }
                    }
                    output.line(JSONOutput.line([
                        "subject": subject, "schemaType": new.schema.schemaType.rawValue,
                        "from": ["version": old.version, "id": old.id], "to": ["version": new.version, "id": new.id],
                        "changes": comparison.changes.map { ["change": $0.kind.rawValue, "location": $0.location, "detail": $0.detail] },
                        "backwardProblems": problems(comparison.backward), "forwardProblems": problems(comparison.forward),
                    ]))
                }
                return .success
            }
        }

        struct Comparison {
            var changes: [SchemaVersionChange]
            var backward: [SchemaIncompatibility]
            var forward: [SchemaIncompatibility]
        }

        static func compare(old: SubjectSchema, new: SubjectSchema) throws -> Comparison {
            guard old.schema.schemaType == new.schema.schemaType else {
                return Comparison(
                    changes: [.init(kind: .changed, location: "(root)", detail: "schema type \(old.schema.schemaType) → \(new.schema.schemaType)")],
                    backward: [], forward: [])
            }
            let oldSchema = try parse(old)
            let newSchema = try parse(new)
            let changes: [SchemaVersionChange]
            switch (oldSchema, newSchema) {
            case (.avro(let before), .avro(let after)): changes = AvroSchemaDiff.changes(from: before, to: after)
            case (.json(let before), .json(let after)): changes = try JSONSchemaVersionDiff.changes(from: before, to: after)
            default: changes = []
            }
            let problems = try SchemaCompatibilityCheck.incompatibilities(new: newSchema, olds: [oldSchema], level: CompatibilityLevelArgument(.full))
            return Comparison(changes: changes, backward: problems.filter { !$0.isForward }, forward: problems.filter(\.isForward))
        }

        private static func parse(_ version: SubjectSchema) throws -> LoadedSchema {
            let label = "\(version.subject) version \(version.version)"
            if !version.schema.references.isEmpty {
                throw RegistryCommandFailure("\(label) references other subjects; diff compares self-contained schemas only")
            }
            switch version.schema.schemaType {
            case .avro:
                do {
                    return .avro(try AvroSchema.parse(version.schema.schema))
                } catch {
                    throw RegistryCommandFailure("\(label) does not parse as Avro here: \(error.description)")
                }
            case .json:
                do {
                    return .json(try JSONValue.parse(version.schema.schema))
                } catch {
                    throw RegistryCommandFailure("\(label) is not JSON: \(error.description)")
                }
            default:
                throw RegistryCommandFailure("\(label) is \(version.schema.schemaType); diff understands AVRO and JSON")
            }
        }
    }
}
