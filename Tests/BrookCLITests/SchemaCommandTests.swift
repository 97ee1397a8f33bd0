// `brook schema validate` and `brook schema compat`, parsed as the binary parses them and run
// in-process with their output captured, on the fixtures beside this file.
import ArgumentParser
import Avro
import Foundation
import Testing

@testable import brook

/// Output kept in memory.
final class CapturedOutput: SchemaCommandOutput {
    var lines: [String] = []
    var errors: [String] = []
    func line(_ text: String) { lines.append(text) }
    func error(_ text: String) { errors.append(text) }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String { directory + "/" + name }

    /// Writes `text` to a new temporary file with `name`'s extension; returns its path.
    static func temporaryFile(named name: String, _ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("brook-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

func runValidate(_ arguments: [String]) throws -> (status: SchemaExitStatus, output: CapturedOutput) {
    let command = try #require(try Brook.parseAsRoot(["schema", "validate"] + arguments) as? SchemaCommand.Validate)
    let output = CapturedOutput()
    return (command.execute(output: output), output)
}

func runCompat(_ arguments: [String]) throws -> (status: SchemaExitStatus, output: CapturedOutput) {
    let command = try #require(try Brook.parseAsRoot(["schema", "compat"] + arguments) as? SchemaCommand.Compat)
    let output = CapturedOutput()
    return (command.execute(output: output), output)
}

@Suite struct SchemaValidateTests {
    @Test func avroInstancesAreJudgedLineByLineWithPaths() throws {
        let (status, output) = try runValidate(["--schema", Fixtures.path("user-v1.avsc"), "--input", Fixtures.path("users.avro.jsonl")])
        #expect(status == .failed)
        #expect(output.lines == [
            "valid",
            "valid",
            "invalid: /address/zip: expected string, found 9",
            "invalid: line 5: not JSON: column 26: '}' expected near end of file",
            "invalid: /id: expected long, found \"five\"",
        ])
        #expect(output.errors.isEmpty)
    }

    @Test func jsonSchemaInstancesListEveryProblem() throws {
        let (status, output) = try runValidate(["--schema", Fixtures.path("order-v1.json"), "--input", Fixtures.path("orders.jsonl")])
        #expect(status == .failed)
        #expect(output.lines.count == 5)
        #expect(output.lines[0] == "valid")
        #expect(output.lines[1] == "valid")
        let third = output.lines[2]
        #expect(third.hasPrefix("invalid: /orderId: "))
        #expect(third.contains("pattern"))
        #expect(third.contains("/quantity: "))
        #expect(third.contains("/status: "))
        #expect(output.lines[3].hasPrefix("invalid: line 4: not JSON: "))
        #expect(output.lines[4].hasPrefix("invalid: /lines/0: "))
        #expect(output.lines[4].contains("sku"))
    }

    @Test func allValidInputExitsZero() throws {
        let input = try Fixtures.temporaryFile(named: "orders.jsonl", """
            {"orderId": "ord-7", "quantity": 1}

            {"orderId": "ord-8", "quantity": 4, "status": "shipped"}
            """)
        let (status, output) = try runValidate(["--schema", Fixtures.path("order-v1.json"), "--input", input])
        #expect(status == .success)
        #expect(output.lines == ["valid", "valid"])  // the blank line is skipped
    }

    @Test func typeComesFromTheFlagWhenTheExtensionSaysNothing() throws {
        let schema = try Fixtures.temporaryFile(named: "user.schema", try SchemaFiles.readText(Fixtures.path("user-v1.avsc")))
        let input = try Fixtures.temporaryFile(named: "one.jsonl", #"{"id": 1, "name": "Ada", "email": null, "address": {"city": "London", "zip": "N1"}}"#)
        let withoutType = try runValidate(["--schema", schema, "--input", input])
        #expect(withoutType.status == .unusableInput)
        #expect(withoutType.output.errors.first?.contains("--type") == true)
        let withType = try runValidate(["--schema", schema, "--type", "avro", "--input", input])
        #expect(withType.status == .success)
        #expect(withType.output.lines == ["valid"])
        // Read as a JSON Schema, the Avro schema fails the meta-schema ("record" is no JSON type).
        let asJSONSchema = try runValidate(["--schema", schema, "--type", "json", "--input", input])
        #expect(asJSONSchema.status == .unusableInput)
        #expect(asJSONSchema.output.errors.first?.contains("is not a valid JSON Schema: /type") == true)
    }

    @Test(arguments: [
        ("broken.avsc", "is not a valid Avro schema: /fields/0/type"),
        ("invalid-keyword.json", "is not a valid JSON Schema: /properties/a/type"),
        ("truncated.json", "is not JSON"),
        ("missing.avsc", "no such file"),
    ])
    func unusableSchemasExitTwoWithTheReason(file: String, reason: String) throws {
        let (status, output) = try runValidate(["--schema", Fixtures.path(file), "--input", Fixtures.path("orders.jsonl")])
        #expect(status == .unusableInput)
        #expect(output.lines.isEmpty)
        #expect(output.errors.count == 1)
        #expect(output.errors.first?.contains(reason) == true, "\(output.errors)")
    }

    @Test func unreadableInputExitsTwo() throws {
        let (status, output) = try runValidate(["--schema", Fixtures.path("order-v1.json"), "--input", Fixtures.path("no-such-input.jsonl")])
        #expect(status == .unusableInput)
        #expect(output.errors == ["Error: cannot read --input \(Fixtures.path("no-such-input.jsonl")): no such file"])
    }

    @Test func avroUnionsMustBeWrappedAsTheJSONEncodingSays() throws {
        let checker = try InstanceChecker(schema: SchemaFiles.load(Fixtures.path("user-v1.avsc"), kind: .avro))
        let wrapped = #"{"id": 1, "name": "A", "email": {"string": "a@b.c"}, "address": {"city": "C", "zip": "Z"}}"#
        let bare = #"{"id": 1, "name": "A", "email": "a@b.c", "address": {"city": "C", "zip": "Z"}}"#
        #expect(checker.check(wrapped, lineNumber: 1) == .valid)
        guard case .invalid(let reason) = checker.check(bare, lineNumber: 1) else {
            Issue.record("a bare union value was accepted")
            return
        }
        #expect(reason.hasPrefix("/email: "))
        #expect(checker.check(#"{"id": 1}"#, lineNumber: 1) != .valid)
    }

    @Test func formatsAreCheckedOnlyWhenAsked() throws {
        let schema = try Fixtures.temporaryFile(named: "mail.json", #"{"type": "string", "format": "email"}"#)
        let input = try Fixtures.temporaryFile(named: "mail.jsonl", #""not an address""#)
        #expect(try runValidate(["--schema", schema, "--input", input]).status == .success)
        let asserted = try runValidate(["--schema", schema, "--input", input, "--assert-formats"])
        #expect(asserted.status == .failed)
        #expect(asserted.output.lines.first?.hasPrefix("invalid: /: ") == true)
    }
}

@Suite struct SchemaCompatTests {
    @Test func addingAFieldWithADefaultIsBackwardCompatible() throws {
        let (status, output) = try runCompat(["--old", Fixtures.path("user-v1.avsc"), "--new", Fixtures.path("user-v2-compatible.avsc")])
        #expect(status == .success)
        #expect(output.lines == ["compatible"])
    }

    @Test func aRequiredFieldWithoutDefaultIsNamedWithTheOldVersion() throws {
        let (status, output) = try runCompat([
            "--old", Fixtures.path("user-v1.avsc"), "--old", Fixtures.path("user-v2-compatible.avsc"),
            "--new", Fixtures.path("user-v3-required-field.avsc"),
        ])
        #expect(status == .failed)
        #expect(output.lines.count == 1)  // BACKWARD looks at the latest old version only
        let line = try #require(output.lines.first)
        #expect(line.hasPrefix("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/5: "))
        #expect(line.contains("'loyaltyTier'"))
        #expect(line.contains("[old version 2 (\(Fixtures.path("user-v2-compatible.avsc"))), backward]"))
    }

    @Test func transitiveLevelsCheckEveryOldVersionNewestFirst() throws {
        let (status, output) = try runCompat([
            "--old", Fixtures.path("user-v1.avsc"), "--old", Fixtures.path("user-v2-compatible.avsc"),
            "--new", Fixtures.path("user-v3-required-field.avsc"), "--level", "backward_transitive",
        ])
        #expect(status == .failed)
        #expect(output.lines.count == 2)
        #expect(output.lines[0].contains("[old version 2 "))
        #expect(output.lines[1].contains("[old version 1 "))
    }

    @Test(arguments: ["forward", "FORWARD_TRANSITIVE", "none", "None"])
    func levelsWhereTheNewRequiredFieldIsFine(level: String) throws {
        let (status, output) = try runCompat([
            "--old", Fixtures.path("user-v1.avsc"), "--new", Fixtures.path("user-v3-required-field.avsc"), "--level", level,
        ])
        #expect(status == .success)
        #expect(output.lines == ["compatible"])
    }

    @Test func jsonSchemaTypeChangeIsReported() throws {
        let (status, output) = try runCompat([
            "--old", Fixtures.path("order-v1.json"), "--old", Fixtures.path("order-v2-compatible.json"),
            "--new", Fixtures.path("order-v3-quantity-string.json"), "--level", "Backward-Transitive",
        ])
        #expect(status == .failed)
        #expect(output.lines.count == 2)
        for line in output.lines {
            #expect(line.hasPrefix("TYPE_CHANGED at #/properties/quantity: A type at path '#/properties/quantity' is different"))
        }
        #expect(output.lines[0].hasSuffix("[old version 2 (\(Fixtures.path("order-v2-compatible.json"))), backward]"))
    }

    @Test func jsonSchemaWideningIsBackwardButNotForwardCompatible() throws {
        let arguments = ["--old", Fixtures.path("order-v1.json"), "--new", Fixtures.path("order-v2-compatible.json")]
        #expect(try runCompat(arguments).output.lines == ["compatible"])
        let (status, output) = try runCompat(arguments + ["--level", "full"])
        #expect(status == .failed)
        #expect(output.lines.contains { $0.hasPrefix("MINIMUM_INCREASED at #/properties/quantity/minimum: ") && $0.hasSuffix(", forward]") })
        #expect(output.lines.contains { $0.hasPrefix("ENUM_ARRAY_NARROWED at #/properties/status/enum: ") })
    }

    @Test func mixedOrBrokenSchemasExitTwo() throws {
        let mixed = try runCompat(["--old", Fixtures.path("order-v1.json"), "--new", Fixtures.path("user-v1.avsc")])
        #expect(mixed.status == .unusableInput)
        #expect(mixed.output.errors.first?.contains("compare schemas of one type") == true)
        let broken = try runCompat(["--old", Fixtures.path("broken.avsc"), "--new", Fixtures.path("user-v1.avsc")])
        #expect(broken.status == .unusableInput)
        #expect(broken.output.errors.first?.contains("broken.avsc is not a valid Avro schema") == true)
        #expect(broken.output.lines.isEmpty)
    }

    @Test func badArgumentsAreUsageErrors() {
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["schema", "compat", "--new", "a.avsc"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["schema", "compat", "--old", "a.avsc", "--new", "b.avsc", "--level", "sideways"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["schema", "validate", "--schema", "a.avsc", "--type", "protobuf"]) }
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["schema", "validate"]) }
    }

    @Test func levelNamesAreCaseInsensitive() throws {
        #expect(CompatibilityLevelArgument(argument: "full_transitive")?.level == .fullTransitive)
        #expect(CompatibilityLevelArgument(argument: "Forward-Transitive")?.level == .forwardTransitive)
        #expect(CompatibilityLevelArgument(argument: "NONE")?.level == AvroCompatibilityLevel.none)
        #expect(CompatibilityLevelArgument(argument: "backwards") == nil)
    }

    @Test func runTurnsTheStatusIntoTheProcessExitCode() throws {
        let incompatible = try #require(try Brook.parseAsRoot([
            "schema", "compat", "--old", Fixtures.path("user-v2-compatible.avsc"), "--new", Fixtures.path("user-v3-required-field.avsc"),
        ]) as? SchemaCommand.Compat)
        #expect(throws: ExitCode(1)) { try incompatible.run() }
        let unusable = try #require(try Brook.parseAsRoot([
            "schema", "compat", "--old", Fixtures.path("broken.avsc"), "--new", Fixtures.path("user-v1.avsc"),
        ]) as? SchemaCommand.Compat)
        #expect(throws: ExitCode(2)) { try unusable.run() }
        let compatible = try #require(try Brook.parseAsRoot([
            "schema", "compat", "--old", Fixtures.path("user-v1.avsc"), "--new", Fixtures.path("user-v2-compatible.avsc"),
        ]) as? SchemaCommand.Compat)
        try compatible.run()
    }
}
