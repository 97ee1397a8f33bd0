// SchemaRegistryClientError: the one error type of the registry client. A registry's own answer
// (`{"error_code": 40401, "message": "..."}` with an HTTP status) keeps the status, Confluent's
// error code and the message, so callers branch on `errorCode == .subjectNotFound` exactly as
// Confluent's clients do; transport failures (refused, closed, timed out, unreadable answers)
// are kinds of the same type, so one `catch` sees everything that can go wrong.

public struct SchemaRegistryClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed: the registry said no, or the exchange itself failed.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The registry answered with an HTTP error status (see `httpStatus` and `errorCode`).
        public static let registry = Kind(rawValue: "registry")
        /// No TCP connection could be opened (refused, unknown host, connect timeout).
        public static let connectionFailed = Kind(rawValue: "connectionFailed")
        /// The registry closed the connection before answering.
        public static let connectionClosed = Kind(rawValue: "connectionClosed")
        /// No complete answer within the request timeout.
        public static let timedOut = Kind(rawValue: "timedOut")
        /// The answer was not what the Confluent API promises (not JSON, missing fields, too large).
        public static let invalidResponse = Kind(rawValue: "invalidResponse")
        /// The client was configured with something unusable (bad URL, unsupported scheme).
        public static let invalidConfiguration = Kind(rawValue: "invalidConfiguration")
        /// The client was shut down before the request could run.
        public static let shutDown = Kind(rawValue: "shutDown")
    }

    /// Confluent's `error_code` values (core/.../rest/exceptions/Errors.java); an extensible
    /// struct so codes a newer registry invents still round-trip.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public var description: String { String(rawValue) }

        public static let subjectNotFound = Code(rawValue: 40401)
        public static let versionNotFound = Code(rawValue: 40402)
        public static let schemaNotFound = Code(rawValue: 40403)
        public static let subjectSoftDeleted = Code(rawValue: 40404)
        public static let subjectNotSoftDeleted = Code(rawValue: 40405)
        public static let versionSoftDeleted = Code(rawValue: 40406)
        public static let versionNotSoftDeleted = Code(rawValue: 40407)
        public static let subjectCompatibilityNotConfigured = Code(rawValue: 40408)
        public static let subjectModeNotConfigured = Code(rawValue: 40409)
        /// Confluent answered 409 until late 2025 and 40901 since; `isIncompatibleSchema` accepts both.
        public static let incompatibleSchemaLegacy = Code(rawValue: 409)
        public static let incompatibleSchema = Code(rawValue: 40901)
        public static let invalidSchema = Code(rawValue: 42201)
        public static let invalidVersion = Code(rawValue: 42202)
        public static let invalidCompatibilityLevel = Code(rawValue: 42203)
        public static let invalidMode = Code(rawValue: 42204)
        public static let operationNotPermitted = Code(rawValue: 42205)
        public static let referenceExists = Code(rawValue: 42206)
        public static let idMismatch = Code(rawValue: 42207)
        public static let invalidSubject = Code(rawValue: 42208)
        public static let schemaTooLarge = Code(rawValue: 42209)
        public static let storeError = Code(rawValue: 50001)
        public static let operationTimeout = Code(rawValue: 50002)
        public static let forwardingFailed = Code(rawValue: 50003)
        public static let unknownLeader = Code(rawValue: 50004)
    }

    public var kind: Kind
    /// The HTTP status of the registry's answer; nil for transport failures.
    public var httpStatus: Int?
    /// Confluent's `error_code` from the answer's body; nil when there was none.
    public var errorCode: Code?
    /// The registry's message, or a sentence describing the transport failure.
    public var message: String
    /// The request that failed, as "GET /subjects/x/versions", for messages and logs.
    public var request: String?

    public init(kind: Kind, httpStatus: Int? = nil, errorCode: Code? = nil, message: String, request: String? = nil) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.request = request
    }

    public var description: String {
        var text = ""
        if let request { text += "\(request): " }
        if let httpStatus { text += "HTTP \(httpStatus)" + (errorCode.map { " error \($0.rawValue)" } ?? "") + ": " }
        else if kind != .registry { text += "\(kind): " }
        return text + message
    }

    /// True for a refusal under the subject's compatibility level (HTTP 409, code 409 or 40901).
    public var isIncompatibleSchema: Bool {
        httpStatus == 409 || errorCode == .incompatibleSchema || errorCode == .incompatibleSchemaLegacy
    }

    /// True when trying again later may succeed: connection trouble, timeouts and the HTTP
    /// statuses confluent-kafka-python retries (408, 429, 500, 502, 503, 504).
    public var isRetriable: Bool {
        switch kind {
        case .connectionFailed, .connectionClosed, .timedOut: return true
        case .registry: return httpStatus.map(Self.retriableStatuses.contains) ?? false
        default: return false
        }
    }

    static let retriableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]
}
