// Version choice: min(broker max, our max), honouring caps, failing when ranges do not meet.
import KafkaProtocol
import Testing

@testable import KafkaClient

@Suite struct ApiVersionTableTests {
    @Test func usesTheLowerOfTheTwoMaxima() throws {
        let table = ApiVersionTable(brokerRanges: [ApiKey.metadata.rawValue: 0...9, ApiKey.produce.rawValue: 0...99])
        #expect(try table.version(for: MetadataRequest.self) == 9)
        #expect(try table.version(for: ProduceRequest.self) == ProduceRequest.validVersions.upperBound)
    }

    @Test func capsLimitOurMaximum() throws {
        let table = ApiVersionTable(brokerRanges: [ApiKey.fetch.rawValue: 4...17])
        #expect(try table.version(for: FetchRequest.self) == 12)
        #expect(try table.version(for: FetchRequest.self, caps: [:]) == min(17, FetchRequest.validVersions.upperBound))
    }

    @Test func disjointOrMissingRangesAreUnsupported() {
        let table = ApiVersionTable(brokerRanges: [ApiKey.fetch.rawValue: 13...17])
        #expect(throws: KafkaError.self) { try table.version(for: FetchRequest.self) }
        #expect(throws: KafkaError.self) { try table.version(for: MetadataRequest.self) }
    }

    @Test func builtFromAnApiVersionsAnswer() throws {
        let response = ApiVersionsResponse(apiKeys: [
            .init(apiKey: ApiKey.metadata.rawValue, minVersion: 0, maxVersion: 12),
            .init(apiKey: ApiKey.fetch.rawValue, minVersion: 5, maxVersion: 3),
        ])
        let table = ApiVersionTable(response: response)
        #expect(table.brokerRanges[ApiKey.metadata.rawValue] == 0...12)
        #expect(table.brokerRanges[ApiKey.fetch.rawValue] == nil)
    }
}
