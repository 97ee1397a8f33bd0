// What every `brook schema` command that talks to a registry shares: the `--registry` and
// `--output` options, running a body with a client that is always shut down, the exit statuses,
// choosing subjects (TopicNameStrategy) and schema files, and turning a registry client error into
// one sentence that says what to fix.
//
// Exit statuses of the registry commands: 0 done; 1 the registry refused (or, for `check`, the
// schema is incompatible); 2 a usage or I/O problem (a file that cannot be read, a registry that
// cannot be reached, an answer that cannot be understood).
import ArgumentParser
import Foundation
import JSONSchema
import SchemaRegistry
import SchemaRegistryClient

enum RegistryOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table
    case json

    init?(argument: String) {
        switch argument.lowercased() {
        case "table", "text": self = .table
        case "json": self = .json
        default: return nil
        }
    }
}

struct RegistryOptions: ParsableArguments {
    static let defaultURL = "http://127.0.0.1:8081"

    @Option(
        name: .customLong("registry"),
        help: "Schema registry URL (default: $BROOK_REGISTRY_URL, else \(RegistryOptions.defaultURL)).")
    var registryURL: String?

    @Option(help: "table or json.") var output: RegistryOutputFormat = .table

    @Option(name: .customLong("request-timeout-ms"), help: "How long to wait for each registry answer.")
    var requestTimeoutMilliseconds: Int64 = 30_000

    func validate() throws {
        guard requestTimeoutMilliseconds > 0 else { throw ValidationError("--request-timeout-ms must be positive") }
        do {
            _ = try SchemaRegistryEndpoint(url: effectiveURL)
        } catch {
            throw ValidationError(error.message)
        }
    }

    var effectiveURL: String {
        registryURL ?? ProcessInfo.processInfo.environment["BROOK_REGISTRY_URL"] ?? Self.defaultURL
    }

    func makeClient() throws(SchemaRegistryClientError) -> SchemaRegistryClient {
        var configuration = try SchemaRegistryClientConfiguration(url: effectiveURL)
        configuration.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        configuration.userAgent = "brook-cli"
        return try SchemaRegistryClient(configuration: configuration)
    }
}

/// A registry command's failure: the sentence to print and the exit status.
struct RegistryCommandFailure: Error {
    var message: String
    var status: SchemaExitStatus

    init(_ message: String, status: SchemaExitStatus = .unusableInput) {
        self.message = message
        self.status = status
    }
}

/// Runs `body` with a client for `options`, shuts the client down, and prints any failure as
/// `Error: <what to fix>`; returns the exit status.
func runRegistryCommand(
    _ options: RegistryOptions, output: SchemaCommandOutput,
    _ body: (SchemaRegistryClient) async throws -> SchemaExitStatus
) async -> SchemaExitStatus {
    let client: SchemaRegistryClient
    do {
        client = try options.makeClient()
    } catch {
        output.error("Error: \(error.message)")
        return .unusableInput
    }
    let status: SchemaExitStatus
    do {
        status = try await body(client)
    } catch let failure as RegistryCommandFailure {
        output.error("Error: \(failure.message)")
        status = failure.status
    } catch let error as SchemaRegistryClientError {
        output.error("Error: \(registryAdvice(for: error, registryURL: options.effectiveURL))")
        status = error.kind == .registry ? .failed : .unusableInput
    } catch let error as SchemaInputError {
        output.error("Error: \(error.description)")
        status = .unusableInput
    } catch {
        output.error("Error: \(error)")
        status = .unusableInput
    }
    await client.shutdown()
    return status
}

/// One sentence: what the registry said (or why it could not be asked) and what to do next.
func registryAdvice(for error: SchemaRegistryClientError, registryURL: String) -> String {
    switch error.kind {
    case .connectionFailed:
        return "\(error.message). Is a registry running there? Start one with `brook serve`, or point --registry (or BROOK_REGISTRY_URL) at it."
    case .connectionClosed:
        return "\(error.message). Check the registry's log, then try again."
    case .timedOut:
        return "\(error.message). Raise --request-timeout-ms if the registry is busy."
    case .invalidResponse:
        return "\(error.description). Is \(registryURL) a Confluent-compatible schema registry?"
    case .invalidConfiguration:
        return error.message
    case .registry:
        break
    default:
        return error.description
    }
    let hint: String
    switch error.errorCode {
    case .subjectNotFound?: hint = "List subjects with `brook schema list`."
    case .versionNotFound?: hint = "List the subject's versions with `brook schema versions SUBJECT`."
    case .schemaNotFound?: hint = "Check the id, or look the schema up by subject with `brook schema get --subject S`."
    case .subjectSoftDeleted?, .versionSoftDeleted?:
        hint = "It is already soft-deleted; add --permanent to remove it for good."
    case .subjectNotSoftDeleted?, .versionNotSoftDeleted?:
        hint = "Delete it without --permanent first (a soft delete), then again with --permanent."
    case .subjectCompatibilityNotConfigured?, .subjectModeNotConfigured?:
        hint = "The subject follows the global setting; leave out --subject to see it."
    case .invalidSchema?: hint = "Fix the schema (run `brook schema validate` on it) and try again."
    case .invalidVersion?: hint = "Versions are numbers from 1, or `latest`."
    case .invalidCompatibilityLevel?:
        hint = "Use NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE."
    case .invalidMode?: hint = "Use READWRITE, READONLY or IMPORT."
    case .operationNotPermitted?:
        hint = "Check the registry's mode with `brook schema mode` (READONLY refuses writes; IMPORT on a non-empty registry needs --force)."
    case .referenceExists?: hint = "Delete the schemas that reference it first (see `brook schema get` … referencedby)."
    case .schemaTooLarge?: hint = "Split the schema or raise the registry's schema size limit."
    default:
        if error.isIncompatibleSchema {
            hint = "Make the change compatible (see `brook schema check FILE --subject S`) or change the level with `brook schema config`."
        } else if error.isRetriable {
            hint = "This is usually temporary; try again."
        } else {
            hint = ""
        }
    }
    let code = error.errorCode.map { " (error \($0.rawValue))" } ?? " (HTTP \(error.httpStatus ?? 0))"
    return "\(error.message)\(code). \(hint)".trimmingTrailingSpace()
}

// MARK: Subjects and schema files

/// How a command names the subject of a schema file: an explicit `--subject`, or Confluent's
/// TopicNameStrategy (`<topic>-value`, `<topic>-key`) for `--topic`, or for the file's own base
/// name when neither is given (so `schemas/orders.avsc` registers under `orders-value`).
struct SubjectOptions: ParsableArguments {
    @Option(help: "The subject to use.") var subject: String?
    @Option(help: "Name the subject after this topic: <topic>-value, or <topic>-key with --key.") var topic: String?
    @Flag(help: "With --topic (or a file-named topic): the key subject <topic>-key instead of <topic>-value.")
    var key = false

    func validate() throws {
        if subject != nil && topic != nil { throw ValidationError("give --subject or --topic, not both") }
        if subject != nil && key { throw ValidationError("--key names the key subject of a topic; use it with --topic, not --subject") }
        if let subject, subject.isEmpty { throw ValidationError("--subject must not be empty") }
        if let topic, topic.isEmpty { throw ValidationError("--topic must not be empty") }
    }

    /// The subject for `file`, or nil when the command must be told explicitly.
    func subject(for file: String?) -> String? {
        if let subject { return subject }
        let topicName = topic ?? file.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        guard let topicName, !topicName.isEmpty else { return nil }
        return "\(topicName)-\(key ? "key" : "value")"
    }
}

enum RegistrySchemaFiles {
    /// Schema files taken from one directory at most; more is almost certainly the wrong directory.
    static let directoryFilesMax = 10_000

    /// The files named, with each directory replaced by the schema files (`.avsc`, `.json`) under
    /// it, sorted by path so versions register in a stable order.
    static func expand(_ paths: [String]) throws(SchemaInputError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SchemaInputError("cannot read \(path): no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            guard let walker = FileManager.default.enumerator(atPath: path) else {
                throw SchemaInputError("cannot list \(path): check its permissions")
            }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let fileExtension = (relative as NSString).pathExtension.lowercased()
                guard fileExtension == "avsc" || fileExtension == "json" else { continue }
                found.append((path as NSString).appendingPathComponent(relative))
                guard found.count <= directoryFilesMax else {
                    throw SchemaInputError("\(path) holds more than \(directoryFilesMax) schema files; name a smaller directory")
                }
            }
            guard !found.isEmpty else { throw SchemaInputError("\(path) holds no .avsc or .json schema files") }
            files += found.sorted()
        }
        return files
    }

    /// The file as a registry schema: its text, and AVRO or JSON from the extension (or `--type`).
    /// The text must at least be JSON, so a truncated file is caught here with its name; the
    /// registry judges the rest (it can resolve references this machine cannot).
    static func load(_ path: String, type: SchemaKind?) throws(SchemaInputError) -> RegistrySchema {
        let kind = try SchemaKind.of(path: path, explicit: type)
        let text = try SchemaFiles.readText(path)
        do {
            _ = try JSONValue.parse(text)
        } catch {
            throw SchemaInputError("\(path) is not JSON: \(error.description)")
        }
        return RegistrySchema(schema: text, schemaType: kind == .avro ? .avro : .json)
    }
}

extension VersionSelector: ExpressibleByArgument {
    public init?(argument: String) {
        guard case .success(let selector) = VersionSelector.parse(argument) else { return nil }
        self = selector
    }

    var text: String {
        switch self {
        case .latest: return "latest"
        case .number(let number): return String(number)
        }
    }
}
