// /config, /mode and /compatibility over HTTP, and a restart of broker and registry on the same
// data directory that must lose nothing: subjects, versions, ids, configs, modes, soft deletes.
import Foundation
import JSON
import Testing

@testable import SchemaRegistryServer

@Suite struct ConfigModeAndCompatibilityTests {
    @Test func configEndpoints() async throws {
        try await withRegistry { registry in
            #expect(try await registry.json("GET", "/config").value["compatibilityLevel"]?.stringValue == "BACKWARD")
            let put = try await registry.json("PUT", "/config", body: #"{"compatibility":"full_transitive"}"#)
            #expect(put.value == .object(JSONObject([("compatibility", .string("FULL_TRANSITIVE"))])))
            #expect(try await registry.json("GET", "/config").value["compatibilityLevel"]?.stringValue == "FULL_TRANSITIVE")

            _ = try await registry.register("s", Schemas.userV1)
            #expect(try await registry.json("PUT", "/config/s", body: #"{"compatibility":"FORWARD","normalize":true}"#).status == 200)
            let subjectConfig = try await registry.json("GET", "/config/s").value
            #expect(subjectConfig["compatibilityLevel"]?.stringValue == "FORWARD")
            #expect(subjectConfig["normalize"] == .bool(true), "unknown config fields are kept")
            #expect(try await registry.json("GET", "/config/other?defaultToGlobal=true").value["compatibilityLevel"]?.stringValue
                == "FULL_TRANSITIVE")
            #expect(try await registry.json("DELETE", "/config/s").value["compatibilityLevel"]?.stringValue == "FORWARD")
            #expect(try await registry.errorCode("GET", "/config/s") == 40408)
            #expect(try await registry.json("DELETE", "/config").value["compatibilityLevel"]?.stringValue == "FULL_TRANSITIVE")
            #expect(try await registry.json("GET", "/config").value["compatibilityLevel"]?.stringValue == "BACKWARD")
        }
    }

    @Test func compatibilityEndpoints() async throws {
        try await withRegistry { registry in
            // No subject yet: compatible when no version is named.
            let fresh = try await registry.json(
                "POST", "/compatibility/subjects/s/versions", body: RegistryFixture.registerBody(Schemas.userV1))
            #expect(fresh.value["is_compatible"] == .bool(true))
            #expect(try await registry.errorCode(
                "POST", "/compatibility/subjects/s/versions/latest", body: RegistryFixture.registerBody(Schemas.userV1)) == 40401)

            _ = try await registry.register("s", Schemas.userV1)
            let good = try await registry.json(
                "POST", "/compatibility/subjects/s/versions/latest?verbose=true", body: RegistryFixture.registerBody(Schemas.userV2))
            #expect(good.value["is_compatible"] == .bool(true))
            #expect(good.value["messages"] == .array([]))
            let bad = try await registry.json(
                "POST", "/compatibility/subjects/s/versions/1?verbose=True", body: RegistryFixture.registerBody(Schemas.userBreaking))
            #expect(bad.value["is_compatible"] == .bool(false))
            let messages = bad.value["messages"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(messages.contains { $0.contains("email") }, "\(messages)")
            let quiet = try await registry.json(
                "POST", "/compatibility/subjects/s/versions", body: RegistryFixture.registerBody(Schemas.userBreaking))
            #expect(quiet.value["is_compatible"] == .bool(false))
            #expect(quiet.value["messages"] == nil, "messages only with verbose=true")
            #expect(try await registry.errorCode(
                "POST", "/compatibility/subjects/s/versions/9", body: RegistryFixture.registerBody(Schemas.userV2)) == 40402)
        }
    }

    @Test func modesIncludingImport() async throws {
        try await withRegistry { registry in
            #expect(try await registry.json("GET", "/mode").value == .object(JSONObject([("mode", .string("READWRITE"))])))
            _ = try await registry.register("s", Schemas.userV1)
            #expect(try await registry.json("PUT", "/mode/s", body: #"{"mode":"readonly"}"#).value["mode"]?.stringValue == "READONLY")
            #expect(try await registry.errorCode(
                "POST", "/subjects/s/versions", body: RegistryFixture.registerBody(Schemas.userV2)) == 42205)
            #expect(try await registry.json("DELETE", "/mode/s").value["mode"]?.stringValue == "READONLY")
            #expect(try await registry.errorCode("GET", "/mode/s") == 40409)

            // IMPORT on a registry with subjects needs force; then explicit ids and versions are kept.
            #expect(try await registry.errorCode("PUT", "/mode", body: #"{"mode":"IMPORT"}"#) == 42205)
            #expect(try await registry.json("PUT", "/mode?force=true", body: #"{"mode":"IMPORT"}"#).status == 200)
            let body = RegistryFixture.registerBody(Schemas.order, extra: #""id":100,"version":5"#)
            let imported = try await registry.json("POST", "/subjects/imported/versions", body: body)
            #expect(imported.value["id"] == .integer(100))
            #expect(try await registry.json("GET", "/subjects/imported/versions").value == .array([.integer(5)]))
            #expect(try await registry.json("PUT", "/mode", body: #"{"mode":"READWRITE"}"#).status == 200)
            #expect(try await registry.errorCode("POST", "/subjects/x/versions", body: body) == 42205)
            let next = try #require(try await registry.register("after-import", Schemas.userV2))
            #expect(next > 100, "ids continue above imported ones")
        }
    }

    @Test func restartKeepsEverything() async throws {
        let fixture = try await RegistryFixture.start()
        do {
            let first = try #require(try await fixture.register("users", Schemas.userV1))
            let second = try #require(try await fixture.register("users", Schemas.userV2))
            let order = try #require(try await fixture.register("orders", Schemas.order))
            _ = try await fixture.json("DELETE", "/subjects/users/versions/1")
            _ = try await fixture.json("PUT", "/config/orders", body: #"{"compatibility":"NONE"}"#)
            _ = try await fixture.json("PUT", "/config", body: #"{"compatibility":"FULL"}"#)
            _ = try await fixture.json("PUT", "/mode/orders", body: #"{"mode":"READONLY"}"#)
            _ = try await fixture.register("gone", Schemas.userBreaking)
            _ = try await fixture.json("DELETE", "/subjects/gone")
            let before = try await snapshot(fixture)

            try await fixture.restart()

            #expect(try await snapshot(fixture) == before)
            #expect(try await fixture.json("GET", "/subjects/users/versions/1?deleted=true").value["id"] == .integer(Int64(first)))
            #expect(try await fixture.json("GET", "/schemas/ids/\(second)").status == 200)
            #expect(try await fixture.json("GET", "/schemas/ids/\(order)").status == 200)
            let fresh = try #require(try await fixture.register("new", #"{"type":"fixed","name":"F","size":4}"#))
            #expect(fresh > max(first, second, order))
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    /// Every observable piece of state, as JSON texts.
    private func snapshot(_ fixture: RegistryFixture) async throws -> [String] {
        var texts: [String] = []
        for target in [
            "/subjects", "/subjects?deleted=true", "/subjects/users/versions?deleted=true", "/subjects/users/versions",
            "/subjects/users/versions/2", "/subjects/orders/versions/1", "/config", "/config/orders", "/mode/orders", "/mode",
            "/schemas?deleted=true",
        ] {
            let (status, value) = try await fixture.json("GET", target)
            texts.append("\(target) \(status) \(value.serialized(sortedKeys: true))")
        }
        return texts
    }
}
