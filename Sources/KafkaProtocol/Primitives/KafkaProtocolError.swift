// The one error type the wire codec throws.
//
// Every decoding failure says what was being read (a dotted field path such as
// "ProduceRequest.TopicProduceData.name") so a broker log line points at the byte that was wrong.
// Encoding never throws: values we build ourselves are always encodable.

public enum KafkaProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The buffer ended before `what` was complete.
    case truncated(what: String)
    /// A length or count prefix was negative where null is not allowed, or larger than what remains.
    case invalidLength(what: String, length: Int)
    /// A string's bytes were not valid UTF-8.
    case invalidUTF8(what: String)
    /// The API exists but this version is outside its valid versions.
    case unsupportedVersion(apiKey: Int16, version: Int16)
    /// No API with this key is known to the codec.
    case unknownApiKey(Int16)
    /// A varint ran past its maximum number of bytes (5 for 32 bits, 10 for 64 bits).
    case varintTooLong(what: String)

    public var description: String {
        switch self {
        case .truncated(let what):
            return "truncated input while reading \(what)"
        case .invalidLength(let what, let length):
            return "invalid length \(length) for \(what)"
        case .invalidUTF8(let what):
            return "invalid UTF-8 in \(what)"
        case .unsupportedVersion(let apiKey, let version):
            return "unsupported version \(version) of \(ApiKey(rawValue: apiKey))"
        case .unknownApiKey(let apiKey):
            return "unknown API key \(apiKey)"
        case .varintTooLong(let what):
            return "varint too long while reading \(what)"
        }
    }
}
