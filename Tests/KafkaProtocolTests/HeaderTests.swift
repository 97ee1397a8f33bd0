// Request/response header versions: which API versions use header v0/v1/v2, and the ApiVersions
// exception (its response header is always v0 so any client can read it).
import KafkaProtocol
import NIOCore
import Testing

@Suite struct HeaderTests {
    @Test func apiVersionsResponseHeaderIsAlwaysV0() {
        for version in ApiVersionsResponse.validVersions {
            var buffer = ByteBuffer()
            ResponseHeader.encode(correlationId: 7, apiKey: .apiVersions, apiVersion: version, into: &buffer)
            #expect(buffer.readableBytes == 4, "ApiVersions v\(version)")
            #expect(buffer.getInteger(at: 0, as: Int32.self) == 7)
        }
    }

    @Test func flexibleResponsesUseHeaderV1() {
        var flexible = ByteBuffer()
        ResponseHeader.encode(correlationId: 9, apiKey: .metadata, apiVersion: 9, into: &flexible)
        #expect(Array(flexible.readableBytesView) == [0, 0, 0, 9, 0])
        var old = ByteBuffer()
        ResponseHeader.encode(correlationId: 9, apiKey: ApiKey.metadata.rawValue, apiVersion: 8, into: &old)
        #expect(Array(old.readableBytesView) == [0, 0, 0, 9])
    }

    @Test func responseHeaderDecodesWhatItEncodes() throws {
        var buffer = ByteBuffer()
        ResponseHeader.encode(correlationId: -5, apiKey: .fetch, apiVersion: 16, into: &buffer)
        let header = try ResponseHeader.decode(from: &buffer, apiKey: .fetch, apiVersion: 16)
        #expect(header.correlationId == -5)
        #expect(buffer.readableBytes == 0)
    }

    @Test func requestHeaderVersions() {
        #expect(ApiKey.produce.requestHeaderVersion(apiVersion: 8) == 1)
        #expect(ApiKey.produce.requestHeaderVersion(apiVersion: 9) == 2)
        #expect(ApiKey.apiVersions.requestHeaderVersion(apiVersion: 3) == 2)
        // A newer ApiVersions than we implement is still parsed as flexible.
        #expect(ApiKey.apiVersions.requestHeaderVersion(apiVersion: 9) == 2)
        // ControlledShutdown v0 (not implemented, but its header must still parse).
        #expect(ApiKey(rawValue: 7).requestHeaderVersion(apiVersion: 0) == 0)
        #expect(ApiKey(rawValue: 7).requestHeaderVersion(apiVersion: 1) == 1)
        // An API we do not implement but Kafka defines: its flexible versions come from the specs.
        #expect(ApiKey(rawValue: 29).name == "DescribeAcls")
        #expect(ApiKey(rawValue: 29).requestHeaderVersion(apiVersion: 2) == 2)
        #expect(ApiKey(rawValue: 29).validVersions == nil)
        #expect(ApiKey(rawValue: 999).requestHeaderVersion(apiVersion: 0) == 1)
        #expect(ApiKey(rawValue: 999).description == "ApiKey(999)")
    }

    @Test func requestHeaderRoundTripsInEveryHeaderVersion() throws {
        let headers = [
            RequestHeader(apiKey: 7, apiVersion: 0, correlationId: 1, clientId: nil),
            RequestHeader(apiKey: 0, apiVersion: 8, correlationId: 2, clientId: "producer-1"),
            RequestHeader(apiKey: 0, apiVersion: 9, correlationId: 3, clientId: nil),
            RequestHeader(
                apiKey: 18, apiVersion: 3, correlationId: 4, clientId: "é",
                unknownTaggedFields: [TaggedField(tag: 5, data: ByteBuffer(bytes: [1, 2]))]),
        ]
        for header in headers {
            var buffer = ByteBuffer()
            header.encode(into: &buffer)
            let decoded = try RequestHeader.decode(from: &buffer)
            #expect(decoded == header)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func clientIdIsNeverCompactInHeaderV2() throws {
        // Header v2 keeps the int16 length for client_id (KIP-482), then an empty tag section.
        var buffer = ByteBuffer()
        RequestHeader(apiKey: 18, apiVersion: 3, correlationId: 1, clientId: "ab").encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0, 18, 0, 3, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0])
    }

    @Test func apiKeyTableCoversTheImplementedApis() {
        #expect(ApiKey.allCases.count == 39)
        #expect(ApiKey.produce.validVersions == ProduceRequest.validVersions)
        #expect(ApiKey.fetch.firstFlexibleVersion == 12)
        #expect(ApiKey.saslHandshake.firstFlexibleVersion == nil)
        #expect(ApiKey.describeTopicPartitions.rawValue == 75)
        #expect(Set(ApiKey.allCases.map(\.rawValue)).count == ApiKey.allCases.count)
        for key in ApiKey.allCases {
            #expect(key.validVersions != nil, "\(key)")
            #expect(key.name != "Unknown")
        }
    }
}
