// Reading the registry's answers: JSON bodies into the client's value types, and error answers
// into `SchemaRegistryClientError`. Kept apart from the transport so tests can feed it the exact
// bytes a Confluent-compatible registry sends. Missing optional fields take Confluent's defaults
// (`schemaType` absent means AVRO, `references` absent means none); a missing required field is an
// `invalidResponse` error that names the field, never a crash.
import JSON
import NIOCore
import SchemaRegistry

enum RegistryResponseDecoding {
    /// Characters of a non-JSON error body quoted in an error message.
    static let quotedBodyCharactersMax = 300

    static func json(_ body: ByteBuffer, request: String) throws(SchemaRegistryClientError) -> JSONValue {
        do {
            return try JSONValue.parse(body.readableBytesView)
        } catch {
            throw invalid("the answer is not JSON (\(error.description)): \(quote(body))", request: request)
        }
    }

    /// The error an HTTP error status stands for: Confluent's `{"error_code", "message"}` when the
    /// body has it, else the status and whatever text came (a proxy's HTML page, say).
    static func registryError(status: Int, body: ByteBuffer, request: String) -> SchemaRegistryClientError {
        if let document = try? JSONValue.parse(body.readableBytesView),
            let code = document["error_code"].flatMap(integer)
        {
            let message = document["message"]?.stringValue ?? "(no message)"
            return SchemaRegistryClientError(
                kind: .registry, httpStatus: status, errorCode: .init(rawValue: code), message: message, request: request)
        }
        let text = quote(body)
        return SchemaRegistryClientError(
            kind: .registry, httpStatus: status, errorCode: nil,
            message: text.isEmpty ? "the registry answered HTTP \(status) without a body" : text, request: request)
    }

    static func invalid(_ message: String, request: String) -> SchemaRegistryClientError {
        SchemaRegistryClientError(kind: .invalidResponse, message: message, request: request)
    }

    static func quote(_ body: ByteBuffer) -> String {
        let text = String(decoding: body.readableBytesView.prefix(quotedBodyCharactersMax * 4), as: UTF8.self)
        let trimmed = text.trimmingWhitespace()
        return trimmed.count > quotedBodyCharactersMax ? String(trimmed.prefix(quotedBodyCharactersMax)) + "…" : trimmed
    }

    static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .integer(let number): return Int(exactly: number)
        case .number(let number): return Int(exactly: number)
        default: return nil
        }
    }

    // MARK: Fields

    /// Reads required and optional fields of one object, naming the field and the request on failure.
    struct Fields {
        let object: JSONObject
        let request: String
        let what: String

        init(_ value: JSONValue, what: String, request: String) throws(SchemaRegistryClientError) {
            guard let object = value.objectValue else {
                throw RegistryResponseDecoding.invalid("expected \(what) as a JSON object", request: request)
            }
            self.object = object
            self.request = request
            self.what = what
        }

        func integer(_ key: String) throws(SchemaRegistryClientError) -> Int {
            guard let value = object[key], let number = RegistryResponseDecoding.integer(value) else {
                throw missing(key, "an integer")
            }
            return number
        }

        func optionalInteger(_ key: String) throws(SchemaRegistryClientError) -> Int? {
            guard let value = object[key], value != .null else { return nil }
            guard let number = RegistryResponseDecoding.integer(value) else { throw missing(key, "an integer") }
            return number
        }

        func string(_ key: String) throws(SchemaRegistryClientError) -> String {
            guard let text = object[key]?.stringValue else { throw missing(key, "a string") }
            return text
        }

        func optionalString(_ key: String) throws(SchemaRegistryClientError) -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard let text = value.stringValue else { throw missing(key, "a string") }
            return text
        }

        func optionalBool(_ key: String) throws(SchemaRegistryClientError) -> Bool? {
            guard let value = object[key], value != .null else { return nil }
            guard let flag = value.boolValue else { throw missing(key, "true or false") }
            return flag
        }

        func missing(_ key: String, _ kind: String) -> SchemaRegistryClientError {
            RegistryResponseDecoding.invalid("\(what) has no \"\(key)\" field holding \(kind)", request: request)
        }
    }

    // MARK: Values

    static func schema(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> RegistrySchema {
        let fields = try Fields(value, what: "the schema", request: request)
        var references: [SchemaReference] = []
        if let list = fields.object["references"], list != .null {
            guard let items = list.arrayValue else { throw fields.missing("references", "an array") }
            for item in items {
                let reference = try Fields(item, what: "a schema reference", request: request)
                references.append(
                    SchemaReference(
                        name: try reference.string("name"), subject: try reference.string("subject"),
                        version: try reference.integer("version")))
            }
        }
        func present(_ key: String) -> JSONValue? {
            guard let field = fields.object[key], field != .null else { return nil }
            return field
        }
        return RegistrySchema(
            schema: try fields.string("schema"), schemaType: SchemaType(name: try fields.optionalString("schemaType")),
            references: references, metadata: present("metadata"), ruleSet: present("ruleSet"))
    }

    static func subjectSchema(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> SubjectSchema {
        let fields = try Fields(value, what: "the subject version", request: request)
        return SubjectSchema(
            subject: try fields.string("subject"), version: try fields.integer("version"), id: try fields.integer("id"),
            schema: try schema(value, request: request), isDeleted: try fields.optionalBool("deleted"))
    }

    static func registration(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> SchemaRegistration {
        let fields = try Fields(value, what: "the registration answer", request: request)
        return SchemaRegistration(id: try fields.integer("id"), version: try fields.optionalInteger("version"))
    }

    static func strings(_ value: JSONValue, what: String, request: String) throws(SchemaRegistryClientError) -> [String] {
        guard let items = value.arrayValue else { throw invalid("expected \(what) as a JSON array", request: request) }
        var result: [String] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let text = item.stringValue else { throw invalid("\(what) holds a non-string", request: request) }
            result.append(text)
        }
        return result
    }

    static func integers(_ value: JSONValue, what: String, request: String) throws(SchemaRegistryClientError) -> [Int] {
        guard let items = value.arrayValue else { throw invalid("expected \(what) as a JSON array", request: request) }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let number = integer(item) else { throw invalid("\(what) holds a non-integer", request: request) }
            result.append(number)
        }
        return result
    }

    static func subjectVersions(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> [SubjectVersion] {
        guard let items = value.arrayValue else { throw invalid("expected subject versions as a JSON array", request: request) }
        var result: [SubjectVersion] = []
        for item in items {
            let fields = try Fields(item, what: "a subject version", request: request)
            result.append(SubjectVersion(subject: try fields.string("subject"), version: try fields.integer("version")))
        }
        return result
    }

    static func compatibility(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> CompatibilityCheckResult {
        let fields = try Fields(value, what: "the compatibility answer", request: request)
        guard let isCompatible = try fields.optionalBool("is_compatible") else {
            throw fields.missing("is_compatible", "true or false")
        }
        var messages: [String] = []
        if let list = fields.object["messages"], list != .null {
            // Confluent sends strings; some registries send objects. Keep either as text.
            guard let items = list.arrayValue else { throw fields.missing("messages", "an array") }
            messages = items.map { $0.stringValue ?? $0.serialized() }
        }
        return CompatibilityCheckResult(isCompatible: isCompatible, messages: messages)
    }

    /// `GET /config` answers `compatibilityLevel`; `PUT /config` echoes `compatibility`. Accept both.
    static func config(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> RegistryConfig {
        let fields = try Fields(value, what: "the config", request: request)
        let levelName = try fields.optionalString("compatibilityLevel")
        let echoedName = try fields.optionalString("compatibility")
        guard let name = levelName ?? echoedName else {
            throw fields.missing("compatibilityLevel", "a compatibility level")
        }
        guard case .success(let level) = CompatibilityLevel.parse(name) else {
            throw invalid("the config names an unknown compatibility level \"\(name)\"", request: request)
        }
        return RegistryConfig(compatibilityLevel: level, normalize: try fields.optionalBool("normalize"))
    }

    static func mode(_ value: JSONValue, request: String) throws(SchemaRegistryClientError) -> RegistryMode {
        let fields = try Fields(value, what: "the mode", request: request)
        let name = try fields.string("mode")
        guard case .success(let mode) = RegistryMode.parse(name) else {
            throw invalid("the answer names an unknown mode \"\(name)\"", request: request)
        }
        return mode
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
