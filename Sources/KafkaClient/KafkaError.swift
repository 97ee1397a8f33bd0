// The one error type every KafkaClient API throws.
//
// A `KafkaError` is a value users can act on: `kind` says which layer failed (the broker answered
// with an error code, the connection broke, a request timed out, the caller passed bad input),
// `code` carries the broker's Kafka error code when there is one, and `context` says what the
// client was doing ("creating topic orders", "fetching orders-0 at offset 42"). `isRetriable`
// tells retry loops whether trying the same request again can succeed.
import KafkaProtocol

public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// Which layer failed. Extensible: new kinds can be added without breaking callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The broker answered with a non-zero error code (see `code`).
        public static let broker = Kind("broker")
        /// No TCP connection could be opened to any address tried.
        public static let connectionFailed = Kind("connectionFailed")
        /// The connection closed while requests were waiting for answers.
        public static let connectionClosed = Kind("connectionClosed")
        /// No answer arrived within the request timeout.
        public static let timedOut = Kind("timedOut")
        /// The peer sent bytes that do not follow the Kafka protocol.
        public static let protocolViolation = Kind("protocolViolation")
        /// The broker does not support any version of an API this client can speak.
        public static let unsupportedVersion = Kind("unsupportedVersion")
        /// The caller passed a value the client cannot use (bad topic name, negative partition, ...).
        public static let invalidArgument = Kind("invalidArgument")
        /// Metadata did not name a leader, topic or partition the client needs.
        public static let metadataUnavailable = Kind("metadataUnavailable")
        /// The client was shut down while the operation was pending.
        public static let shutDown = Kind("shutDown")

        public var description: String { name }
    }

    public var kind: Kind
    /// The Kafka error code for `.broker` errors; nil for client-side failures.
    public var code: ErrorCode?
    /// What the client was doing, in words (e.g. "creating topic orders").
    public var context: String
    /// Extra detail from the broker (an ErrorMessage field) or the underlying failure.
    public var detail: String?

    /// Whether sending the same request again (after a metadata refresh) can succeed.
    /// Follows Kafka's retriable codes and the kind unless a caller knows better.
    public var isRetriable: Bool

    public init(kind: Kind, code: ErrorCode? = nil, context: String, detail: String? = nil, isRetriable: Bool? = nil) {
        self.kind = kind
        self.code = code
        self.context = context
        self.detail = detail
        self.isRetriable = isRetriable ?? Self.defaultRetriable(kind: kind, code: code)
    }

    /// A broker error code turned into an error, or nil when `code` is NONE.
    public static func broker(_ code: ErrorCode, context: String, detail: String? = nil) -> KafkaError? {
        code == .none ? nil : KafkaError(kind: .broker, code: code, context: context, detail: detail)
    }

    static func defaultRetriable(kind: Kind, code: ErrorCode?) -> Bool {
        switch kind {
        case .broker: return code?.isRetriable ?? false
        case .connectionFailed, .connectionClosed, .timedOut, .metadataUnavailable: return true
        default: return false
        }
    }

    public var description: String {
        var text = context
        if let code {
            text += ": \(code)"
        } else {
            text += ": \(kind)"
        }
        if let detail, !detail.isEmpty {
            text += " (\(detail))"
        }
        return text
    }
}

extension KafkaError {
    /// The Kafka protocol error code: an extensible struct with a static member per code
    /// (`KafkaError.Code.unknownTopicOrPartition`), so new codes break no one's `switch`.
    public typealias Code = ErrorCode
}
