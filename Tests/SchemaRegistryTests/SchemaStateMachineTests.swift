// SchemaStateMachine behaviour through a harness that does what the Kafka-store layer will do:
// plan, encode each record to bytes, decode it back and apply it.
import Testing

@testable import SchemaRegistry

/// A registry over an in-memory `_schemas` log.
struct RegistryHarness {
    var state = SchemaStateMachine()
    var log: [(key: [UInt8], value: [UInt8]?)] = []

    mutating func write(_ operation: SchemaRegistryOperation) -> Result<SchemaRegistryOutcome, RegistryError> {
        state.plan(operation).map { plan in
            for record in plan.records {
                log.append((record.keyBytes, record.valueBytes))
                if case .success(let decoded) = SchemaRegistryRecord.decode(key: record.keyBytes, value: record.valueBytes) {
                    state.apply(decoded)
                } else {
                    Issue.record("record did not decode: \(record)")
                }
            }
            return plan.outcome
        }
    }

    mutating func register(_ subject: String, _ schema: String, type: SchemaType = .avro, references: [SchemaReference] = [])
        -> Result<SchemaRegistryOutcome, RegistryError>
    {
        write(.register(subject: subject, request: RegisterSchemaRequest(schema: schema, schemaType: type, references: references), normalize: false))
    }

    /// A fresh state machine fed the log, as after a restart.
    func replayed() -> SchemaStateMachine {
        var fresh = SchemaStateMachine()
        for entry in log {
            if case .success(let record) = SchemaRegistryRecord.decode(key: entry.key, value: entry.value) { fresh.apply(record) }
        }
        return fresh
    }
}

extension Result where Failure == RegistryError {
    var errorCode: Int? { if case .failure(let error) = self { return error.errorCode } else { return nil } }
    var httpStatus: Int? { if case .failure(let error) = self { return error.httpStatus } else { return nil } }
    var succeeded: Bool { if case .success = self { return true } else { return false } }
}

func record(_ fields: String, name: String = "R") -> String {
    #"{"type":"record","name":"\#(name)","fields":[\#(fields)]}"#
}

let fieldA = #"{"name":"a","type":"string"}"#
let fieldBWithDefault = #"{"name":"b","type":"int","default":0}"#
let fieldBNoDefault = #"{"name":"b","type":"int"}"#

@Suite struct SchemaStateMachineTests {
    @Test func registerLookupAndDedupeAcrossSubjects() throws {
        var registry = RegistryHarness()
        #expect(registry.register("a-value", record(fieldA)) == .success(.registered(id: 1, version: 1, created: true)))
        // Same content, spelled differently: same id and version, no new record.
        let logged = registry.log.count
        #expect(registry.register("a-value", #"{"type":"record","name":"R","fields":[{"type":{"type":"string"},"name":"a"}]}"#)
            == .success(.registered(id: 1, version: 1, created: false)))
        #expect(registry.log.count == logged)
        // Same content under another subject reuses the id.
        #expect(registry.register("b-value", record(fieldA)) == .success(.registered(id: 1, version: 1, created: true)))
        #expect(registry.register("a-value", record(fieldA + "," + fieldBWithDefault)) == .success(.registered(id: 2, version: 2, created: true)))
        let found = try registry.state.lookup(subject: "a-value", request: RegisterSchemaRequest(schema: record(fieldA))).get()
        #expect(found.id == 1 && found.version == 1 && found.schema == record(fieldA))
        #expect(registry.state.lookup(subject: "a-value", request: RegisterSchemaRequest(schema: "\"int\"")) == .failure(.schemaNotFound()))
        #expect(registry.state.lookup(subject: "zzz", request: RegisterSchemaRequest(schema: "\"int\"")) == .failure(.subjectNotFound("zzz")))
        #expect(registry.state.subjectNames() == ["a-value", "b-value"])
        #expect(registry.state.subjectNames(id: 1) == .success(["a-value", "b-value"]))
        #expect(try registry.state.schema(id: 2).get().schema == record(fieldA + "," + fieldBWithDefault))
        #expect(registry.state.schema(id: 3) == .failure(.schemaNotFound()))
        #expect(try registry.state.schema(subject: "a-value", version: .latest).get().version == 2)
        #expect(registry.register("bad", "{\"type\":\"recrd\"}").errorCode == 42201)
    }

    @Test func versionsContinueAfterSoftDeleteAndIdsAreNotReused() throws {
        var registry = RegistryHarness()
        _ = try registry.write(.setConfig(subject: nil, ConfigValue(compatibilityLevel: .none))).get()
        _ = registry.register("s", "\"string\"")
        _ = registry.register("s", "\"int\"")
        #expect(registry.write(.deleteVersion(subject: "s", version: .number(2), permanent: false)) == .success(.deletedVersion(2)))
        #expect(registry.state.versionNumbers(subject: "s") == .success([1]))
        #expect(registry.state.versionNumbers(subject: "s", deleted: true) == .success([1, 2]))
        #expect(registry.register("s", "\"long\"") == .success(.registered(id: 3, version: 3, created: true)))
        // Re-registering the soft-deleted content gets a new version (and keeps its id).
        #expect(registry.register("s", "\"int\"") == .success(.registered(id: 2, version: 4, created: true)))
        #expect(registry.state.versionNumbers(subject: "s", deleted: true) == .success([1, 3, 4]))
        // Hard-delete everything: a new schema still gets a fresh id.
        _ = registry.write(.deleteSubject(subject: "s", permanent: false))
        _ = registry.write(.deleteSubject(subject: "s", permanent: true))
        #expect(registry.state.subjectNames(deleted: true) == [])
        #expect(registry.register("t", "\"double\"") == .success(.registered(id: 4, version: 1, created: true)))
    }

    @Test func hardDeleteRules() throws {
        var registry = RegistryHarness()
        _ = registry.register("s", "\"string\"")
        #expect(registry.write(.deleteSubject(subject: "s", permanent: true)) == .failure(.subjectNotSoftDeleted("s")))
        #expect(registry.write(.deleteVersion(subject: "s", version: .number(1), permanent: true)) == .failure(.versionNotSoftDeleted("s", 1)))
        #expect(registry.write(.deleteSubject(subject: "s", permanent: false)) == .success(.deletedVersions([1])))
        #expect(registry.write(.deleteSubject(subject: "s", permanent: false)) == .failure(.subjectSoftDeleted("s")))
        #expect(registry.write(.deleteVersion(subject: "s", version: .number(1), permanent: false)) == .failure(.versionSoftDeleted("s", 1)))
        #expect(registry.state.subjectNames() == [] && registry.state.subjectNames(deletedOnly: true) == ["s"])
        #expect(try registry.state.schema(subject: "s", version: .number(1), deleted: true).get().deleted)
        #expect(registry.state.schema(subject: "s", version: .number(1)) == .failure(.subjectNotFound("s")))
        #expect(registry.write(.deleteVersion(subject: "s", version: .number(1), permanent: true)) == .success(.deletedVersion(1)))
        #expect(registry.state.schema(id: 1) == .failure(.schemaNotFound()))
        #expect(registry.write(.deleteSubject(subject: "s", permanent: false)) == .failure(.subjectNotFound("s")))
        #expect(registry.write(.deleteSubject(subject: "nope", permanent: false)).errorCode == 40401)
    }

    @Test func referencedSchemasCannotBeDeleted() throws {
        var registry = RegistryHarness()
        let address = #"{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"}]}"#
        _ = registry.register("address", address)
        let reference = SchemaReference(name: "com.acme.Address", subject: "address", version: 1)
        let user = #"{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"}]}"#
        #expect(registry.register("user", user, references: [reference]) == .success(.registered(id: 2, version: 1, created: true)))
        #expect(registry.state.referencedBy(subject: "address", version: .number(1)) == .success([2]))
        #expect(registry.write(.deleteVersion(subject: "address", version: .latest, permanent: false)) == .failure(.referenceExists(subject: "address", version: 1)))
        #expect(registry.write(.deleteSubject(subject: "address", permanent: false)).errorCode == 42206)
        // An unknown referenced version is an invalid schema; a missing type without references too.
        #expect(registry.register("x", user, references: [SchemaReference(name: "a", subject: "address", version: 9)]).errorCode == 42201)
        #expect(registry.register("x", user).errorCode == 42201)
        // Compatibility through references: dropping a field without default is still checked.
        let userV2 = #"{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"age","type":"int"}]}"#
        let refused = registry.register("user", userV2, references: [reference])
        #expect(refused.httpStatus == 409)
        // JSON Schema $ref by reference name.
        _ = registry.register("point", #"{"type":"object","properties":{"x":{"type":"number"}}}"#, type: .json)
        let shape = #"{"type":"object","properties":{"origin":{"$ref":"point.json"}}}"#
        #expect(registry.register("shape", shape, type: .json, references: [SchemaReference(name: "point.json", subject: "point", version: 1)])
            == .success(.registered(id: 4, version: 1, created: true)))
    }

    @Test func modesAndConfig() throws {
        var registry = RegistryHarness()
        #expect(registry.state.config(subject: nil) == .success(ConfigValue(compatibilityLevel: .backward)))
        #expect(registry.state.config(subject: "s") == .failure(.subjectCompatibilityNotConfigured("s")))
        #expect(registry.state.config(subject: "s", defaultToGlobal: true) == .success(ConfigValue(compatibilityLevel: .backward)))
        #expect(CompatibilityLevel.parse("full_transitive") == .success(.fullTransitive))
        #expect(CompatibilityLevel.parse("sideways").errorCode == 42203)
        #expect(RegistryMode.parse("readonly") == .success(.readOnly))
        #expect(RegistryMode.parse("x").errorCode == 42204)
        #expect(VersionSelector.parse("0").errorCode == 42202)
        #expect(VersionSelector.parse("-1") == .success(.latest))
        _ = try registry.write(.setConfig(subject: nil, ConfigValue(compatibilityLevel: .full))).get()
        #expect(registry.state.compatibilityLevel(for: "s") == .full)
        _ = registry.register("s", "\"string\"")
        _ = try registry.write(.setMode(subject: "s", .readOnly, force: false)).get()
        #expect(registry.register("s", "\"int\"").errorCode == 42205)
        #expect(registry.register("other", "\"int\"") == .success(.registered(id: 2, version: 1, created: true)))
        #expect(registry.write(.deleteMode(subject: "s")) == .success(.mode(.readOnly)))
        #expect(registry.state.mode(subject: "s") == .failure(.subjectModeNotConfigured("s")))
        // IMPORT: refused on a non-empty registry without force; keeps explicit ids and versions.
        #expect(registry.write(.setMode(subject: nil, .importing, force: false)).errorCode == 42205)
        _ = try registry.write(.setMode(subject: nil, .importing, force: true)).get()
        let imported = RegisterSchemaRequest(schema: "\"bytes\"", id: 100, version: 7)
        #expect(registry.write(.register(subject: "imp", request: imported, normalize: false)) == .success(.registered(id: 100, version: 7, created: true)))
        let clash = RegisterSchemaRequest(schema: "\"double\"", id: 100, version: 8)
        #expect(registry.write(.register(subject: "imp", request: clash, normalize: false)).errorCode == 42207)
        _ = try registry.write(.setMode(subject: nil, .readWrite, force: false)).get()
        // Ids continue above the largest imported one.
        #expect(registry.register("fresh", "\"float\"") == .success(.registered(id: 101, version: 1, created: true)))
        #expect(registry.write(.register(subject: "imp", request: RegisterSchemaRequest(schema: "\"int\"", id: 5), normalize: false)).errorCode == 42205)
        #expect(registry.write(.deleteConfig(subject: nil)) == .success(.config(ConfigValue(compatibilityLevel: .full))))
        #expect(registry.state.compatibilityLevel(for: nil) == .backward)
    }
}
