// `brook schema config` and `brook schema mode`: read, set or remove the compatibility level and
// the mode, globally or for one subject.
import ArgumentParser
import SchemaRegistry
import SchemaRegistryClient

extension SchemaCommand {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, set or remove the compatibility level (global, or of one subject).",
            discussion: "Levels: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE (any case).")

        @OptionGroup var registry: RegistryOptions
        @Option(help: "The subject (default: the global level).") var subject: String?
        @Option(name: .customLong("set"), help: "Set this level.") var level: String?
        @Flag(help: "Remove the subject's own level (it then follows the global one), or reset the global one.") var delete = false

        func validate() throws {
            if level != nil && delete { throw ValidationError("give --set LEVEL or --delete, not both") }
            if let level, case .failure = CompatibilityLevel.parse(level) {
                throw ValidationError("--set \(level) is not a level; use one of \(CompatibilityLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let scope = subject ?? "global"
                var isInherited = false
                let shown: CompatibilityLevel
                let action: String
                if let level, case .success(let parsed) = CompatibilityLevel.parse(level) {
                    shown = try await client.setCompatibility(parsed, subject: subject)
                    action = "set"
                } else if delete {
                    shown = try await client.deleteConfig(subject: subject)
                    action = "removed"
                } else {
                    if let own = try await absentAsNil([.subjectCompatibilityNotConfigured], { () async throws(SchemaRegistryClientError) in
                        try await client.config(subject: subject).compatibilityLevel
                    }) {
                        shown = own
                    } else {
                        shown = try await client.config().compatibilityLevel
                        isInherited = true
                    }
                    action = "current"
                }
                switch registry.output {
                case .table:
                    let suffix = isInherited ? " (no level of its own; the global level applies)" : ""
                    switch action {
                    case "set": output.line("\(scope): compatibility level set to \(shown.rawValue)")
                    case "removed": output.line("\(scope): removed compatibility level \(shown.rawValue)")
                    default: output.line("\(scope): \(shown.rawValue)\(suffix)")
                    }
                case .json:
                    output.line(JSONOutput.line([
                        "scope": scope, "compatibilityLevel": shown.rawValue, "action": action, "inherited": isInherited,
                    ]))
                }
                return .success
            }
        }
    }

    struct Mode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, set or remove the registry mode (global, or of one subject).",
            discussion: "Modes: READWRITE, READONLY, IMPORT (IMPORT on a registry that holds subjects needs --force).")

        @OptionGroup var registry: RegistryOptions
        @Option(help: "The subject (default: the global mode).") var subject: String?
        @Option(name: .customLong("set"), help: "Set this mode.") var mode: String?
        @Flag(help: "With --set IMPORT: allow it on a registry that already holds subjects.") var force = false
        @Flag(help: "Remove the subject's own mode (it then follows the global one).") var delete = false

        func validate() throws {
            if mode != nil && delete { throw ValidationError("give --set MODE or --delete, not both") }
            if force && mode == nil { throw ValidationError("--force goes with --set") }
            if let mode, case .failure = RegistryMode.parse(mode) {
                throw ValidationError("--set \(mode) is not a mode; use READWRITE, READONLY or IMPORT")
            }
        }

        func run() async throws {
            let status = await execute(output: StandardSchemaCommandOutput())
            if status != .success { throw ExitCode(status.rawValue) }
        }

        func execute(output: SchemaCommandOutput) async -> SchemaExitStatus {
            await runRegistryCommand(registry, output: output) { client in
                let scope = subject ?? "global"
                var isInherited = false
                let shown: RegistryMode
                let action: String
                if let mode, case .success(let parsed) = RegistryMode.parse(mode) {
                    shown = try await client.setMode(parsed, subject: subject, force: force)
                    action = "set"
                } else if delete {
                    shown = try await client.deleteMode(subject: subject)
                    action = "removed"
                } else {
                    if let own = try await absentAsNil([.subjectModeNotConfigured], { () async throws(SchemaRegistryClientError) in
                        try await client.mode(subject: subject)
                    }) {
                        shown = own
                    } else {
                        shown = try await client.mode()
                        isInherited = true
                    }
                    action = "current"
                }
                switch registry.output {
                case .table:
                    let suffix = isInherited ? " (no mode of its own; the global mode applies)" : ""
                    switch action {
                    case "set": output.line("\(scope): mode set to \(shown.rawValue)")
                    case "removed": output.line("\(scope): removed mode \(shown.rawValue)")
                    default: output.line("\(scope): \(shown.rawValue)\(suffix)")
                    }
                case .json:
                    output.line(JSONOutput.line(["scope": scope, "mode": shown.rawValue, "action": action, "inherited": isInherited]))
                }
                return .success
            }
        }
    }
}
