// ParsedSchema: turns submitted schema text into the form the registry stores and compares.
// Identity is the stored text: for Avro, Avro-Java's Schema.toString() form (`canonicalString`;
// `normalizedString` with normalize=true); for JSON Schema, the compact JSON text in document
// order. References are resolved through the referenced subjects' versions: JSON `$ref`s by
// reference name, Avro named types by parsing the referenced schemas in front of the main one.
import Avro
import JSONSchema

/// A referenced schema's text, in dependency order (dependencies before their users).
struct ResolvedDependency: Sendable {
    let name: String
    let type: SchemaType
    let text: String
}

struct ParsedSchema: Sendable {
    let type: SchemaType
    /// The text to store and the basis of identity.
    let canonicalText: String
    /// Avro: the parsed schema; with references, a union `[dependencies..., main]` so the
    /// compatibility checker sees the referenced named types (records match by name inside it).
    let avro: AvroSchema?
    let json: JSONValue?
    /// JSON Schema documents of the references, by reference name.
    let jsonDependencies: [String: JSONValue]

    static func parse(_ text: String, type: SchemaType, normalize: Bool, dependencies: [ResolvedDependency])
        -> Result<ParsedSchema, RegistryError>
    {
        switch type {
        case .avro: return parseAvro(text, normalize: normalize, dependencies: dependencies)
        case .json: return parseJSON(text, dependencies: dependencies)
        default: return .failure(.invalidSchema("of type \(type.rawValue): unsupported schema type (supported: AVRO, JSON)"))
        }
    }

    private static func parseAvro(_ text: String, normalize: Bool, dependencies: [ResolvedDependency])
        -> Result<ParsedSchema, RegistryError>
    {
        let avroDependencies = dependencies.filter { $0.type == .avro }
        if avroDependencies.isEmpty {
            do {
                let schema = try AvroSchema.parse(text)
                let stored = normalize ? schema.normalizedString : schema.canonicalString
                return .success(ParsedSchema(type: .avro, canonicalText: stored, avro: schema, json: nil, jsonDependencies: [:]))
            } catch {
                return .failure(.invalidSchema("\(error.description)"))
            }
        }
        // Avro's parser has no "already known names" input, so the referenced definitions are
        // parsed in one document ahead of the main schema. A union cannot hold a union, so the
        // main schema must not be one itself.
        let trimmed = text.drop { $0.isWhitespace }
        guard !trimmed.hasPrefix("[") else {
            return .failure(.invalidSchema("with references: a top-level union cannot use references"))
        }
        let combined = "[" + (avroDependencies.map(\.text) + [text]).joined(separator: ",") + "]"
        do {
            let schema = try AvroSchema.parse(combined)
            // The stored text of a schema with references is its compact JSON: the canonical
            // writer would inline the referenced definitions.
            guard let document = try? JSONValue.parse(text) else { return .failure(.invalidSchema("is not JSON")) }
            return .success(ParsedSchema(
                type: .avro, canonicalText: document.serialized(), avro: schema, json: nil, jsonDependencies: [:]))
        } catch {
            return .failure(.invalidSchema("\(error.description)"))
        }
    }

    private static func parseJSON(_ text: String, dependencies: [ResolvedDependency]) -> Result<ParsedSchema, RegistryError> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            return .failure(.invalidSchema("\(error.description)"))
        }
        switch document {
        case .object, .bool: break
        default: return .failure(.invalidSchema("a JSON Schema must be an object or a boolean"))
        }
        var documents: [String: JSONValue] = [:]
        for dependency in dependencies where dependency.type == .json {
            guard let parsed = try? JSONValue.parse(dependency.text) else {
                return .failure(.invalidSchema("reference '\(dependency.name)' is not JSON"))
            }
            documents[dependency.name] = parsed
        }
        do {
            _ = try JSONSchemaValidator(schema: document, remotes: Self.remotes(documents))
        } catch {
            return .failure(.invalidSchema("\(error.description)"))
        }
        return .success(ParsedSchema(
            type: .json, canonicalText: document.serialized(), avro: nil, json: document, jsonDependencies: documents))
    }

    /// `$ref` loader: a reference's name may appear as the whole URI or as its last segments.
    static func remotes(_ documents: [String: JSONValue]) -> @Sendable (String) throws -> JSONValue? {
        { uri in
            let withoutFragment = uri.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
            if let exact = documents[withoutFragment] { return exact }
            return documents.first { withoutFragment.hasSuffix("/" + $0.key) || withoutFragment.hasSuffix(":" + $0.key) }?.value
        }
    }
}
