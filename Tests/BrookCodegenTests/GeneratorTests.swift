// The generator itself: the committed output for schemas/ is exactly what it generates now,
// output is deterministic, carried schemas and fingerprints are right, names never collide,
// and schemas it cannot represent are refused with the file and location.
import Avro
import BrookCodegen
import Foundation
import JSONSchema
import Testing

@Test func regeneratingSchemasReproducesTheCommittedFiles() throws {
    let generated = try CodeGenerator.generate(CodeGenerator.readSchemas(in: PackagePaths.schemas))
    #expect(generated.count >= 4)
    let stale = try CodeGenerator.staleFiles(generated, in: PackagePaths.committedGenerated)
    #expect(stale.isEmpty, "out of date: \(stale); run brook codegen --input schemas --output Tests/BrookCodegenTests/Generated")
    // No committed file is left over from a schema that no longer exists.
    let enumerator = FileManager.default.enumerator(atPath: PackagePaths.committedGenerated)
    var committed: [String] = []
    while let path = enumerator?.nextObject() as? String {
        if path.hasSuffix(".swift") { committed.append(path) }
    }
    #expect(committed.sorted() == generated.map(\.relativePath).sorted())
}

@Test func generationIsDeterministic() throws {
    let sources = try CodeGenerator.readSchemas(in: PackagePaths.schemas)
    let first = try CodeGenerator.generate(sources)
    let second = try CodeGenerator.generate(sources.reversed())
    #expect(first == second)
}

@Test func generatedTypesCarryTheirSchemas() throws {
    let types: [any AvroGeneratedRecord.Type] = [OrderPlacedV1.self, OrderPlacedV2.self, Everything.self]
    for type in types {
        let reparsed = try AvroSchema.parse(type.avroSchemaText)
        #expect(reparsed.fingerprint64 == type.avroFingerprint)
        #expect(type.avroSchema.canonicalString == type.avroSchemaText)
    }
    // The carried text is the Avro-Java storage form of the schema file.
    let file = try String(contentsOfFile: PackagePaths.schemas + "/orders/OrderPlaced.v2.avsc", encoding: .utf8)
    #expect(try AvroSchema.parse(file).canonicalString == OrderPlacedV2.avroSchemaText)
    #expect(OrderPlacedV1.avroFingerprint != OrderPlacedV2.avroFingerprint)
    #expect(try CustomerSignedUp.jsonSchemaDocument() == JSONValue.parse(
        String(contentsOfFile: PackagePaths.schemas + "/customers/CustomerSignedUp.json", encoding: .utf8)))
}

private func generateAvro(_ schema: String, typeName: String = "Probe") throws(CodegenError) -> String {
    try AvroCodegen.generate(schemaText: schema, typeName: typeName, sourceFile: "probe.avsc")
}

@Test func namespacesThatShareASimpleNameGetPrefixedNames() throws {
    let source = try generateAvro(#"""
        {"type":"record","name":"Root","namespace":"a","fields":[
          {"name":"x","type":{"type":"record","name":"Item","namespace":"one","fields":[]}},
          {"name":"y","type":{"type":"record","name":"Item","namespace":"two","fields":[]}},
          {"name":"z","type":{"type":"enum","name":"String","symbols":["A"]}}]}
        """#)
    #expect(source.contains("public struct OneItem: AvroGeneratedType"))
    #expect(source.contains("public struct TwoItem: AvroGeneratedType"))
    // An Avro type named like a Swift standard type must not shadow it.
    #expect(source.contains("public enum String2: String, AvroGeneratedType"))
    #expect(!source.contains("public enum String:"))
}

@Test func unrepresentableSchemasAreRefusedWithTheirLocation() throws {
    let cases: [(schema: String, message: String)] = [
        (#""string""#, "root must be a record"),
        (#"{"type":"record","name":"R","fields":[{"name":"avroValue","type":"int"}]}"#, "collides"),
        (#"{"type":"record","name":"R","fields":[{"name":"self","type":"int"}]}"#, "collides"),
        (#"{"type":"record","name":"R","fields":[{"name":"x","type":"nope"}]}"#, "nope"),
        (#"{"type":"record","name":"R""#, "invalid JSON"),
    ]
    for (schema, message) in cases {
        do {
            _ = try generateAvro(schema)
            Issue.record("accepted: \(schema)")
        } catch {
            #expect(error.file == "probe.avsc")
            #expect(error.description.contains(message), "\(error)")
        }
    }
    let jsonCases: [(schema: String, message: String)] = [
        (#"{"type":"object","properties":{"a":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}"#, "oneOf"),
        (#"{"type":"object","properties":{"a":{"$ref":"https://example.com/x.json"}}}"#, "$ref"),
        (#"{"type":"object","properties":{"a":{"type":"array"}}}"#, "items"),
        (#"{"type":"string"}"#, "root"),
        (#"{"type":"object","properties":{"a":{}}}"#, "type"),
    ]
    for (schema, message) in jsonCases {
        do {
            _ = try JSONSchemaCodegen.generate(schemaText: schema, typeName: "Probe", sourceFile: "probe.json")
            Issue.record("accepted: \(schema)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.contains("/properties/a") || message == "root", "\(error)")
        }
    }
}

@Test func twoFilesDefiningOneTypeNameAreRefused() throws {
    let schema = #"{"type":"record","name":"R","fields":[]}"#
    #expect(throws: CodegenError.self) {
        try CodeGenerator.generate([
            SchemaSource(relativePath: "a/Order.avsc", text: schema), SchemaSource(relativePath: "b/Order.avsc", text: schema),
        ])
    }
    #expect(CodeGenerator.typeName(forSchema: "orders/OrderPlaced.v2.avsc") == "OrderPlacedV2")
    #expect(CodeGenerator.outputPath(forSchema: "orders/OrderPlaced.v2.avsc") == "orders/OrderPlaced.v2.generated.swift")
}
