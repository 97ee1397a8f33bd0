// `brook schema register|get|list|versions|delete`: the subject and version commands against a
// Confluent-compatible registry. Each prints a table (or JSON with --output json) and exits with
// the statuses described in RegistryCommandSupport.swift.
import ArgumentParser
import Foundation
import JSONSchema
import SchemaRegistry
import SchemaRegistryClient

extension SchemaCommand {
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register schema files (or every schema file in a directory) with the registry.",
            discussion: """
                The type comes from the extension (.avsc: AVRO, .json: JSON) unless --type is given. \
                The subject is --subject, or <topic>-value (<topic>-key with --key) for --topic, or \
                otherwise for each file's base name (schemas/orders.avsc → orders-value). Registering \
                content already live under the subject returns its existing id and version.
                """)

        @OptionGroup var registry: RegistryOptions
        @OptionGroup var subjects: SubjectOptions
        @Argument(help: "Schema files or directories.") var files: [String]
        @Option(help: "avro or json (default: from each file's extension).") var type: SchemaKind?
        @Flag(help: "Ask the registry to normalize the schema before registering it.") var normalize = false

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one schema file or directory") }
        }

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                var registered: [(file: String, subject: String, id: Int, version: Int)] = []
                for file in try RegistrySchemaFiles.expand(files) {
                    guard let subject = subjects.subject(for: file) else {
                        throw RegistryCommandFailure("cannot name a subject for \(file); pass --subject or --topic")
                    }
                    let schema = try RegistrySchemaFiles.load(file, type: type)
                    let registration: SchemaRegistration
                    do {
                        registration = try await client.registration(subject: subject, schema: schema, normalize: normalize)
                    } catch let error as SchemaRegistryClientError {
                        throw RegistryCommandFailure(
                            "registering \(file) under \(subject) failed: \(registryAdvice(for: error, registryURL: registry.effectiveURL))",
                            status: error.kind == .registry ? .failed : .unusableInput)
                    }
                    var version = registration.version
                    if version == nil {
                        version = try await client.lookup(subject: subject, schema: schema, normalize: normalize).version
                    }
                    registered.append((file, subject, registration.id, version ?? 0))
                }
                switch registry.output {
                case .table:
                    var table = TextTable(headers: ["FILE", "SUBJECT", "VERSION", "ID"], alignments: [.left, .left, .right, .right])
                    for entry in registered { table.append([entry.file, entry.subject, String(entry.version), String(entry.id)]) }
                    output.line(table.render())
                case .json:
                    output.line(JSONOutput.line(registered.map { ["file": $0.file, "subject": $0.subject, "version": $0.version, "id": $0.id] }))
                }
                return .success
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a schema by global id, or a subject's version.",
            discussion: "`brook schema get 7` shows the schema with id 7 and where it is used; `brook schema get --subject orders-value [--version 3]` shows one version (latest by default).")

        @OptionGroup var registry: RegistryOptions
        @Argument(help: "A global schema id.") var id: Int?
        @Option(help: "The subject (instead of an id).") var subject: String?
        @Option(help: "The version with --subject: a number or latest.") var version: VersionSelector = .latest
        @Flag(help: "Include soft-deleted versions.") var deleted = false

        func validate() throws {
            switch (id, subject) {
            case (nil, nil): throw ValidationError("give a schema id, or --subject (and optionally --version)")
            case (.some, .some): throw ValidationError("give a schema id or --subject, not both")
            default: break
            }
            if let id, id < 0 { throw ValidationError("schema ids are 0 or more") }
        }

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                if let id {
                    let schema = try await client.schema(id: id)
                    let usedBy = try await client.subjectVersions(id: id, includeDeleted: deleted)
                    switch registry.output {
                    case .table:
                        output.line("id: \(id)")
                        output.line("type: \(schema.schemaType)")
                        output.line("used by: " + (usedBy.isEmpty ? "-" : usedBy.map { "\($0.subject) v\($0.version)" }.joined(separator: ", ")))
                        printReferences(schema.references, output: output)
                        output.line(Self.prettySchema(schema.schema))
                    case .json:
                        var document = RegistryJSON.schema(schema)
                        document["id"] = id
                        document["usedBy"] = usedBy.map { ["subject": $0.subject, "version": $0.version] }
                        output.line(JSONOutput.line(document))
                    }
                } else if let subject {
                    let found = try await client.version(subject: subject, version, includeDeleted: deleted)
                    switch registry.output {
                    case .table:
                        output.line("subject: \(found.subject)")
                        output.line("version: \(found.version)")
                        output.line("id: \(found.id)")
                        output.line("type: \(found.schema.schemaType)")
                        printReferences(found.schema.references, output: output)
                        output.line(Self.prettySchema(found.schema.schema))
                    case .json:
                        output.line(JSONOutput.line(RegistryJSON.subjectSchema(found)))
                    }
                }
                return .success
            }
        }

        private func printReferences(_ references: [SchemaReference], output: SchemaCommandOutput) {
            guard !references.isEmpty else { return }
            output.line("references: " + references.map { "\($0.name) → \($0.subject) v\($0.version)" }.joined(separator: ", "))
        }

        /// The schema text indented for reading; left as it is when it is not JSON.
        static func prettySchema(_ text: String) -> String {
            guard let data = text.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            else { return text }
            return JSONOutput.pretty(object)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registry's subjects.")

        @OptionGroup var registry: RegistryOptions
        @Option(help: "Only subjects starting with this.") var prefix: String?
        @Flag(help: "Include soft-deleted subjects.") var deleted = false
        @Flag(name: .customLong("deleted-only"), help: "Only soft-deleted subjects.") var deletedOnly = false

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let listing: SubjectListing = deletedOnly ? .deletedOnly : deleted ? .includingDeleted : .live
                let subjects = try await client.subjects(prefix: prefix, listing: listing).sorted()
                switch registry.output {
                case .table:
                    var table = TextTable(headers: ["SUBJECT"])
                    for subject in subjects { table.append([subject]) }
                    output.line(table.render())
                case .json:
                    output.line(JSONOutput.line(subjects))
                }
                return .success
            }
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a subject's versions with their ids.")

        @OptionGroup var registry: RegistryOptions
        @Argument(help: "The subject.") var subject: String
        @Flag(help: "Include soft-deleted versions.") var deleted = false

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let numbers = try await client.versions(subject: subject, listing: deleted ? .includingDeleted : .live)
                var rows: [SubjectSchema] = []
                for number in numbers {
                    rows.append(try await client.version(subject: subject, .number(number), includeDeleted: deleted))
                }
                switch registry.output {
                case .table:
                    var table = TextTable(headers: ["VERSION", "ID", "TYPE", "DELETED"], alignments: [.right, .right, .left, .left])
                    for row in rows {
                        table.append([String(row.version), String(row.id), row.schema.schemaType.rawValue, row.isDeleted == true ? "yes" : "no"])
                    }
                    output.line(table.render())
                case .json:
                    output.line(JSONOutput.line(rows.map { ["version": $0.version, "id": $0.id, "schemaType": $0.schema.schemaType.rawValue, "deleted": $0.isDeleted ?? false] }))
                }
                return .success
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a subject, or one of its versions.",
            discussion: "Without --permanent this is a soft delete (the registry keeps the schema and its id); --permanent removes what was soft-deleted before.")

        @OptionGroup var registry: RegistryOptions
        @Argument(help: "The subject.") var subject: String
        @Option(help: "Only this version (a number or latest).") var version: VersionSelector?
        @Flag(help: "Remove for good (only after a soft delete).") var permanent = false

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let deletedVersions: [Int]
                if let version {
                    deletedVersions = [try await client.deleteVersion(subject: subject, version, permanent: permanent)]
                } else {
                    deletedVersions = try await client.deleteSubject(subject, permanent: permanent)
                }
                switch registry.output {
                case .table:
                    let how = permanent ? "Permanently deleted" : "Soft-deleted"
                    output.line("\(how) \(subject) version\(deletedVersions.count == 1 ? "" : "s") \(deletedVersions.map(String.init).joined(separator: ", ")).")
                case .json:
                    output.line(JSONOutput.line(["subject": subject, "versions": deletedVersions, "permanent": permanent]))
                }
                return .success
            }
        }
    }
}

/// Registry values as Foundation JSON objects for `--output json` and `export`.
enum RegistryJSON {
    static func schema(_ schema: RegistrySchema) -> [String: Any] {
        var document: [String: Any] = [
            "schema": schema.schema, "schemaType": schema.schemaType.rawValue,
            "references": schema.references.map { ["name": $0.name, "subject": $0.subject, "version": $0.version] },
        ]
        if let metadata = schema.metadata { document["metadata"] = foundationValue(metadata) }
        if let ruleSet = schema.ruleSet { document["ruleSet"] = foundationValue(ruleSet) }
        return document
    }

    static func subjectSchema(_ found: SubjectSchema) -> [String: Any] {
        var document = schema(found.schema)
        document["subject"] = found.subject
        document["version"] = found.version
        document["id"] = found.id
        if let isDeleted = found.isDeleted { document["deleted"] = isDeleted }
        return document
    }

    static func foundationValue(_ value: JSONValue) -> Any {
        let text = value.serialized()
        guard let data = text.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return NSNull() }
        return object
    }
}
