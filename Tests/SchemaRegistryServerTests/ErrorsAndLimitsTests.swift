// Client mistakes get Confluent's error codes in a JSON body, never a 5xx: unknown subjects,
// versions and ids, invalid schemas and versions, incompatible schemas, unknown routes,
// content types, size limits and malformed JSON.
import Foundation
import JSON
import Testing

@testable import SchemaRegistryServer

@Suite struct ErrorsAndLimitsTests {
    @Test func notFoundAndInvalidInputCodes() async throws {
        try await withRegistry { registry in
            _ = try await registry.register("known", Schemas.userV1)
            #expect(try await registry.errorCode("GET", "/subjects/unknown/versions") == 40401)
            #expect(try await registry.errorCode("GET", "/subjects/unknown/versions/1") == 40401)
            #expect(try await registry.errorCode("GET", "/subjects/known/versions/7") == 40402)
            #expect(try await registry.errorCode("GET", "/subjects/known/versions/0") == 42202)
            #expect(try await registry.errorCode("GET", "/subjects/known/versions/x") == 42202)
            #expect(try await registry.errorCode("GET", "/schemas/ids/999") == 40403)
            #expect(try await registry.errorCode("GET", "/schemas/ids/abc") == 40403)
            #expect(try await registry.errorCode("POST", "/subjects/unknown", body: RegistryFixture.registerBody(Schemas.userV1)) == 40401)
            #expect(try await registry.errorCode("POST", "/subjects/known", body: RegistryFixture.registerBody(Schemas.order)) == 40403)
            #expect(try await registry.errorCode(
                "POST", "/subjects/known/versions", body: RegistryFixture.registerBody(#"{"type":"nonsense"}"#)) == 42201)
            #expect(try await registry.errorCode(
                "POST", "/subjects/known/versions", body: RegistryFixture.registerBody("{}", schemaType: "PROTOBUF")) == 42201)
            #expect(try await registry.errorCode("POST", "/subjects/known/versions", body: #"{"schemaType":"AVRO"}"#) == 42201)
            #expect(try await registry.errorCode("PUT", "/config", body: #"{"compatibility":"SIDEWAYS"}"#) == 42203)
            #expect(try await registry.errorCode("PUT", "/mode", body: #"{"mode":"WRITEONLY"}"#) == 42204)
            #expect(try await registry.errorCode("GET", "/config/known") == 40408)
            #expect(try await registry.errorCode("GET", "/mode/known") == 40409)
            #expect(try await registry.errorCode("GET", "/associations/topics/t/resources") == 404)
            #expect(try await registry.errorCode("GET", "/no/such/route") == 404)
            #expect(try await registry.errorCode("PATCH", "/subjects") == 405)
        }
    }

    @Test func pagingWithAHugeLimitAnswersTheRestInsteadOfOverflowing() async throws {
        try await withRegistry { registry in
            _ = try #require(try await registry.register("a-value", Schemas.order))
            _ = try #require(try await registry.register("b-value", Schemas.userV1))
            let page = try await registry.json("GET", "/subjects?offset=1&limit=\(Int.max)")
            #expect(page.status == 200)
            #expect(page.value == .array([.string("b-value")]))
            // The server is still there.
            #expect(try await registry.json("GET", "/subjects?limit=1").value == .array([.string("a-value")]))
        }
    }

    @Test func incompatibleSchemaIsRefusedWithTheReason() async throws {
        try await withRegistry { registry in
            _ = try await registry.register("users", Schemas.userV1)
            let (status, value) = try await registry.json(
                "POST", "/subjects/users/versions", body: RegistryFixture.registerBody(Schemas.userBreaking))
            #expect(status == 409)
            #expect(value["error_code"] == .integer(409))
            let message = value["message"]?.stringValue ?? ""
            #expect(message.contains("incompatible") && message.contains("email"), "\(message)")
            // Under NONE it registers.
            #expect(try await registry.json("PUT", "/config/users", body: #"{"compatibility":"none"}"#).status == 200)
            #expect(try await registry.register("users", Schemas.userBreaking) != nil)
        }
    }

    @Test func contentTypesAndBooleans() async throws {
        try await withRegistry { registry in
            for contentType in [
                "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json",
                "application/json; charset=utf-8", nil,
            ] {
                let response = try await registry.send(
                    "POST", "/subjects/typed/versions", body: RegistryFixture.registerBody(Schemas.order), contentType: contentType)
                #expect(response.status == 200, "content type \(contentType ?? "none"): \(response.text)")
                #expect(response.header("Content-Type") == "application/vnd.schemaregistry.v1+json")
            }
            let refused = try await registry.send(
                "POST", "/subjects/typed/versions", body: RegistryFixture.registerBody(Schemas.order), contentType: "text/plain")
            #expect(refused.status == 415)
            #expect(try JSONValue.parse(refused.body)["error_code"] == .integer(415))
            // Python clients send capitalised booleans.
            _ = try await registry.json("DELETE", "/subjects/typed")
            #expect(try await registry.json("GET", "/subjects?deleted=True").value == .array([.string("typed")]))
            #expect(try await registry.json("GET", "/subjects?deleted=False").value == .array([]))
        }
    }

    @Test func malformedJSONNamesThePosition() async throws {
        try await withRegistry { registry in
            let (status, value) = try await registry.json("POST", "/subjects/x/versions", body: "{\"schema\": oops}")
            #expect(status == 422)
            let message = value["message"]?.stringValue ?? ""
            #expect(message.contains("line 1") && message.contains("column"), "\(message)")
            #expect(try await registry.errorCode("POST", "/subjects/x/versions", body: "[1,2]") == 422)
            #expect(try await registry.errorCode("POST", "/subjects/x/versions", body: "") == 422)
        }
    }

    @Test func bodyAndSchemaLimits() async throws {
        try await withRegistry(adjust: { $0.requestBodyBytesMax = 2 * 1024 * 1024 }) { registry in
            let tooLargeBody = RegistryFixture.registerBody(String(repeating: " ", count: 3 * 1024 * 1024))
            let (status, value) = try await registry.json("POST", "/subjects/big/versions", body: tooLargeBody)
            #expect(status == 413)
            #expect(value["message"]?.stringValue?.contains("\(2 * 1024 * 1024)") == true, "the message names the limit")

            // Under the body limit but over the schema limit (1 MiB): 422 42209.
            let padding = String(repeating: " ", count: 1024 * 1024)
            let largeSchema = #"{"type":"record","name":"Big","fields":[]}"# + padding
            #expect(try await registry.errorCode(
                "POST", "/subjects/big/versions", body: RegistryFixture.registerBody(largeSchema)) == 42209)
            #expect(try await registry.json("GET", "/subjects").value == .array([]))
        }
    }
}
