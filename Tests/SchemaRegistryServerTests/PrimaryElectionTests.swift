// Several registry instances on one broker: one primary is elected through the Kafka group
// protocol, the other forwards writes to it, both serve reads, and when the primary leaves the
// other takes over. Also the pure choice rule.
import Foundation
import JSON
import Testing

@testable import SchemaRegistryServer

@Suite struct PrimaryElectionTests {
    @Test func choiceKeepsAnEligibleCurrentPrimaryElseTakesTheSmallestURL() {
        let a = PrimaryChoice.Member(memberId: "m1", url: "http://b:1", isEligible: true)
        let b = PrimaryChoice.Member(memberId: "m2", url: "http://a:1", isEligible: true)
        let c = PrimaryChoice.Member(memberId: "m3", url: "http://0:1", isEligible: false)
        #expect(PrimaryChoice.choose([a, b, c], currentPrimaryURL: nil) == b)
        #expect(PrimaryChoice.choose([a, b, c], currentPrimaryURL: "http://b:1") == a)
        #expect(PrimaryChoice.choose([a, b, c], currentPrimaryURL: "http://0:1") == b, "an ineligible primary is replaced")
        #expect(PrimaryChoice.choose([c], currentPrimaryURL: nil) == nil)
        let assignment = PrimaryChoice.assignment(primary: b, generation: 3)
        let decoded = PrimaryChoice.decodeAssignment(assignment)
        #expect(decoded?.url == "http://a:1" && decoded?.memberId == "m2")
        #expect(PrimaryChoice.member("m9", metadata: PrimaryChoice.metadata(url: "http://x:2", isEligible: false))
            == PrimaryChoice.Member(memberId: "m9", url: "http://x:2", isEligible: false))
    }

    @Test func twoInstancesElectOnePrimaryAndForwardWrites() async throws {
        try await withRegistry(adjust: {
            $0.electionSessionTimeoutMilliseconds = 6_000
            $0.electionHeartbeatIntervalMilliseconds = 200
        }) { fixture in
            let first = fixture.registry
            let second = try await fixture.addRegistry { $0.isPrimaryEligible = false }
            #expect(await waitUntil { first.election.status.isPrimary && second.election.status.primaryURL == first.url })
            #expect(!second.election.status.isPrimary)

            // A write sent to the non-primary is run by the primary and readable from both at once.
            let body = RegistryFixture.registerBody(Schemas.userV1)
            let registered = try await fixture.json("POST", "/subjects/shared/versions", body: body, to: second)
            #expect(registered.status == 200, "\(registered.value.serialized())")
            let id = try #require(registered.value["id"])
            #expect(try await fixture.json("GET", "/schemas/ids/\(id.serialized())", to: second).status == 200)
            #expect(try await fixture.json("GET", "/subjects/shared/versions/1", to: first).value["id"] == id)
            let incompatible = try await fixture.json(
                "POST", "/subjects/shared/versions", body: RegistryFixture.registerBody(Schemas.userBreaking), to: second)
            #expect(incompatible.status == 409, "errors come back from the primary unchanged")
            #expect(try await fixture.json("PUT", "/config/shared", body: #"{"compatibility":"NONE"}"#, to: second).status == 200)
            #expect(try await fixture.json("GET", "/config/shared", to: second).value["compatibilityLevel"]?.stringValue == "NONE")

            // Only the eligible instance may be primary: with it gone, writes have no primary.
            let third = try await fixture.addRegistry()
            #expect(await waitUntil { third.election.status.primaryURL == first.url && !third.election.status.isPrimary })
            await first.shutdown()
            #expect(await waitUntil { third.election.status.isPrimary && second.election.status.primaryURL == third.url })
            let afterFailover = try await fixture.json(
                "POST", "/subjects/shared/versions", body: RegistryFixture.registerBody(Schemas.userV2), to: second)
            #expect(afterFailover.status == 200, "\(afterFailover.value.serialized())")
            #expect(try await fixture.json("GET", "/subjects/shared/versions", to: third).value == .array([.integer(1), .integer(2)]))
        }
    }

    /// Polls `condition` (every 50 ms, up to `timeoutMilliseconds`); true once it held.
    private func waitUntil(timeoutMilliseconds: Int = 20_000, _ condition: () async -> Bool) async -> Bool {
        for _ in 0..<(timeoutMilliseconds / 50) {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }
}
