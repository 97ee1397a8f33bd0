// Ids are never reused, even after compaction has dropped a permanently deleted schema and its
// tombstone: permanent deletes append a NOOP carrying the largest id, and compaction keeps the
// latest NOOP.
import Testing

@testable import SchemaRegistry

@Suite struct IdHighWaterMarkTests {
    /// The log as compaction leaves it once tombstones have expired: the latest value per key.
    func compacted(_ log: [(key: [UInt8], value: [UInt8]?)]) -> [(key: [UInt8], value: [UInt8]?)] {
        var latest: [[UInt8]: Int] = [:]
        for (index, entry) in log.enumerated() { latest[entry.key] = index }
        return log.enumerated().filter { latest[$0.element.key] == $0.offset && $0.element.value != nil }.map(\.element)
    }

    @Test func permanentDeleteKeepsTheHighestIdAcrossCompaction() throws {
        var registry = RegistryHarness()
        _ = registry.register("keep", record(fieldA, name: "Keep"))
        guard case .success(.registered(let deletedId, _, _)) = registry.register("gone", record(fieldA, name: "Gone")) else {
            Issue.record("registration failed")
            return
        }
        #expect(registry.write(.deleteSubject(subject: "gone", permanent: false)).succeeded)
        #expect(registry.write(.deleteSubject(subject: "gone", permanent: true)).succeeded)

        var afterCompaction = RegistryHarness()
        afterCompaction.log = compacted(registry.log)
        afterCompaction.state = afterCompaction.replayed()
        #expect(afterCompaction.state.maxId == deletedId)
        guard case .success(.registered(let nextId, _, _)) = afterCompaction.register("new", record(fieldA, name: "New")) else {
            Issue.record("registration failed")
            return
        }
        #expect(nextId > deletedId)
    }

    @Test func noopValuesRoundTripAndConfluentNullNoopsStillDecode() throws {
        let mark = SchemaStateMachine().barrierRecord
        let decoded = try SchemaRegistryRecord.decode(key: mark.keyBytes, value: mark.valueBytes).get()
        #expect(decoded == mark)
        #expect(mark.valueText == #"{"maxId":0}"#)
        let confluent = try SchemaRegistryRecord.decode(key: mark.keyBytes, value: Optional<[UInt8]>.none).get()
        #expect(confluent.value == nil)
        let foreign = try SchemaRegistryRecord.decode(key: mark.keyBytes, value: Array(#"{"other":1}"#.utf8)).get()
        #expect(foreign.value == nil)
    }

    /// Caches of answers by id stay valid while `removalGeneration` stays put: registrations,
    /// soft deletes and settings never move it; a permanent delete does.
    @Test func onlyRemovalsMoveTheRemovalGeneration() throws {
        var registry = RegistryHarness()
        _ = registry.register("s", record(fieldA, name: "S"))
        _ = registry.register("t", record(fieldA, name: "T"))
        #expect(registry.write(.setConfig(subject: "s", ConfigValue(compatibilityLevel: .none))).succeeded)
        #expect(registry.write(.deleteSubject(subject: "s", permanent: false)).succeeded)
        #expect(registry.state.removalGeneration == 0)
        #expect(registry.write(.deleteSubject(subject: "s", permanent: true)).succeeded)
        #expect(registry.state.removalGeneration > 0)
    }
}
