// The registry's fast paths answer exactly what the general paths answer: GET /schemas/ids/{id}
// served from stored bytes (the same bytes as the general route, gone after a hard delete), and
// concurrent writes grouped into one append (the ids, versions and refusals a one-at-a-time
// writer gives, also when another instance writes to the same log in between).
import Foundation
import JSON
import SchemaRegistry
import Testing

@testable import SchemaRegistryServer

@Suite struct HotPathTests {
    @Test func schemaByIdFromStoredBytesMatchesTheGeneralRoute() async throws {
        try await withRegistry { registry in
            let avro = try #require(try await registry.register("a-value", Schemas.order, extra: #""metadata":{"properties":{"owner":"team"}}"#))
            let json = try #require(try await registry.register("j-value", #"{"type":"object"}"#, schemaType: "JSON"))
            for (id, subject) in [(avro, "a-value"), (json, "j-value")] {
                // Twice: the second answer comes from the stored bytes.
                let first = try await registry.send("GET", "/schemas/ids/\(id)")
                let second = try await registry.send("GET", "/schemas/ids/\(id)")
                // A query takes the general route, which renders the same entity.
                let general = try await registry.send("GET", "/schemas/ids/\(id)?subject=\(subject)")
                #expect(first.status == 200 && second.status == 200 && general.status == 200)
                #expect(first.body == general.body && second.body == general.body, "\(first.text) vs \(general.text)")
                #expect(first.header("Content-Type") == RegistryFixture.contentType)
            }
            let stored = try JSONValue.parse(try await registry.send("GET", "/schemas/ids/\(avro)").body)
            #expect(stored["metadata"]?["properties"]?["owner"]?.stringValue == "team")
            #expect(try JSONValue.parse(try await registry.send("GET", "/schemas/ids/\(json)").body)["schemaType"]?.stringValue == "JSON")
            for missing in ["999", "0", "2147483648", "99999999999", "1x"] {
                #expect(try await registry.errorCode("GET", "/schemas/ids/\(missing)") == 40403, "id \(missing)")
            }
        }
    }

    @Test func hardDeleteEndsTheStoredAnswer() async throws {
        try await withRegistry { registry in
            let id = try #require(try await registry.register("s", Schemas.userV1))
            #expect(try await registry.send("GET", "/schemas/ids/\(id)").status == 200)
            #expect(try await registry.json("DELETE", "/subjects/s").status == 200)
            #expect(try await registry.send("GET", "/schemas/ids/\(id)").status == 200, "a soft-deleted schema still resolves by id")
            #expect(try await registry.json("DELETE", "/subjects/s?permanent=true").status == 200)
            #expect(try await registry.errorCode("GET", "/schemas/ids/\(id)") == 40403)
        }
    }

    @Test func concurrentRegistrationsGetWhatOneAtATimeWouldGive() async throws {
        try await withRegistry { registry in
            let distinctCount = 24
            let sameCount = 8
            let answers = try await withThrowingTaskGroup(of: (String, Int, JSONValue).self) { group in
                for index in 0..<distinctCount {
                    group.addTask {
                        let schema = #"{"type":"record","name":"R\#(index)","fields":[{"name":"id","type":"long"}]}"#
                        let answer = try await registry.json(
                            "POST", "/subjects/distinct-\(index)/versions", body: RegistryFixture.registerBody(schema))
                        return ("distinct-\(index)", answer.status, answer.value)
                    }
                }
                for _ in 0..<sameCount {
                    group.addTask {
                        let answer = try await registry.json(
                            "POST", "/subjects/same/versions", body: RegistryFixture.registerBody(Schemas.order))
                        return ("same", answer.status, answer.value)
                    }
                }
                var answers: [(String, Int, JSONValue)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.allSatisfy { $0.1 == 200 }, "\(answers.filter { $0.1 != 200 }.map { $0.2.serialized() })")
            func id(_ value: JSONValue) -> Int? {
                if case .integer(let id)? = value["id"] { return Int(id) }
                return nil
            }
            let distinctIds = answers.filter { $0.0 != "same" }.compactMap { id($0.2) }
            #expect(Set(distinctIds).count == distinctCount, "every distinct schema gets its own id")
            let same = answers.filter { $0.0 == "same" }
            let sameIds = Set(same.compactMap { id($0.2) })
            #expect(sameIds.count == 1 && same.allSatisfy { $0.2["version"] == .integer(1) },
                    "the same content registered at once is one version with one id")
            // Ids are handed out without gaps, as a one-at-a-time writer does.
            #expect((distinctIds + sameIds).sorted() == Array(1...(distinctCount + 1)))

            // What was answered is what the log holds: a restart replays to the same ids.
            try await registry.restart()
            for (subject, _, value) in answers {
                #expect(try await registry.json("GET", "/subjects/\(subject)/versions/1").value["id"] == value["id"])
            }
        }
    }

    @Test func aGroupKeepsRefusalsAndVersionOrderOfOneAtATime() async throws {
        try await withRegistry { registry in
            #expect(try await registry.register("evolving", Schemas.userV1) != nil)
            let versionCount = 10
            let answers = try await withThrowingTaskGroup(of: (Bool, Int, JSONValue).self) { group in
                for index in 0..<versionCount {
                    group.addTask {
                        // Compatible with v1 and with each other: only a default changes.
                        let schema = #"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"note","type":"string","default":"v\#(index)"}]}"#
                        let answer = try await registry.json(
                            "POST", "/subjects/evolving/versions", body: RegistryFixture.registerBody(schema))
                        return (true, answer.status, answer.value)
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        let answer = try await registry.json(
                            "POST", "/subjects/evolving/versions", body: RegistryFixture.registerBody(Schemas.userBreaking))
                        return (false, answer.status, answer.value)
                    }
                }
                var answers: [(Bool, Int, JSONValue)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            let accepted = answers.filter(\.0)
            #expect(accepted.allSatisfy { $0.1 == 200 })
            let versions = accepted.compactMap { answer -> Int? in
                if case .integer(let version)? = answer.2["version"] { return Int(version) }
                return nil
            }
            #expect(versions.sorted() == Array(2...(versionCount + 1)))
            #expect(answers.filter { !$0.0 }.allSatisfy { $0.1 == 409 }, "an incompatible schema is refused inside a group too")
            let listed = try await registry.json("GET", "/subjects/evolving/versions").value
            #expect(listed == .array((1...(versionCount + 1)).map { .integer(Int64($0)) }))
        }
    }

    @Test func aWriteByAnotherInstanceIsSeenBeforeTheNextPlan() async throws {
        try await withRegistry { fixture in
            let first = fixture.registry
            #expect(try await fixture.register("a", Schemas.userV1) == 1)
            // A second instance writes to the same log itself (as a second primary would during a
            // hand-over); the first must plan its next write on top of that record.
            let second = try await fixture.addRegistry { $0.isPrimaryEligible = false }
            try await second.store.catchUp()
            let outcome = try await second.store.write(
                .register(subject: "b", request: RegisterSchemaRequest(schema: Schemas.order), normalize: false))
            #expect(outcome == .registered(id: 2, version: 1, created: true))
            try await first.store.catchUp()
            let third = try await first.store.write(
                .register(subject: "c", request: RegisterSchemaRequest(schema: Schemas.userBreaking), normalize: false))
            #expect(third == .registered(id: 3, version: 1, created: true), "id 2 is taken by the other instance's write")
            let byId = try await fixture.json("GET", "/schemas/ids/2").value
            #expect(try JSONValue.parse(byId["schema"]?.stringValue ?? "") == JSONValue.parse(Schemas.order))
        }
    }

    @Test func percentDecodingMatchesFoundation() {
        for text in ["plain", "a%2Fb", "%C3%A9t%C3%A9", "100%25", "", "a%2fb"] {
            #expect(RegistryRequest.percentDecoded(Substring(text)) == text.removingPercentEncoding, "\(text)")
        }
        for malformed in ["%", "%2", "%zz", "%FF", "a%C3"] {
            #expect(RegistryRequest.percentDecoded(Substring(malformed)) == nil, "\(malformed)")
        }
    }
}
