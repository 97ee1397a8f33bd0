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
                SettingReport(scope: scope, noun: "compatibility level", jsonKey: "compatibilityLevel", value: shown.rawValue,
                              action: action, isInherited: isInherited).print(to: output, format: registry.output)
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
                SettingReport(scope: scope, noun: "mode", jsonKey: "mode", value: shown.rawValue, action: action, isInherited: isInherited)
                    .print(to: output, format: registry.output)
                return .success
            }
        }
    }
}

/// What `config` and `mode` print: the setting after the action, in a table line or one JSON object.
private struct SettingReport {
    let scope: String
    /// "compatibility level" or "mode", for the table line.
    let noun: String
    /// The JSON member holding the value ("compatibilityLevel", "mode"), as the registry names it.
    let jsonKey: String
    let value: String
    /// "set", "removed" or "current".
    let action: String
    let isInherited: Bool

    func print(to output: SchemaCommandOutput, format: RegistryOutputFormat) {
        switch format {
        case .table:
            switch action {
            case "set": output.line("\(scope): \(noun) set to \(value)")
            case "removed": output.line("\(scope): removed \(noun) \(value)")
            default:
                let suffix = isInherited ? " (no \(noun) of its own; the global \(noun) applies)" : ""
                output.line("\(scope): \(value)\(suffix)")
            }
        case .json:
            output.line(JSONOutput.line(["scope": scope, jsonKey: value, "action": action, "inherited": isInherited]))
        }
    }
}
