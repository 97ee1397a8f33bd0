// The client against the real registry server: every typed call, the error mapping of real
// error answers, connection reuse, and the cache's coalescing of concurrent misses.
import Foundation
import JSON
import SchemaRegistry
import Testing

@testable import SchemaRegistryClient

let userV1 = #"{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"long"}]}"#
let userV2 = #"{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"long"},{"name":"email","type":["null","string"],"default":null}]}"#
let userV3Breaking = #"{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"long"},{"name":"age","type":"int"}]}"#

@Suite(.serialized) struct ClientAgainstRegistryTests {
    @Test func registerLookupAndReadBack() async throws {
        try await withLiveRegistry { _, client in
            let id = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1))
            #expect(try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1)) == id)
            let otherSubjectID = try await client.register(subject: "people-value", schema: RegistrySchema(schema: userV1))
            #expect(otherSubjectID == id, "the same content gets the same id under any subject")
            let id2 = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV2))
            #expect(id2 != id)

            let found = try await client.lookup(subject: "users-value", schema: RegistrySchema(schema: userV2))
            #expect(found.version == 2 && found.id == id2 && found.subject == "users-value")
            let byID = try await client.schema(id: id)
            #expect(byID.schemaType == .avro)
            #expect(try JSONValue.parse(byID.schema) == (try JSONValue.parse(userV1)))
            #expect(Set(try await client.subjects(id: id)) == ["users-value", "people-value"])
            #expect(Set(try await client.subjectVersions(id: id)) == [
                SubjectVersion(subject: "users-value", version: 1), SubjectVersion(subject: "people-value", version: 1),
            ])
            #expect(try await client.subjects().sorted() == ["people-value", "users-value"])
            #expect(try await client.subjects(prefix: "use") == ["users-value"])
            #expect(try await client.versions(subject: "users-value") == [1, 2])
            let latest = try await client.version(subject: "users-value")
            #expect(latest.version == 2 && latest.id == id2)
            #expect(try await client.version(subject: "users-value", .number(1)).id == id)
            #expect(try await client.referencedBy(subject: "users-value", .number(1)) == [])
            #expect(Set(try await client.schemaTypes()).isSuperset(of: ["AVRO", "JSON"]))
        }
    }

    @Test func jsonSchemasRegisterWithTheirType() async throws {
        try await withLiveRegistry { _, client in
            let schema = RegistrySchema(schema: #"{"type":"object","properties":{"a":{"type":"string"}}}"#, schemaType: .json)
            let id = try await client.register(subject: "events-value", schema: schema)
            #expect(try await client.schema(id: id).schemaType == .json)
        }
    }

    @Test func realErrorAnswersKeepStatusAndCode() async throws {
        try await withLiveRegistry { _, client in
            await expectRegistryError(.subjectNotFound, status: 404) { try await client.versions(subject: "missing") }
            await expectRegistryError(.schemaNotFound, status: 404) { try await client.schema(id: 4242) }
            _ = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1))
            await expectRegistryError(.versionNotFound, status: 404) { try await client.version(subject: "users-value", .number(9)) }
            await expectRegistryError(.invalidSchema, status: 422) {
                try await client.register(subject: "users-value", schema: RegistrySchema(schema: #"{"type":"nope"}"#))
            }
            await expectRegistryError(.subjectCompatibilityNotConfigured, status: 404) { try await client.config(subject: "users-value") }
            await expectRegistryError(.subjectNotSoftDeleted, status: 404) { try await client.deleteSubject("users-value", permanent: true) }
        }
    }

    @Test func incompatibleChangesAreRefusedWithReasons() async throws {
        try await withLiveRegistry { _, client in
            _ = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1))
            let verdict = try await client.checkCompatibility(
                subject: "users-value", schema: RegistrySchema(schema: userV3Breaking), verbose: true)
            #expect(!verdict.isCompatible)
            #expect(verdict.messages.contains { $0.contains("age") })
            let compatible = try await client.checkCompatibility(
                subject: "users-value", version: .latest, schema: RegistrySchema(schema: userV2))
            #expect(compatible.isCompatible)
            let refusal = try #require(await registryFailure { () async throws(SchemaRegistryClientError) in
                try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV3Breaking))
            })
            #expect(refusal.isIncompatibleSchema && refusal.httpStatus == 409)
            #expect(refusal.message.contains("age"))
            try await client.setCompatibility(.none, subject: "users-value")
            _ = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV3Breaking))
        }
    }

    @Test func configModeAndDeletes() async throws {
        try await withLiveRegistry { _, client in
            #expect(try await client.config().compatibilityLevel == .backward)
            #expect(try await client.setCompatibility(.fullTransitive) == .fullTransitive)
            _ = try await client.register(subject: "a", schema: RegistrySchema(schema: userV1))
            #expect(try await client.setCompatibility(.none, subject: "a") == CompatibilityLevel.none)
            #expect(try await client.config(subject: "a").compatibilityLevel == CompatibilityLevel.none)
            #expect(try await client.deleteConfig(subject: "a") == CompatibilityLevel.none)
            #expect(try await client.config(subject: "a", defaultToGlobal: true).compatibilityLevel == .fullTransitive)

            #expect(try await client.mode() == .readWrite)
            #expect(try await client.setMode(.readOnly, subject: "a") == .readOnly)
            await expectRegistryError(.operationNotPermitted, status: 422) {
                try await client.register(subject: "a", schema: RegistrySchema(schema: userV2))
            }
            #expect(try await client.deleteMode(subject: "a") == .readOnly)

            #expect(try await client.deleteSubject("a") == [1])
            #expect(try await client.subjects() == [])
            #expect(try await client.subjects(listing: .deletedOnly) == ["a"])
            #expect(try await client.deleteSubject("a", permanent: true) == [1])
            #expect(try await client.subjects(listing: .includingDeleted) == [])
        }
    }

    @Test func keepAliveReusesOneConnectionForSequentialCalls() async throws {
        try await withLiveRegistry { _, client in
            let id = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1))
            for _ in 0..<20 { _ = try await client.schema(id: id) }
            let statistics = await client.statistics
            #expect(statistics.exchangesStarted == 21)
            #expect(statistics.connectionsOpened == 1)
        }
    }

    @Test func cacheCoalescesConcurrentMissesIntoOneRequest() async throws {
        try await withLiveRegistry { _, client in
            let id = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1))
            let cache = CachedSchemaRegistry(client: client)
            let before = await client.statistics.exchangesStarted
            let schemas = try await withThrowingTaskGroup(of: RegistrySchema.self) { group in
                for _ in 0..<32 { group.addTask { try await cache.schema(id: id) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(schemas.count == 32 && Set(schemas.map(\.schema)).count == 1)
            #expect(await client.statistics.exchangesStarted == before + 1)
            _ = try await cache.schema(id: id)
            #expect(await client.statistics.exchangesStarted == before + 1, "cached forever")

            // (subject, schema) → id: registered once, then from memory; the id → schema side is filled too.
            let schema = RegistrySchema(schema: userV2)
            let registered = try await cache.registeredID(subject: "users-value", schema: schema)
            let afterRegister = await client.statistics.exchangesStarted
            #expect(try await cache.registeredID(subject: "users-value", schema: schema) == registered)
            #expect(try await cache.lookupID(subject: "users-value", schema: schema) == registered)
            #expect(try await cache.schema(id: registered) == schema)
            #expect(await client.statistics.exchangesStarted == afterRegister)
        }
    }

    @Test func latestVersionFollowsItsTTL() async throws {
        try await withLiveRegistry { _, client in
            _ = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV1))
            let longLived = CachedSchemaRegistry(client: client, latestVersionTTL: .seconds(3600))
            #expect(try await longLived.latestVersion(subject: "users-value").version == 1)
            _ = try await client.register(subject: "users-value", schema: RegistrySchema(schema: userV2))
            #expect(try await longLived.latestVersion(subject: "users-value").version == 1, "still within its TTL")
            await longLived.invalidateLatestVersion(subject: "users-value")
            #expect(try await longLived.latestVersion(subject: "users-value").version == 2)

            let alwaysFresh = CachedSchemaRegistry(client: client, latestVersionTTL: .zero)
            let before = await client.statistics.exchangesStarted
            _ = try await alwaysFresh.latestVersion(subject: "users-value")
            _ = try await alwaysFresh.latestVersion(subject: "users-value")
            #expect(await client.statistics.exchangesStarted == before + 2)
        }
    }

    @Test func refusedConnectionIsATypedErrorNamingTheRegistry() async throws {
        var configuration = try SchemaRegistryClientConfiguration(url: "http://127.0.0.1:1")
        configuration.retriesMax = 0
        let client = try SchemaRegistryClient(configuration: configuration)
        do {
            _ = try await client.subjects()
            Issue.record("a request to a closed port succeeded")
        } catch {
            #expect(error.kind == .connectionFailed)
            #expect(error.message.contains("127.0.0.1:1"))
        }
        await client.shutdown()
    }
}

func expectRegistryError<T>(
    _ code: SchemaRegistryClientError.Code, status: Int, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected error \(code)", sourceLocation: sourceLocation)
    } catch {
        let registryError = error as? SchemaRegistryClientError
        #expect(registryError?.errorCode == code, "\(error)", sourceLocation: sourceLocation)
        #expect(registryError?.httpStatus == status, "\(error)", sourceLocation: sourceLocation)
    }
}
