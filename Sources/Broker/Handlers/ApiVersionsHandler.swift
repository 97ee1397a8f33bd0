// ApiVersions (key 18): the version windows this broker serves. A client asking with a version
// above ours gets UNSUPPORTED_VERSION in a v0 response that still lists our table, so it can
// retry with a version we know (KIP-511). No tagged fields are written: Debian's librdkafka
// 2.0.2 cannot parse several default-valued ones.
import KafkaProtocol
import NIOCore

extension KafkaBroker {
    func handleApiVersions(body: inout ByteBuffer, context: RequestContext) -> HandlerOutcome {
        let keys = Self.supportedVersions.map { key, window in
            ApiVersionsResponse.ApiVersion(apiKey: key.rawValue, minVersion: window.lowerBound, maxVersion: window.upperBound)
        }
        let window = Self.supportedVersionTable[ApiKey.apiVersions.rawValue]!
        guard window.contains(context.version) else {
            let response = ApiVersionsResponse(errorCode: ErrorCode.unsupportedVersion.rawValue, apiKeys: keys)
            return .respond(Self.frame(response, header: context.header, allocator: context.allocator, version: 0))
        }
        // The body (client software name/version) is informational; a malformed one does not
        // stop the client from learning our versions.
        _ = try? ApiVersionsRequest(from: &body, version: context.version)
        return respond(ApiVersionsResponse(errorCode: 0, apiKeys: keys, throttleTimeMs: 0), context)
    }
}
