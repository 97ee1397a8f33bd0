// The versions a broker advertised in ApiVersions, and the version this client uses per API.
//
// A client speaks min(broker max, our codec max) for each API, provided that is not below
// max(broker min, our codec min). `versionCaps` lowers our maximum for APIs whose newer
// versions need features this client does not use yet (Fetch 13+ names topics by id).
import KafkaProtocol

public struct ApiVersionTable: Sendable, Equatable {
    /// Broker-advertised ranges by raw api key.
    public var brokerRanges: [Int16: ClosedRange<Int16>]

    public init(brokerRanges: [Int16: ClosedRange<Int16>]) {
        self.brokerRanges = brokerRanges
    }

    init(response: ApiVersionsResponse) {
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for entry in response.apiKeys where entry.minVersion <= entry.maxVersion {
            ranges[entry.apiKey] = entry.minVersion...entry.maxVersion
        }
        self.brokerRanges = ranges
    }

    /// Highest versions this client sends, below the codec's own maximum.
    /// Fetch 13+ and Metadata 10+ identify topics by id; this client names them.
    public static let defaultVersionCaps: [ApiKey: Int16] = [.fetch: 12]

    /// The version to use for `Request`, or an `.unsupportedVersion` error when the ranges do not meet.
    public func version<Request: KafkaRequest>(
        for request: Request.Type, caps: [ApiKey: Int16] = defaultVersionCaps
    ) throws(KafkaError) -> Int16 {
        let ours = Request.validVersions
        let ourMax = min(ours.upperBound, caps[Request.apiKey] ?? ours.upperBound)
        guard let broker = brokerRanges[Request.apiKey.rawValue] else {
            throw KafkaError(
                kind: .unsupportedVersion, context: "choosing a version of \(Request.apiKey)",
                detail: "the broker does not offer this API")
        }
        let chosen = min(broker.upperBound, ourMax)
        guard chosen >= max(broker.lowerBound, ours.lowerBound) else {
            throw KafkaError(
                kind: .unsupportedVersion, context: "choosing a version of \(Request.apiKey)",
                detail: "broker offers \(broker.lowerBound)...\(broker.upperBound), client speaks "
                    + "\(ours.lowerBound)...\(ourMax)")
        }
        return chosen
    }
}
