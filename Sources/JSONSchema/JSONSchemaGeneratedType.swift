// The runtime side of `brook codegen` for JSON Schema: generated Codable types carry the schema
// they came from, so a serializer can validate a value's JSON with JSONSchemaValidator before
// sending it (the Codable conformance itself is the shape, not the full set of constraints).

public protocol JSONSchemaGeneratedType: Sendable, Equatable, Codable {
    /// The schema document (compact JSON) the type was generated from.
    static var jsonSchemaText: String { get }
}

extension JSONSchemaGeneratedType {
    /// The parsed schema document.
    public static func jsonSchemaDocument() throws(SchemaError) -> JSONValue {
        do {
            return try JSONValue.parse(jsonSchemaText)
        } catch {
            throw SchemaError.invalidDocument(uri: JSONSchemaValidator.defaultBaseURI, reason: "\(error)")
        }
    }

    /// A validator for the type's schema; build it once and reuse it (compiling costs more than validating).
    public static func makeValidator(formatAssertion: Bool = false) throws(SchemaError) -> JSONSchemaValidator {
        try JSONSchemaValidator(schema: jsonSchemaDocument(), formatAssertion: formatAssertion)
    }
}
