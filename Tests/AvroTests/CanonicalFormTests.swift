// Parsing Canonical Form and CRC-64-AVRO against Apache Avro's schema-tests.txt, plus the
// storage string (Avro-Java Schema.toString layout) and normalized forms.
import Testing
@testable import Avro
import JSON

struct SchemaTestCase: CustomStringConvertible, Sendable {
    let number: String
    let input: String
    let canonical: String
    let fingerprint: Int64?
    var description: String { "case \(number)" }
}

/// Reads the apache/avro file format: `// NNN` headers, `<<INPUT text` or a multi-line
/// `<<INPUT` block ended by a line `INPUT`, `<<canonical text`, `<<fingerprint n`.
func loadSchemaTestCases() throws -> [SchemaTestCase] {
    let lines = try SharedData.text("avro/schema-tests.txt").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var cases: [SchemaTestCase] = []
    var number = ""
    var input: String?
    var canonical: String?
    var fingerprint: Int64?
    func flush() {
        if let input, let canonical {
            cases.append(SchemaTestCase(number: number, input: input, canonical: canonical, fingerprint: fingerprint))
        }
        input = nil; canonical = nil; fingerprint = nil
    }
    var index = 0
    while index < lines.count {
        let line = lines[index]
        if line.hasPrefix("// "), Int(line.dropFirst(3)) != nil {
            flush()
            number = String(line.dropFirst(3))
        } else if line == "<<INPUT" {
            var block: [String] = []
            index += 1
            while index < lines.count, lines[index] != "INPUT" {
                block.append(lines[index])
                index += 1
            }
            input = block.joined(separator: "\n")
        } else if line.hasPrefix("<<INPUT ") {
            input = String(line.dropFirst("<<INPUT ".count))
        } else if line.hasPrefix("<<canonical ") {
            canonical = String(line.dropFirst("<<canonical ".count))
        } else if line.hasPrefix("<<fingerprint ") {
            fingerprint = Int64(line.dropFirst("<<fingerprint ".count))
        }
        index += 1
    }
    flush()
    return cases
}

@Test func schemaTestsFileHasAllCases() throws {
    let cases = try loadSchemaTestCases()
    #expect(cases.count == 34)
    #expect(cases.filter { $0.fingerprint != nil }.count >= 20)
}

@Test(arguments: try loadSchemaTestCases())
func canonicalFormMatchesApacheTestFile(_ testCase: SchemaTestCase) throws {
    // Case 026 has a string default for a boolean field; Avro-Java's canonical-form test parses
    // without default validation, so we do too.
    let schema = try AvroSchema.parse(testCase.input, options: AvroSchemaParseOptions(validateDefaults: false))
    #expect(schema.canonicalForm == testCase.canonical)
    if let fingerprint = testCase.fingerprint {
        #expect(Int64(bitPattern: schema.fingerprint64) == fingerprint)
    }
    // The canonical form is a fixed point: parsing it again yields itself.
    let reparsed = try AvroSchema.parse(schema.canonicalForm)
    #expect(reparsed.canonicalForm == testCase.canonical)
}

@Test func fingerprintOfEmptyInputIsTheSeed() {
    #expect(AvroFingerprint.crc64Avro([]) == AvroFingerprint.empty)
    #expect(AvroFingerprint.crc64Avro(Array("\"null\"".utf8)) == 0x63dd_24e7_cc25_8f8a)
}

@Test(arguments: [
    // (input, Avro-Java Schema.toString())
    (#"{"type":"string"}"#, #""string""#),
    (#"{"type":"string","avro.java.string":"String"}"#, #"{"type":"string","avro.java.string":"String"}"#),
    (#"{"type": "long", "logicalType": "timestamp-millis"}"#, #"{"type":"long","logicalType":"timestamp-millis"}"#),
    (#"{"namespace":"com.acme","type":"record","name":"Order","doc":"An order","fields":[{"name":"id","type":"long","doc":"key"},{"name":"note","type":["null","string"],"default":null},{"name":"tags","type":{"type":"array","items":"string"},"default":[]}],"aliases":["OldOrder"]}"#,
     #"{"type":"record","name":"Order","namespace":"com.acme","doc":"An order","fields":[{"name":"id","type":"long","doc":"key"},{"name":"note","type":["null","string"],"default":null},{"name":"tags","type":{"type":"array","items":"string"},"default":[]}],"aliases":["OldOrder"]}"#),
    (#"{"type":"record","name":"a.b.R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"X"}},{"name":"e2","type":"E"},{"name":"f","type":{"type":"fixed","name":"c.F","size":2}},{"name":"f2","type":"c.F"}]}"#,
     #"{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"X"}},{"name":"e2","type":"E"},{"name":"f","type":{"type":"fixed","name":"F","namespace":"c","size":2}},{"name":"f2","type":"c.F"}]}"#),
    (#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"record","name":"Inner","namespace":"","fields":[]}}]}"#,
     #"{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"record","name":"Inner","namespace":"","fields":[]}}]}"#),
    (#"{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1.50},{"name":"o","type":"int","order":"descending","aliases":["old"],"x-custom":{"k":[1,2]}}]}"#,
     #"{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1.5},{"name":"o","type":"int","order":"descending","aliases":["old"],"x-custom":{"k":[1,2]}}]}"#),
])
func canonicalStringMatchesAvroJavaLayout(_ input: String, _ expected: String) throws {
    let schema = try AvroSchema.parse(input)
    #expect(schema.canonicalString == expected)
    // Re-parsing the storage string keeps it stable and keeps the canonical form.
    let reparsed = try AvroSchema.parse(schema.canonicalString)
    #expect(reparsed.canonicalString == expected)
    #expect(reparsed.canonicalForm == schema.canonicalForm)
}

@Test func normalizedStringUsesFullNamesEverywhere() throws {
    let first = try AvroSchema.parse(#"{"namespace":"a","type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},{"name":"e2","type":"E"}]}"#)
    let second = try AvroSchema.parse(#"{"type":"record","name":"a.R","fields":[{"name":"e","type":{"type":"enum","name":"a.E","symbols":["X"]}},{"name":"e2","type":"a.E"}]}"#)
    #expect(first.normalizedString == second.normalizedString)
    #expect(first.normalizedString == #"{"type":"record","name":"a.R","fields":[{"name":"e","type":{"type":"enum","name":"a.E","symbols":["X"]}},{"name":"e2","type":"a.E"}]}"#)
}

@Test(arguments: [
    (1.0, "1.0"), (1.5, "1.5"), (100.0, "100.0"), (0.001, "0.001"), (1e7, "1.0E7"), (1.25e-5, "1.25E-5"),
    (-2.5, "-2.5"), (123456.789, "123456.789"), (1e21, "1.0E21"),
])
func doublesPrintLikeJava(_ value: Double, _ expected: String) {
    #expect(JSONValue.javaDoubleText(value) == expected)
}
