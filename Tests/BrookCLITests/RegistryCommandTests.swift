// `brook schema register|get|list|versions|check|diff|delete|config|mode|export|import`, parsed
// as the binary parses them and run in-process against a real registry (in-process broker and
// registry server on ephemeral ports), with output captured.
import ArgumentParser
import BrookEmbedded
import Foundation
import Testing

@testable import brook

/// `EmbeddedCluster.start()` starts a registry unless told not to; this says it did not.
struct EmbeddedClusterWithoutRegistry: Error {}

/// The registry of an `EmbeddedCluster` for one test, stopped afterwards.
final class CLIRegistry: Sendable {
    let cluster: EmbeddedCluster
    let url: String

    private init(cluster: EmbeddedCluster, url: String) {
        self.cluster = cluster
        self.url = url
    }

    static func start() async throws -> CLIRegistry {
        let cluster = try await EmbeddedCluster.start()
        guard let url = cluster.registryURL else {
            await cluster.shutdown()
            throw EmbeddedClusterWithoutRegistry()
        }
        return CLIRegistry(cluster: cluster, url: url)
    }

    func stop() async { await cluster.shutdown() }

    /// Parses `brook schema <arguments> --registry <url>` and runs it.
    func run(_ arguments: [String]) async throws -> (status: SchemaExitStatus, output: CapturedOutput) {
        let parsed = try Brook.parseAsRoot(["schema"] + arguments + ["--registry", url])
        let output = CapturedOutput()
        let status: SchemaExitStatus
        switch parsed {
        case let command as SchemaCommand.Register: status = await command.execute(output: output)
        case let command as SchemaCommand.Get: status = await command.execute(output: output)
        case let command as SchemaCommand.List: status = await command.execute(output: output)
        case let command as SchemaCommand.Versions: status = await command.execute(output: output)
        case let command as SchemaCommand.Check: status = await command.execute(output: output)
        case let command as SchemaCommand.Diff: status = await command.execute(output: output)
        case let command as SchemaCommand.Delete: status = await command.execute(output: output)
        case let command as SchemaCommand.Config: status = await command.execute(output: output)
        case let command as SchemaCommand.Mode: status = await command.execute(output: output)
        case let command as SchemaCommand.Export: status = await command.execute(output: output)
        case let command as SchemaCommand.Import: status = await command.execute(output: output)
        default: throw CommandFailure("not a registry command: \(arguments)")
        }
        return (status, output)
    }
}

func withCLIRegistry(_ body: (CLIRegistry) async throws -> Void) async throws {
    let registry = try await CLIRegistry.start()
    do {
        try await body(registry)
    } catch {
        await registry.stop()
        throw error
    }
    await registry.stop()
}

private func jsonLine(_ output: CapturedOutput) throws -> Any {
    let text = try #require(output.lines.last)
    return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

@Suite(.serialized) struct RegistryCommandTests {
    @Test func registerGetListVersionsAndDelete() async throws {
        try await withCLIRegistry { registry in
            let first = try await registry.run(["register", Fixtures.path("user-v1.avsc"), "--subject", "users-value", "--output", "json"])
            #expect(first.status == .success, "\(first.output.errors)")
            let registered = try #require(try jsonLine(first.output) as? [[String: Any]])
            let id = try #require(registered.first?["id"] as? Int)
            #expect(registered.first?["version"] as? Int == 1)

            let second = try await registry.run(["register", Fixtures.path("user-v2-compatible.avsc"), "--topic", "users"])
            #expect(second.status == .success, "\(second.output.errors)")
            #expect(second.output.lines.joined().contains("users-value"))

            // With no subject flag, the file's base name is the topic: order-v1.json → order-v1-value.
            let byName = try await registry.run(["register", Fixtures.path("order-v1.json")])
            #expect(byName.status == .success, "\(byName.output.errors)")

            let list = try await registry.run(["list", "--output", "json"])
            #expect(try jsonLine(list.output) as? [String] == ["order-v1-value", "users-value"])

            let versions = try await registry.run(["versions", "users-value"])
            #expect(versions.status == .success)
            #expect(versions.output.lines.joined(separator: "\n").contains("AVRO"))

            let byID = try await registry.run(["get", String(id)])
            #expect(byID.status == .success)
            #expect(byID.output.lines.contains("used by: users-value v1"))

            let latest = try await registry.run(["get", "--subject", "users-value", "--output", "json"])
            let document = try #require(try jsonLine(latest.output) as? [String: Any])
            #expect(document["version"] as? Int == 2)

            let missing = try await registry.run(["get", "--subject", "nobody"])
            #expect(missing.status == .failed)
            #expect(missing.output.errors.first?.contains("brook schema list") == true)

            let permanentFirst = try await registry.run(["delete", "order-v1-value", "--permanent"])
            #expect(permanentFirst.status == .failed)
            #expect(permanentFirst.output.errors.first?.contains("without --permanent first") == true)
            #expect(try await registry.run(["delete", "order-v1-value"]).status == .success)
            #expect(try await registry.run(["delete", "order-v1-value", "--permanent"]).status == .success)
        }
    }

    @Test func registerTakesEveryFileOfADirectory() async throws {
        try await withCLIRegistry { registry in
            let folder = NSTemporaryDirectory() + "brook-cli-schemas-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder + "/nested", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Fixtures.path("user-v1.avsc"), toPath: folder + "/users.avsc")
            try FileManager.default.copyItem(atPath: Fixtures.path("order-v1.json"), toPath: folder + "/nested/orders.json")
            try Data("not a schema".utf8).write(to: URL(fileURLWithPath: folder + "/README.md"))
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let result = try await registry.run(["register", folder, "--key", "--output", "json"])
            #expect(result.status == .success, "\(result.output.errors)")
            let rows = try #require(try jsonLine(result.output) as? [[String: Any]])
            #expect(rows.compactMap { $0["subject"] as? String } == ["orders-key", "users-key"])
        }
    }

    @Test func checkExitsZeroOneOrTwoForPipelines() async throws {
        try await withCLIRegistry { registry in
            _ = try await registry.run(["register", Fixtures.path("user-v1.avsc"), "--subject", "users-value"])
            let compatible = try await registry.run(["check", Fixtures.path("user-v2-compatible.avsc"), "--subject", "users-value"])
            #expect(compatible.status == .success, "\(compatible.output.errors)")
            #expect(compatible.output.lines.first?.hasPrefix("compatible") == true)

            let breaking = try await registry.run(["check", Fixtures.path("user-v3-required-field.avsc"), "--subject", "users-value"])
            #expect(breaking.status == .failed)
            #expect(breaking.output.lines.first?.hasPrefix("incompatible") == true)
            #expect(breaking.output.lines.count >= 2, "one line per reason")

            let unreadable = try await registry.run(["check", "/nonexistent/x.avsc", "--subject", "users-value"])
            #expect(unreadable.status == .unusableInput)
            #expect(unreadable.output.errors.first?.contains("no such file") == true)

            let unreachable = try Brook.parseAsRoot(["schema", "check", Fixtures.path("user-v1.avsc"), "--subject", "s", "--registry", "http://127.0.0.1:1"])
            let output = CapturedOutput()
            #expect(await (unreachable as? SchemaCommand.Check)?.execute(output: output) == .unusableInput)
            #expect(output.errors.first?.contains("brook serve") == true)
        }
    }

    @Test func diffShowsFieldChangesAndVerdicts() async throws {
        try await withCLIRegistry { registry in
            _ = try await registry.run(["register", Fixtures.path("user-v1.avsc"), "--subject", "users-value"])
            _ = try await registry.run(["config", "--subject", "users-value", "--set", "none"])
            let registered = try await registry.run(["register", Fixtures.path("user-v3-required-field.avsc"), "--subject", "users-value"])
            #expect(registered.status == .success, "\(registered.output.errors)")
            let diff = try await registry.run(["diff", "users-value", "1", "2"])
            #expect(diff.status == .success, "\(diff.output.errors)")
            let text = diff.output.lines.joined(separator: "\n")
            #expect(text.contains("+ "), "\(text)")
            #expect(text.contains("backward (new reads old data): "))
            #expect(!text.contains("backward (new reads old data): compatible"), "a required field added breaks backward: \(text)")

            let json = try await registry.run(["diff", "users-value", "1", "latest", "--output", "json"])
            let document = try #require(try jsonLine(json.output) as? [String: Any])
            #expect((document["changes"] as? [Any])?.isEmpty == false)
        }
    }

    @Test func configAndModeShowSetAndRemove() async throws {
        try await withCLIRegistry { registry in
            _ = try await registry.run(["register", Fixtures.path("user-v1.avsc"), "--subject", "users-value"])
            #expect(try await registry.run(["config"]).output.lines == ["global: BACKWARD"])
            #expect(try await registry.run(["config", "--subject", "users-value"]).output.lines
                == ["users-value: BACKWARD (no compatibility level of its own; the global compatibility level applies)"])
            #expect(try await registry.run(["config", "--subject", "users-value", "--set", "full_transitive"]).status == .success)
            #expect(try await registry.run(["config", "--subject", "users-value"]).output.lines == ["users-value: FULL_TRANSITIVE"])
            #expect(try await registry.run(["config", "--subject", "users-value", "--delete"]).status == .success)
            #expect(try await registry.run(["mode"]).output.lines == ["global: READWRITE"])
            #expect(try await registry.run(["mode", "--subject", "users-value", "--set", "READONLY"]).status == .success)
            let refused = try await registry.run(["register", Fixtures.path("user-v2-compatible.avsc"), "--subject", "users-value"])
            #expect(refused.status == .failed)
            #expect(refused.output.errors.first?.contains("brook schema mode") == true)
            #expect(try await registry.run(["mode", "--subject", "users-value", "--delete"]).status == .success)
            #expect(throws: (any Error).self) { try Brook.parseAsRoot(["schema", "config", "--set", "sideways"]) }
        }
    }

    @Test func exportThenImportIntoAFreshRegistryKeepsIds() async throws {
        let exportFile = NSTemporaryDirectory() + "brook-export-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: exportFile) }
        var expected: [String: Int] = [:]
        try await withCLIRegistry { source in
            // Burn an id so the ids to keep do not start at 1 and could not match by accident.
            _ = try await source.run(["register", Fixtures.path("order-v1.json"), "--subject", "scratch"])
            _ = try await source.run(["delete", "scratch"])
            _ = try await source.run(["delete", "scratch", "--permanent"])
            for (file, subject) in [("user-v1.avsc", "users-value"), ("user-v2-compatible.avsc", "users-value"), ("order-v1.json", "orders-value")] {
                let result = try await source.run(["register", Fixtures.path(file), "--subject", subject, "--output", "json"])
                let row = try #require((try jsonLine(result.output) as? [[String: Any]])?.first)
                expected["\(subject)/\(row["version"] as? Int ?? 0)"] = row["id"] as? Int
            }
            _ = try await source.run(["config", "--subject", "orders-value", "--set", "FULL"])
            let exported = try await source.run(["export", exportFile])
            #expect(exported.status == .success, "\(exported.output.errors)")
        }
        try await withCLIRegistry { target in
            let imported = try await target.run(["import", exportFile])
            #expect(imported.status == .success, "\(imported.output.errors)")
            for (key, id) in expected {
                let parts = key.split(separator: "/")
                let result = try await target.run(["get", "--subject", String(parts[0]), "--version", String(parts[1]), "--output", "json"])
                let document = try #require(try jsonLine(result.output) as? [String: Any])
                #expect(document["id"] as? Int == id, "\(key)")
            }
            #expect(try await target.run(["config", "--subject", "orders-value"]).output.lines == ["orders-value: FULL"])
            #expect(try await target.run(["mode"]).output.lines == ["global: READWRITE"], "the previous mode is restored")
            // A second import into the now non-empty registry needs --force.
            let again = try await target.run(["import", exportFile])
            #expect(again.status == .failed)
            #expect(again.output.errors.first?.contains("--force") == true)
        }
    }
}
