// The happy paths of /subjects and /schemas over real HTTP against a registry stored in a real
// broker: registration, dedupe, versions, lookups, ids shared across subjects, listings.
import Foundation
import JSON
import Testing

@testable import SchemaRegistryServer

@Suite struct SubjectAndSchemaEndpointTests {
    @Test func registerReadAndLookUpVersions() async throws {
        try await withRegistry { registry in
            let first = try #require(try await registry.register("users-value", Schemas.userV1))
            #expect(try await registry.register("users-value", Schemas.userV1) == first, "re-registering live content returns its id")
            let second = try #require(try await registry.register("users-value", Schemas.userV2))
            #expect(second > first)

            #expect(try await registry.json("GET", "/subjects").value == .array([.string("users-value")]))
            #expect(try await registry.json("GET", "/subjects/users-value/versions").value == .array([.integer(1), .integer(2)]))

            let (status, latest) = try await registry.json("GET", "/subjects/users-value/versions/latest")
            #expect(status == 200)
            #expect(latest["subject"]?.stringValue == "users-value")
            #expect(latest["version"] == .integer(2))
            #expect(latest["id"] == .integer(Int64(second)))
            #expect(latest["schemaType"] == nil, "AVRO is implied, as Confluent answers")
            let stored = try #require(latest["schema"]?.stringValue)
            #expect(try JSONValue.parse(stored) == JSONValue.parse(Schemas.userV2))

            let raw = try await registry.send("GET", "/subjects/users-value/versions/1/schema")
            #expect(raw.status == 200)
            #expect(try JSONValue.parse(raw.body) == JSONValue.parse(Schemas.userV1))

            let lookup = try await registry.json(
                "POST", "/subjects/users-value?normalize=False", body: RegistryFixture.registerBody(Schemas.userV1))
            #expect(lookup.status == 200)
            #expect(lookup.value["version"] == .integer(1))
            #expect(lookup.value["id"] == .integer(Int64(first)))
        }
    }

    @Test func idsAreGlobalAcrossSubjects() async throws {
        try await withRegistry { registry in
            let id = try #require(try await registry.register("a-value", Schemas.order))
            #expect(try await registry.register("b-value", Schemas.order) == id, "the same content keeps its id in another subject")
            let other = try #require(try await registry.register("c-value", Schemas.userV1))
            #expect(other != id)

            let byId = try await registry.json("GET", "/schemas/ids/\(id)")
            #expect(byId.status == 200)
            #expect(try JSONValue.parse(byId.value["schema"]?.stringValue ?? "") == JSONValue.parse(Schemas.order))
            let raw = try await registry.send("GET", "/schemas/ids/\(id)/schema")
            #expect(try JSONValue.parse(raw.body) == JSONValue.parse(Schemas.order))
            #expect(try await registry.json("GET", "/schemas/ids/\(id)/subjects").value == .array([.string("a-value"), .string("b-value")]))
            let versions = try await registry.json("GET", "/schemas/ids/\(id)/versions").value
            #expect(versions.arrayValue?.compactMap { $0["subject"]?.stringValue } == ["a-value", "b-value"])
            #expect(versions.arrayValue?.allSatisfy { $0["version"] == .integer(1) } == true)
            #expect(try await registry.json("GET", "/schemas/ids/\(id)?subject=b-value").status == 200)
            // A subject that never used the id does not filter it out (the Python deserializers
            // always send `{topic}-value`).
            let unrelated = try await registry.json("GET", "/schemas/ids/\(id)?subject=unrelated-value")
            #expect(unrelated.status == 200)
            #expect(try JSONValue.parse(unrelated.value["schema"]?.stringValue ?? "") == JSONValue.parse(Schemas.order))

            let types = try await registry.json("GET", "/schemas/types").value
            #expect(Set(types.arrayValue?.compactMap(\.stringValue) ?? []) == ["AVRO", "JSON"])
            let all = try await registry.json("GET", "/schemas").value
            #expect(all.arrayValue?.count == 3)
            let prefixed = try await registry.json("GET", "/schemas?subjectPrefix=a-").value
            #expect(prefixed.arrayValue?.count == 1)
            #expect(try await registry.json("GET", "/subjects?subjectPrefix=b").value == .array([.string("b-value")]))
            #expect(try await registry.json("GET", "/").value == .object(JSONObject()))
        }
    }

    @Test func jsonSchemaAndUnknownFieldsAreKept() async throws {
        try await withRegistry { registry in
            let schema = #"{"type":"object","properties":{"id":{"type":"integer"}}}"#
            let metadata = #""metadata":{"properties":{"owner":"team-a"}},"ruleSet":null,"schemaTagsToAdd":[]"#
            let id = try #require(try await registry.register("events-value", schema, schemaType: "JSON", extra: metadata))
            let fetched = try await registry.json("GET", "/subjects/events-value/versions/1").value
            #expect(fetched["schemaType"]?.stringValue == "JSON")
            #expect(fetched["metadata"]?["properties"]?["owner"]?.stringValue == "team-a")
            #expect(fetched["ruleSet"] == nil, "null members are not stored")
            let byId = try await registry.json("GET", "/schemas/ids/\(id)").value
            #expect(byId["schemaType"]?.stringValue == "JSON")
            #expect(byId["metadata"]?["properties"]?["owner"]?.stringValue == "team-a")
            // References to another subject's version resolve and are reported back.
            let referencing = #"{"type":"object","properties":{"event":{"$ref":"events.json"}}}"#
            let body = RegistryFixture.registerBody(
                referencing, schemaType: "JSON", extra: #""references":[{"name":"events.json","subject":"events-value","version":1}]"#)
            let (status, created) = try await registry.json("POST", "/subjects/wrapper-value/versions", body: body)
            #expect(status == 200, "\(created.serialized())")
            let wrapper = try await registry.json("GET", "/subjects/wrapper-value/versions/latest").value
            #expect(wrapper["references"]?.arrayValue?.first?["subject"]?.stringValue == "events-value")
            let referencedBy = try await registry.json("GET", "/subjects/events-value/versions/1/referencedby").value
            #expect(referencedBy == .array([created["id"] ?? .null]))
            #expect(try await registry.errorCode("DELETE", "/subjects/events-value/versions/1") == 42206)
            #expect(try await registry.errorCode("DELETE", "/subjects/events-value") == 42206)
        }
    }

    @Test func deletesSoftThenPermanentAndNeverReuseIds() async throws {
        try await withRegistry { registry in
            let first = try #require(try await registry.register("s", Schemas.userV1))
            let second = try #require(try await registry.register("s", Schemas.userV2))
            #expect(try await registry.errorCode("DELETE", "/subjects/s/versions/1?permanent=true") == 40407)
            #expect(try await registry.json("DELETE", "/subjects/s/versions/1").value == .integer(1))
            #expect(try await registry.errorCode("DELETE", "/subjects/s/versions/1") == 40406)
            #expect(try await registry.json("GET", "/subjects/s/versions").value == .array([.integer(2)]))
            #expect(try await registry.json("GET", "/subjects/s/versions?deleted=TRUE").value == .array([.integer(1), .integer(2)]))
            #expect(try await registry.json("GET", "/subjects/s/versions/1?deleted=True").status == 200)
            #expect(try await registry.errorCode("GET", "/subjects/s/versions/1") == 40402)
            #expect(try await registry.json("DELETE", "/subjects/s/versions/1?permanent=true").value == .integer(1))

            #expect(try await registry.errorCode("DELETE", "/subjects/s?permanent=true") == 40405)
            #expect(try await registry.json("DELETE", "/subjects/s").value == .array([.integer(2)]))
            #expect(try await registry.errorCode("DELETE", "/subjects/s") == 40404)
            #expect(try await registry.json("GET", "/subjects").value == .array([]))
            #expect(try await registry.json("GET", "/subjects?deleted=true").value == .array([.string("s")]))
            #expect(try await registry.json("GET", "/subjects?deletedOnly=true").value == .array([.string("s")]))
            #expect(try await registry.json("DELETE", "/subjects/s?permanent=true").value == .array([.integer(2)]))
            #expect(try await registry.errorCode("GET", "/subjects/s/versions") == 40401)
            #expect(try await registry.errorCode("GET", "/schemas/ids/\(second)") == 40403)

            // Same content after a permanent delete: a fresh id, above every id ever handed out.
            let again = try #require(try await registry.register("s", Schemas.userV1))
            #expect(again > max(first, second))
            #expect(try await registry.json("GET", "/subjects/s/versions").value == .array([.integer(1)]))
        }
    }
}
