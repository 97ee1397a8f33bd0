// RegistryError: the errors the registry reports to clients, with Confluent Schema Registry's HTTP
// status, `error_code` and message formats (core/.../rest/exceptions/Errors.java), so clients that
// branch on `error_code` (40401, 40403, 409...) behave as they do against Confluent. Each case is
// a static factory so the HTTP layer only has to render `{"error_code":…,"message":…}`.

public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public let httpStatus: Int
    public let errorCode: Int
    public let message: String

    public init(httpStatus: Int, errorCode: Int, message: String) {
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
    }

    public var description: String { "\(errorCode): \(message)" }

    // MARK: 404

    public static func subjectNotFound(_ subject: String) -> RegistryError {
        RegistryError(httpStatus: 404, errorCode: 40401, message: "Subject '\(subject)' not found.")
    }
    public static func versionNotFound(_ version: Int) -> RegistryError {
        RegistryError(httpStatus: 404, errorCode: 40402, message: "Version \(version) not found.")
    }
    public static func schemaNotFound(_ detail: String = "") -> RegistryError {
        RegistryError(httpStatus: 404, errorCode: 40403, message: detail.isEmpty ? "Schema not found" : "Schema \(detail) not found")
    }
    public static func subjectSoftDeleted(_ subject: String) -> RegistryError {
        RegistryError(
            httpStatus: 404, errorCode: 40404,
            message: "Subject '\(subject)' was soft deleted.Set permanent=true to delete permanently")
    }
    public static func subjectNotSoftDeleted(_ subject: String) -> RegistryError {
        RegistryError(
            httpStatus: 404, errorCode: 40405,
            message: "Subject '\(subject)' was not deleted first before being permanently deleted")
    }
    public static func versionSoftDeleted(_ subject: String, _ version: Int) -> RegistryError {
        RegistryError(
            httpStatus: 404, errorCode: 40406,
            message: "Subject '\(subject)' Version \(version) was soft deleted.Set permanent=true to delete permanently")
    }
    public static func versionNotSoftDeleted(_ subject: String, _ version: Int) -> RegistryError {
        RegistryError(
            httpStatus: 404, errorCode: 40407,
            message: "Subject '\(subject)' Version \(version) was not deleted first before being permanently deleted")
    }
    public static func subjectCompatibilityNotConfigured(_ subject: String) -> RegistryError {
        RegistryError(
            httpStatus: 404, errorCode: 40408,
            message: "Subject '\(subject)' does not have subject-level compatibility configured")
    }
    public static func subjectModeNotConfigured(_ subject: String) -> RegistryError {
        RegistryError(
            httpStatus: 404, errorCode: 40409, message: "Subject '\(subject)' does not have subject-level mode configured")
    }

    // MARK: 409

    /// Confluent answered error_code 409 until PR #4032 (Dec 2025) and 40901 since; deployed
    /// clients (confluent-kafka-python, Java serdes ≤ 7.x) look at the HTTP status only, so we
    /// keep the long-standing 409.
    public static let incompatibleSchemaErrorCode = 409

    public static func incompatibleSchema(subject: String, details: [String]) -> RegistryError {
        RegistryError(
            httpStatus: 409, errorCode: incompatibleSchemaErrorCode,
            message: "Schema being registered is incompatible with an earlier schema for subject \"\(subject)\", details: [\(details.joined(separator: ", "))]")
    }

    // MARK: 422

    public static func invalidSchema(_ detail: String) -> RegistryError {
        RegistryError(httpStatus: 422, errorCode: 42201, message: "Invalid schema \(detail)")
    }
    public static func invalidVersion(_ version: String) -> RegistryError {
        RegistryError(
            httpStatus: 422, errorCode: 42202,
            message: "The specified version '\(version)' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")
    }
    public static func invalidCompatibilityLevel(_ level: String) -> RegistryError {
        RegistryError(
            httpStatus: 422, errorCode: 42203,
            message: "Invalid compatibility level '\(level)'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")
    }
    public static func invalidMode(_ mode: String) -> RegistryError {
        RegistryError(
            httpStatus: 422, errorCode: 42204,
            message: "Invalid mode '\(mode)'. Valid values are READWRITE, READONLY and IMPORT")
    }
    public static func operationNotPermitted(_ detail: String) -> RegistryError {
        RegistryError(httpStatus: 422, errorCode: 42205, message: detail)
    }
    public static func referenceExists(subject: String, version: Int) -> RegistryError {
        RegistryError(
            httpStatus: 422, errorCode: 42206,
            message: "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=\(subject),version=\(version)}.")
    }
    public static func idMismatch(id: Int, detail: String) -> RegistryError {
        RegistryError(httpStatus: 422, errorCode: 42207, message: "Schema id \(id) \(detail)")
    }
    public static func invalidSubject(_ subject: String) -> RegistryError {
        RegistryError(httpStatus: 422, errorCode: 42208, message: "The specified subject '\(subject)' is not valid.")
    }
    public static func schemaTooLarge(bytes: Int, maximumBytes: Int) -> RegistryError {
        RegistryError(
            httpStatus: 422, errorCode: 42209,
            message: "Schema of \(bytes) bytes exceeds the maximum schema size of \(maximumBytes) bytes")
    }

    // MARK: 500

    public static func storeError(_ detail: String) -> RegistryError {
        RegistryError(httpStatus: 500, errorCode: 50001, message: "Error in the backend data store - \(detail)")
    }
}
