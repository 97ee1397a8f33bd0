// `brook schema fromjson` / `tojson`: JSON lines → container file → the same JSON lines, the
// writer schema printed from the header, and exit status 2 with a reason for unusable input.
import ArgumentParser
import Avro
import Foundation
import Testing

@testable import brook

@Suite struct SchemaFileCommandTests {
    let directory: String = NSTemporaryDirectory() + "brook-schema-file-\(UUID().uuidString)"

    static let schemaText = #"""
    {"type":"record","name":"Event","fields":[{"name":"id","type":"long"},
     {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
     {"name":"note","type":["null","string"]},
     {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}
    """#

    static let datumLines = [
        #"{"id":1,"kind":"A","note":null,"at":1700000000000}"#,
        #"{"id":2,"kind":"B","note":{"string":"hello"},"at":1700000000001}"#,
    ]

    func prepare() throws -> (schema: String, input: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let schemaPath = directory + "/event.avsc"
        let inputPath = directory + "/events.json"
        try Self.schemaText.write(toFile: schemaPath, atomically: true, encoding: .utf8)
        try (Self.datumLines.joined(separator: "\n") + "\n\n").write(toFile: inputPath, atomically: true, encoding: .utf8)
        return (schemaPath, inputPath)
    }

    func exitCode(_ body: () throws -> Void) -> Int32? {
        do {
            try body()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            return nil
        }
    }

    @Test(arguments: ["null", "deflate"])
    func jsonLinesRoundTripThroughAContainerFile(codec: String) throws {
        let files = try prepare()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/events.avro"
        try SchemaFromJSONCommand.parse(["--schema", files.schema, "--codec", codec, "--input", files.input, "--output", output]).run()
        #expect(try AvroContainerFile.readHeader(path: output).codec == codec)

        let toJSON = try SchemaToJSONCommand.parse([output])
        let lines = try toJSON.outputLines()
        let schema = try AvroSchema.parse(Self.schemaText)
        // Compared as datums, so key order in the JSON does not matter.
        #expect(try lines.map { try AvroJSON.decode($0, schema: schema) } == Self.datumLines.map { try AvroJSON.decode($0, schema: schema) })

        let schemaLines = try SchemaToJSONCommand.parse([output, "--print-schema"]).outputLines()
        #expect(schemaLines.count == 1)
        #expect(try AvroSchema.parse(schemaLines[0]).canonicalString == schema.canonicalString)
        #expect(schemaLines[0].contains("timestamp-millis"))
    }

    @Test func unusableInputExitsWithStatusTwo() throws {
        let files = try prepare()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/events.avro"

        // Not a container file.
        #expect(exitCode { _ = try SchemaToJSONCommand.parse([files.input]).outputLines() } == 2)
        // Missing file.
        #expect(exitCode { _ = try SchemaToJSONCommand.parse([directory + "/missing.avro"]).outputLines() } == 2)
        // A line that is not a datum of the schema.
        let badInput = directory + "/bad.json"
        try (Self.datumLines[0] + "\n" + #"{"id":"x"}"# + "\n").write(toFile: badInput, atomically: true, encoding: .utf8)
        #expect(exitCode { try SchemaFromJSONCommand.parse(["--schema", files.schema, "--input", badInput, "--output", output]).run() } == 2)
        // A schema file that is not a schema.
        #expect(exitCode { try SchemaFromJSONCommand.parse(["--schema", files.input, "--input", files.input, "--output", output]).run() } == 2)
        // An unknown codec is a usage error (parse runs validate).
        #expect(throws: (any Error).self) {
            _ = try SchemaFromJSONCommand.parse(["--schema", files.schema, "--codec", "gzip", "--output", output])
        }
    }
}
