// `brook schema validate|compat`: offline checks a CI pipeline can run before a schema or a
// producer change ships. Both read local files only; both exit 0 (all good), 1 (an invalid
// instance or an incompatibility) or 2 (a schema or input file that cannot be used).
import ArgumentParser
import Foundation

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Work with schemas: offline checks and conversions, and a Confluent-compatible schema registry.",
        subcommands: [
            Validate.self, Compat.self, SchemaToJSONCommand.self, SchemaFromJSONCommand.self,
            Register.self, Get.self, List.self, Versions.self, Check.self, Diff.self, Delete.self,
            Config.self, Mode.self, Export.self, Import.self,
        ])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate JSON instances, one per line, against an Avro schema or a JSON Schema.",
            discussion: """
                Prints one line per instance: `valid`, or `invalid: <path>: <reason>`. For an Avro \
                schema an instance is the Avro JSON encoding of a datum (unions wrapped, e.g. \
                {"string": "x"}). A line that is not JSON at all is reported as \
                `invalid: line N: not JSON: <reason>`; blank lines are skipped.
                Exit status: 0 every instance valid, 1 some instance invalid (or not JSON), \
                2 the schema or input file cannot be used (unreadable, or a schema that does not parse).
                """)

        @Option(help: "The schema file (.avsc: Avro, .json: JSON Schema).") var schema: String
        @Option(help: "avro or json (default: from the schema file's extension).") var type: SchemaKind?
        @Option(help: "Read instances from this file instead of stdin.") var input: String?
        @Flag(name: .customLong("assert-formats"), help: "JSON Schema: check `format` values instead of treating them as annotations.")
        var assertFormats = false

        func run() throws {
            let status = execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) -> SchemaExitStatus {
            let checker: InstanceChecker
            let reader: LineReader
            do throws(SchemaInputError) {
                let kind = try SchemaKind.of(path: schema, explicit: type)
                checker = try InstanceChecker(schema: try SchemaFiles.load(schema, kind: kind), assertFormats: assertFormats)
                reader = try openInput()
            } catch {
                output.error("Error: \(error.description)")
                return .unusableInput
            }
            var allValid = true
            var lineNumber = 0
            while let line = reader.nextLine() {
                lineNumber += 1
                if line.allSatisfy(\.isWhitespace) { continue }
                let verdict = checker.check(line, lineNumber: lineNumber)
                if verdict != .valid { allValid = false }
                output.line(verdict.text)
            }
            return allValid ? .success : .failed
        }

        private func openInput() throws(SchemaInputError) -> LineReader {
            guard let input else { return LineReader(fileDescriptor: 0, totalBytes: nil) }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw SchemaInputError("cannot read --input \(input): no such file")
            }
            guard let reader = LineReader(path: input) else {
                throw SchemaInputError("cannot read --input \(input): check its permissions")
            }
            return reader
        }
    }

    struct Compat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a new schema against earlier versions at a Schema Registry compatibility level.",
            discussion: """
                Prints `compatible`, or one line per incompatibility: its type, location and reason, \
                and the old version (1 = the first --old) and direction (backward: the new schema \
                reads old data; forward: old schemas read new data) that found it.
                Levels: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, \
                FULL_TRANSITIVE (any case). Non-transitive levels compare with the last --old only.
                Exit status: 0 compatible, 1 incompatible, 2 a schema file cannot be used.
                """)

        @Option(name: .customLong("old"), help: "An earlier schema version; repeatable, oldest first.") var olds: [String] = []
        @Option(help: "The new schema version.") var new: String
        @Option(help: "Compatibility level.") var level = CompatibilityLevelArgument(.backward)
        @Option(help: "avro or json (default: from each file's extension).") var type: SchemaKind?

        func validate() throws {
            guard !olds.isEmpty else { throw ValidationError("give at least one --old schema to compare --new with") }
        }

        func run() throws {
            let status = execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) -> SchemaExitStatus {
            let problems: [SchemaIncompatibility]
            do throws(SchemaInputError) {
                let newKind = try SchemaKind.of(path: new, explicit: type)
                var oldSchemas: [LoadedSchema] = []
                for old in olds {
                    let oldKind = try SchemaKind.of(path: old, explicit: type)
                    guard oldKind == newKind else {
                        throw SchemaInputError("\(old) is \(oldKind == .avro ? "an Avro schema" : "a JSON Schema") but \(new) is not; compare schemas of one type")
                    }
                    oldSchemas.append(try SchemaFiles.load(old, kind: oldKind))
                }
                let newSchema = try SchemaFiles.load(new, kind: newKind)
                problems = try SchemaCompatibilityCheck.incompatibilities(new: newSchema, olds: oldSchemas, level: level)
            } catch {
                output.error("Error: \(error.description)")
                return .unusableInput
            }
            guard !problems.isEmpty else {
                output.line("compatible")
                return .success
            }
            for problem in problems { output.line(problem.text(oldPaths: olds)) }
            return .failed
        }
    }
}
