// The parts of the registry commands that need no registry: subject naming, schema file
// collection, the Avro and JSON Schema version diffs, export file parsing, and what a command
// says when the registry cannot be reached.
import ArgumentParser
import Avro
import Foundation
import JSONSchema
import Testing

@testable import brook

@Suite struct RegistryOfflineTests {
    @Test func subjectsFollowTopicNameStrategy() throws {
        func subject(_ arguments: [String], file: String?) throws -> String? {
            try SubjectOptions.parse(arguments).subject(for: file)
        }
        #expect(try subject(["--subject", "explicit"], file: "a/orders.avsc") == "explicit")
        #expect(try subject(["--topic", "orders"], file: nil) == "orders-value")
        #expect(try subject(["--topic", "orders", "--key"], file: nil) == "orders-key")
        #expect(try subject([], file: "schemas/payments.avsc") == "payments-value")
        #expect(try subject(["--key"], file: "schemas/payments.json") == "payments-key")
        #expect(try subject([], file: nil) == nil)
        #expect(throws: (any Error).self) { try SubjectOptions.parse(["--subject", "a", "--topic", "b"]) }
        #expect(throws: (any Error).self) { try SubjectOptions.parse(["--subject", "a", "--key"]) }
    }

    @Test func schemaFilesComeFromExtensionsAndMustBeJSON() throws {
        let avro = try RegistrySchemaFiles.load(Fixtures.path("user-v1.avsc"), type: nil)
        #expect(avro.schemaType == .avro)
        #expect(try RegistrySchemaFiles.load(Fixtures.path("order-v1.json"), type: nil).schemaType == .json)
        #expect(throws: SchemaInputError.self) { try RegistrySchemaFiles.load(Fixtures.path("truncated.json"), type: nil) }
        #expect(throws: SchemaInputError.self) { try RegistrySchemaFiles.load(Fixtures.path("orders.jsonl"), type: nil) }
        let expanded = try RegistrySchemaFiles.expand([Fixtures.directory])
        #expect(expanded.allSatisfy { $0.hasSuffix(".avsc") || $0.hasSuffix(".json") })
        #expect(expanded == expanded.sorted() && expanded.count >= 8)
        #expect(throws: SchemaInputError.self) { try RegistrySchemaFiles.expand(["/nonexistent-dir"]) }
    }

    @Test func avroDiffNamesFieldsAddedRemovedAndChanged() throws {
        let old = try AvroSchema.parse(SchemaFiles.readText(Fixtures.path("user-v1.avsc")))
        let new = try AvroSchema.parse(SchemaFiles.readText(Fixtures.path("user-v3-required-field.avsc")))
        #expect(AvroSchemaDiff.changes(from: old, to: new).map(\.text) == [
            "+ com.example.User.locale: field of type string with default \"en\"",
            "+ com.example.User.loyaltyTier: field of type string without a default",
        ])
        let reverse = AvroSchemaDiff.changes(from: new, to: old).map(\.text)
        #expect(reverse == ["- com.example.User.locale: field of type string", "- com.example.User.loyaltyTier: field of type string"])

        let before = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}"#)
        let after = try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"b","aliases":["a"],"type":"long","default":0},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Z"]}}]}"#)
        #expect(AvroSchemaDiff.changes(from: before, to: after).map(\.text) == [
            "+ E: symbols Z", "- E: symbols Y",
            "~ R.b: renamed from a", "~ R.b: type int → long", "~ R.b: default none → 0",
        ])
    }

    @Test func jsonSchemaDiffMarksBreakingKeywordChanges() throws {
        let old = try JSONValue.parse(SchemaFiles.readText(Fixtures.path("order-v1.json")))
        let new = try JSONValue.parse(SchemaFiles.readText(Fixtures.path("order-v3-quantity-string.json")))
        let changes = try JSONSchemaVersionDiff.changes(from: old, to: new)
        #expect(!changes.isEmpty)
        #expect(changes.contains { $0.detail.contains("breaks backward") && $0.location.contains("quantity") }, "\(changes)")
        #expect(try JSONSchemaVersionDiff.changes(from: old, to: old).isEmpty)
    }

    @Test func exportFilesAreCheckedBeforeAnythingIsImported() throws {
        let good = """
            {"format":"brook-schema-registry-export","formatVersion":1,"compatibilityLevel":"FULL","mode":"READWRITE",
             "subjects":[{"subject":"s","compatibilityLevel":"none","versions":[{"version":2,"id":9,"schema":"\\"int\\"","references":[]}]}]}
            """
        let export = try RegistryExport.parse(good, path: "x.json")
        #expect(export.compatibilityLevel == .full && export.mode == .readWrite)
        #expect(export.subjects.first?.compatibilityLevel?.rawValue == "NONE")
        #expect(export.subjects.first?.versions.first?.id == 9)
        #expect(export.subjects.first?.versions.first?.schema.schemaType == .avro)
        for bad in [
            "[]", #"{"format":"other","formatVersion":1,"subjects":[]}"#,
            #"{"format":"brook-schema-registry-export","formatVersion":2,"subjects":[]}"#,
            #"{"format":"brook-schema-registry-export","formatVersion":1,"subjects":[{"subject":"s","versions":[{"version":1,"schema":"1"}]}]}"#,
            #"{"format":"brook-schema-registry-export","formatVersion":1,"compatibilityLevel":"SIDEWAYS","subjects":[]}"#,
        ] {
            #expect(throws: SchemaInputError.self, "\(bad)") { try RegistryExport.parse(bad, path: "x.json") }
        }
    }

    @Test func unreachableRegistryIsAnIOErrorThatSaysWhatToDo() async throws {
        let command = try #require(
            try Brook.parseAsRoot(["schema", "list", "--registry", "http://127.0.0.1:1"]) as? SchemaCommand.List)
        let output = CapturedOutput()
        #expect(await command.execute(output: output) == .unusableInput)
        #expect(output.errors.count == 1)
        #expect(output.errors.first?.contains("127.0.0.1:1") == true)
        #expect(output.errors.first?.contains("--registry") == true)
        #expect(throws: (any Error).self) { try Brook.parseAsRoot(["schema", "list", "--registry", "https://x"]) }
    }
}
