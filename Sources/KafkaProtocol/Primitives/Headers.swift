// Request and response headers, whose versions follow from the API and its version rather than
// from anything on the wire.
//
// Request header v1 is api key, api version, correlation id and an int16-length nullable client
// id; v2 (flexible API versions) appends a tagged-field section. The client id is never a compact
// string, even in v2. ControlledShutdown v0 alone uses header v0 (no client id). Response header
// v0 is just the correlation id; v1 (flexible versions) appends tagged fields — except for
// ApiVersions, whose response header is always v0 so that a client that does not yet know the
// broker's versions can parse the answer.
import NIOCore

extension ApiKey {
    /// ControlledShutdown, the only API whose v0 request uses header v0.
    static let controlledShutdownRawValue: Int16 = 7

    /// Request header version (0, 1 or 2) for a request of this API at `apiVersion`.
    /// Unknown APIs are assumed to use v1, which still yields the correlation id and client id.
    public func requestHeaderVersion(apiVersion: Int16) -> Int16 {
        if rawValue == Self.controlledShutdownRawValue && apiVersion == 0 { return 0 }
        guard let firstFlexible = firstFlexibleRequestVersion else { return 1 }
        return apiVersion >= firstFlexible ? 2 : 1
    }

    /// Response header version (0 or 1) for a response of this API at `apiVersion`.
    public func responseHeaderVersion(apiVersion: Int16) -> Int16 {
        if self == .apiVersions { return 0 }
        guard let firstFlexible = firstFlexibleRequestVersion else { return 0 }
        return apiVersion >= firstFlexible ? 1 : 0
    }
}

public struct RequestHeader: Sendable, Equatable {
    public var apiKey: Int16
    public var apiVersion: Int16
    public var correlationId: Int32
    /// Null when the client sent none (and always in header v0).
    public var clientId: String?
    /// Header tagged fields (v2), kept for round-trips.
    public var unknownTaggedFields: [TaggedField]

    public init(
        apiKey: Int16, apiVersion: Int16, correlationId: Int32, clientId: String?,
        unknownTaggedFields: [TaggedField] = []
    ) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
        self.unknownTaggedFields = unknownTaggedFields
    }

    /// The header version this request uses (0, 1 or 2).
    public var headerVersion: Int16 {
        ApiKey(rawValue: apiKey).requestHeaderVersion(apiVersion: apiVersion)
    }

    /// Reads a request header from the start of a frame body (after the int32 size prefix).
    /// The api key need not be known: the broker still needs the correlation id to answer.
    public static func decode(from buffer: inout ByteBuffer) throws -> RequestHeader {
        let apiKey = try buffer.readKafkaInteger(as: Int16.self, what: "RequestHeader.apiKey")
        let apiVersion = try buffer.readKafkaInteger(as: Int16.self, what: "RequestHeader.apiVersion")
        let correlationId = try buffer.readKafkaInteger(as: Int32.self, what: "RequestHeader.correlationId")
        var header = RequestHeader(apiKey: apiKey, apiVersion: apiVersion, correlationId: correlationId, clientId: nil)
        let version = header.headerVersion
        if version >= 1 {
            header.clientId = try buffer.readKafkaNullableString(compact: false, what: "RequestHeader.clientId")
        }
        if version >= 2 {
            header.unknownTaggedFields = try buffer.readKafkaUnknownTaggedFields(what: "RequestHeader.taggedFields")
        }
        return header
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(apiKey)
        buffer.writeInteger(apiVersion)
        buffer.writeInteger(correlationId)
        let version = headerVersion
        if version >= 1 {
            buffer.writeKafkaNullableString(clientId, compact: false)
        }
        if version >= 2 {
            buffer.writeUnsignedVarint(UInt32(truncatingIfNeeded: unknownTaggedFields.count))
            buffer.writeKafkaTaggedFields(unknownTaggedFields)
        }
    }
}

public struct ResponseHeader: Sendable, Equatable {
    public var correlationId: Int32
    /// Header tagged fields (v1), kept for round-trips.
    public var unknownTaggedFields: [TaggedField]

    public init(correlationId: Int32, unknownTaggedFields: [TaggedField] = []) {
        self.correlationId = correlationId
        self.unknownTaggedFields = unknownTaggedFields
    }

    /// Writes the response header for a response of `apiKey` at `apiVersion`.
    public static func encode(correlationId: Int32, apiKey: ApiKey, apiVersion: Int16, into buffer: inout ByteBuffer) {
        buffer.writeInteger(correlationId)
        if apiKey.responseHeaderVersion(apiVersion: apiVersion) >= 1 {
            // An empty tagged-field section.
            buffer.writeInteger(0, as: UInt8.self)
        }
    }

    /// Same as above, for a raw api key taken from a request header.
    public static func encode(correlationId: Int32, apiKey: Int16, apiVersion: Int16, into buffer: inout ByteBuffer) {
        encode(correlationId: correlationId, apiKey: ApiKey(rawValue: apiKey), apiVersion: apiVersion, into: &buffer)
    }

    /// Reads a response header (client side), given the request it answers.
    public static func decode(from buffer: inout ByteBuffer, apiKey: ApiKey, apiVersion: Int16) throws -> ResponseHeader {
        let correlationId = try buffer.readKafkaInteger(as: Int32.self, what: "ResponseHeader.correlationId")
        var header = ResponseHeader(correlationId: correlationId)
        if apiKey.responseHeaderVersion(apiVersion: apiVersion) >= 1 {
            header.unknownTaggedFields = try buffer.readKafkaUnknownTaggedFields(what: "ResponseHeader.taggedFields")
        }
        return header
    }
}
