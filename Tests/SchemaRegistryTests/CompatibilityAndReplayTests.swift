// Compatibility at every level for Avro and JSON Schema, with Confluent-style messages, and the
// replay property: the records a random sequence of operations produced, fed to a fresh state
// machine, rebuild exactly the same state.
import Testing

@testable import SchemaRegistry

@Suite struct CompatibilityAndReplayTests {
    /// Registers v1 then v2 under `level`; returns the second registration's result.
    func evolve(_ v1: String, _ v2: String, level: CompatibilityLevel, type: SchemaType = .avro) -> Result<SchemaRegistryOutcome, RegistryError> {
        var registry = RegistryHarness()
        _ = registry.write(.setConfig(subject: "s", ConfigValue(compatibilityLevel: level)))
        _ = registry.register("s", v1, type: type)
        return registry.register("s", v2, type: type)
    }

    @Test func avroLevels() {
        let v1 = record(fieldA)
        let addedWithDefault = record(fieldA + "," + fieldBWithDefault)
        let addedWithoutDefault = record(fieldA + "," + fieldBNoDefault)
        // Adding a field without default: breaks BACKWARD (new reader), fine FORWARD (old reader ignores it).
        guard case .failure(let error) = evolve(v1, addedWithoutDefault, level: .backward) else { Issue.record("accepted"); return }
        #expect(error.httpStatus == 409 && error.errorCode == 409)
        #expect(error.message.hasPrefix("Schema being registered is incompatible with an earlier schema for subject \"s\", details: ["))
        #expect(error.message.contains("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}"))
        #expect(error.message.contains("{oldSchemaVersion: 1}") && error.message.contains("compatibility: 'BACKWARD'"))
        #expect(evolve(v1, addedWithoutDefault, level: .forward).succeeded)
        #expect(evolve(v1, addedWithoutDefault, level: .full).httpStatus == 409)
        #expect(evolve(v1, addedWithoutDefault, level: .none).succeeded)
        #expect(evolve(v1, addedWithDefault, level: .full).succeeded)
        // Removing a field without default: breaks FORWARD (old reader needs it).
        #expect(evolve(addedWithoutDefault, v1, level: .forward).httpStatus == 409)
        #expect(evolve(addedWithoutDefault, v1, level: .backward).succeeded)
        // A schema type change is incompatible.
        var registry = RegistryHarness()
        _ = registry.register("s", v1)
        #expect(registry.register("s", #"{"type":"object"}"#, type: .json).httpStatus == 409)
    }

    @Test func transitiveLevelsCheckEveryLiveVersion() {
        // v1 {a: int}, v2 {}, v3 {a: string with default}: v3 reads v2 data but not v1's int a.
        for (level, accepted) in [(CompatibilityLevel.backward, true), (.backwardTransitive, false)] {
            var registry = RegistryHarness()
            _ = registry.write(.setConfig(subject: nil, ConfigValue(compatibilityLevel: level)))
            _ = registry.register("s", record(#"{"name":"a","type":"int"}"#))
            #expect(registry.register("s", record("")).succeeded)
            let third = registry.register("s", record(#"{"name":"a","type":"string","default":""}"#))
            #expect((third.succeeded) == accepted, "level \(level)")
            if !accepted, case .failure(let error) = third { #expect(error.message.contains("{oldSchemaVersion: 1}")) }
        }
        // Soft-deleted versions are not checked.
        var registry = RegistryHarness()
        _ = registry.write(.setConfig(subject: nil, ConfigValue(compatibilityLevel: .backwardTransitive)))
        _ = registry.register("s", record(#"{"name":"a","type":"int"}"#))
        _ = registry.register("s", record(""))
        _ = registry.write(.deleteVersion(subject: "s", version: .number(1), permanent: false))
        #expect(registry.register("s", record(#"{"name":"a","type":"string","default":""}"#)).succeeded)
    }

    @Test func jsonSchemaLevels() {
        let v1 = #"{"type":"object","properties":{"name":{"type":"string"}},"additionalProperties":false}"#
        let typeChanged = #"{"type":"object","properties":{"name":{"type":"integer"}},"additionalProperties":false}"#
        guard case .failure(let error) = evolve(v1, typeChanged, level: .backward, type: .json) else { Issue.record("accepted"); return }
        #expect(error.httpStatus == 409 && error.message.contains("TYPE_CHANGED") && error.message.contains("#/properties/name"))
        #expect(evolve(v1, typeChanged, level: .none, type: .json).succeeded)
        let optionalAdded = #"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"additionalProperties":false}"#
        #expect(evolve(v1, optionalAdded, level: .backward, type: .json).succeeded)
        #expect(evolve(v1, optionalAdded, level: .forward, type: .json).httpStatus == 409)
        #expect(evolve(v1, #"{"type":"object""#, level: .none, type: .json).errorCode == 42201)
    }

    @Test func compatibilityEndpoint() throws {
        var registry = RegistryHarness()
        let unknown = try registry.state.checkCompatibility(subject: "s", version: nil, request: RegisterSchemaRequest(schema: "\"int\"")).get()
        #expect(unknown.isCompatible)
        #expect(registry.state.checkCompatibility(subject: "s", version: .latest, request: RegisterSchemaRequest(schema: "\"int\""))
            == .failure(.subjectNotFound("s")))
        _ = registry.register("s", record(fieldA))
        let result = try registry.state.checkCompatibility(
            subject: "s", version: .number(1), request: RegisterSchemaRequest(schema: record(fieldA + "," + fieldBNoDefault))).get()
        #expect(!result.isCompatible && result.messages.first?.contains("'b'") == true)
        #expect(registry.state.checkCompatibility(subject: "s", version: .number(2), request: RegisterSchemaRequest(schema: "\"int\""))
            == .failure(.versionNotFound(2)))
    }

    /// A small deterministic generator (SplitMix64) so failures reproduce from the seed.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func replayReproducesState(seed: UInt64) {
        var generator = Generator(state: seed)
        var registry = RegistryHarness()
        let subjects = ["a", "b", "c"]
        let schemas = ["\"int\"", "\"long\"", "\"string\"", record(fieldA), record(fieldA + "," + fieldBWithDefault), record(fieldA + "," + fieldBNoDefault)]
        let levels = CompatibilityLevel.allCases
        var successes = 0
        for _ in 0..<150 {
            let subject = subjects[generator.next(subjects.count)]
            let operation: SchemaRegistryOperation
            switch generator.next(10) {
            case 0...3:
                operation = .register(subject: subject, request: RegisterSchemaRequest(schema: schemas[generator.next(schemas.count)]), normalize: false)
            case 4: operation = .deleteSubject(subject: subject, permanent: generator.next(2) == 0)
            case 5: operation = .deleteVersion(subject: subject, version: .number(1 + generator.next(4)), permanent: generator.next(2) == 0)
            case 6: operation = .setConfig(subject: generator.next(2) == 0 ? nil : subject, ConfigValue(compatibilityLevel: levels[generator.next(levels.count)]))
            case 7: operation = .deleteConfig(subject: generator.next(2) == 0 ? nil : subject)
            case 8: operation = .setMode(subject: subject, generator.next(3) == 0 ? .readOnly : .readWrite, force: false)
            default: operation = .deleteMode(subject: subject)
            }
            if case .success = registry.write(operation) { successes += 1 }
            // Each state reached must be reachable by replay, and ids are never reused for other content.
        }
        #expect(successes > 30, "seed \(seed): too few operations succeeded to mean anything")
        #expect(registry.replayed() == registry.state, "reproduce with seed=\(seed)")
    }
}
