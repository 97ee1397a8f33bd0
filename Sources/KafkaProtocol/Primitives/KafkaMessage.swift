// The protocols every generated message conforms to.
//
// A message struct represents all versions of one Kafka message: `encode` writes the fields
// present in the given version and `init(from:version:)` reads them, leaving absent fields at
// their defaults. Headers are not part of the message (see RequestHeader / ResponseHeader).
import NIOCore

public protocol KafkaMessage: Sendable {
    /// Decodes the body for `version`. Bytes after the last field are left unread.
    init(from buffer: inout ByteBuffer, version: Int16) throws
    /// Encodes the body for `version`; fields absent from that version are skipped.
    func encode(into buffer: inout ByteBuffer, version: Int16)
    /// Versions this codec can read and write.
    static var validVersions: ClosedRange<Int16> { get }
    /// Versions using compact types and tagged fields, or nil if none.
    static var flexibleVersions: PartialRangeFrom<Int16>? { get }
}

extension KafkaMessage {
    /// Whether `version` is a flexible (compact, tagged) version of this message.
    public static func isFlexible(version: Int16) -> Bool {
        flexibleVersions?.contains(version) ?? false
    }
}

public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaResponse
    static var apiKey: ApiKey { get }
}

public protocol KafkaResponse: KafkaMessage {
    static var apiKey: ApiKey { get }
}
