// The `_schemas` codec: keys byte-identical to Confluent's (compaction keys on bytes), values
// decoded tolerantly with unknown fields kept and written back.
import JSONSchema
import Testing

@testable import SchemaRegistry

@Suite struct SchemaRegistryRecordTests {
    @Test func keysAreByteIdenticalToConfluent() {
        #expect(SchemaRegistryRecordKey.schema(subject: "s", version: 1).text == #"{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}"#)
        #expect(SchemaRegistryRecordKey.config(subject: nil).text == #"{"keytype":"CONFIG","subject":null,"magic":0}"#)
        #expect(SchemaRegistryRecordKey.config(subject: "orders-value").text == #"{"keytype":"CONFIG","subject":"orders-value","magic":0}"#)
        #expect(SchemaRegistryRecordKey.mode(subject: nil).text == #"{"keytype":"MODE","subject":null,"magic":0}"#)
        #expect(SchemaRegistryRecordKey.deleteSubject(subject: "s").text == #"{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}"#)
        #expect(SchemaRegistryRecordKey.clearSubject(subject: "s").text == #"{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}"#)
        #expect(SchemaRegistryRecordKey.noop.bytes == Array(#"{"keytype":"NOOP","magic":0}"#.utf8))
        #expect(SchemaRegistryRecordKey.schema(subject: "a\"b", version: 7).text == #"{"keytype":"SCHEMA","subject":"a\"b","version":7,"magic":1}"#)
    }

    @Test func keysDecodeFromAnyOrderAndReencodeCanonically() throws {
        let spaced = Array(#"{ "magic": 1, "version": 3, "subject": "x", "keytype": "SCHEMA" }"#.utf8)
        let key = try SchemaRegistryRecordKey.decode(spaced).get()
        #expect(key == .schema(subject: "x", version: 3))
        #expect(key.text == #"{"keytype":"SCHEMA","subject":"x","version":3,"magic":1}"#)
        #expect(SchemaRegistryRecordKey.decode(Array(#"{"keytype":"CONTEXT","magic":0}"#.utf8)) == .failure(.unknownKeyType("CONTEXT")))
        if case .success = SchemaRegistryRecordKey.decode(Array("[1]".utf8)) { Issue.record("array accepted as key") }
    }

    @Test func valuesAreWrittenAsConfluentDoes() {
        let value = SchemaValue(subject: "s", version: 1, id: 5, schema: "\"string\"")
        let record = SchemaRegistryRecord(key: .schema(subject: "s", version: 1), value: .schema(value))
        #expect(record.valueText == #"{"subject":"s","version":1,"id":5,"schema":"\"string\"","deleted":false}"#)
        let json = SchemaValue(
            subject: "s", version: 2, id: 6, schema: "{}", deleted: true, schemaType: .json,
            references: [SchemaReference(name: "a.json", subject: "a", version: 1)])
        #expect(SchemaRegistryRecord(key: .schema(subject: "s", version: 2), value: .schema(json)).valueText
            == #"{"subject":"s","version":2,"id":6,"schema":"{}","deleted":true,"schemaType":"JSON","references":[{"name":"a.json","subject":"a","version":1}]}"#)
        #expect(SchemaRegistryRecord(key: .config(subject: nil), value: .config(ConfigValue(compatibilityLevel: .full))).valueText
            == #"{"compatibilityLevel":"FULL"}"#)
        #expect(SchemaRegistryRecord(key: .mode(subject: "s"), value: .mode(.importing)).valueText == #"{"mode":"IMPORT"}"#)
        #expect(SchemaRegistryRecord(key: .deleteSubject(subject: "s"), value: .deleteSubject(subject: "s", version: 3)).valueText
            == #"{"subject":"s","version":3}"#)
        #expect(SchemaRegistryRecord.tombstone(.schema(subject: "s", version: 1)).valueBytes == nil)
    }

    @Test func unknownValueFieldsSurviveARoundTrip() throws {
        let key = Array(#"{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}"#.utf8)
        let text = #"{"subject":"s","version":1,"id":9,"schema":"\"int\"","deleted":false,"md5":"abc","metadata":{"properties":{"owner":"x"}}}"#
        let record = try SchemaRegistryRecord.decode(key: key, value: Array(text.utf8)).get()
        guard case .schema(let value)? = record.value else { Issue.record("not a schema value"); return }
        #expect(value.id == 9 && value.schemaType == .avro && value.extra.keys == ["md5", "metadata"])
        #expect(record.valueText == text)
        let config = try SchemaRegistryRecord.decode(
            key: Array(#"{"keytype":"CONFIG","subject":null,"magic":0}"#.utf8),
            value: Array(#"{"compatibilityLevel":"full_transitive","normalize":true}"#.utf8)).get()
        #expect(config.value == .config(ConfigValue(compatibilityLevel: .fullTransitive, extra: JSONObject([("normalize", .bool(true))]))))
    }

    @Test func malformedValuesAreTypedErrors() {
        let key = Array(#"{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}"#.utf8)
        for bad in [#"{"subject":"s"}"#, "not json", #"{"schema":"x","id":"1"}"#] {
            if case .success = SchemaRegistryRecord.decode(key: key, value: Array(bad.utf8)) { Issue.record("accepted \(bad)") }
        }
        let modeKey = Array(#"{"keytype":"MODE","subject":null,"magic":0}"#.utf8)
        if case .success = SchemaRegistryRecord.decode(key: modeKey, value: Array(#"{"mode":"SOMETIMES"}"#.utf8)) {
            Issue.record("accepted an unknown mode")
        }
        let tombstone = SchemaRegistryRecord.decode(key: key, value: nil as [UInt8]?)
        #expect(tombstone == .success(.tombstone(.schema(subject: "s", version: 1))))
    }
}
