// JSONSchemaValidator: the public entry point. A schema is compiled once (references resolved,
// patterns compiled, remote documents loaded through the caller's resolver) and can then
// validate any number of instances, from any thread.

public final class JSONSchemaValidator: @unchecked Sendable {
    // Unchecked because the compiled node graph is made of classes; it is never mutated after
    // init returns, so sharing it between threads is safe.
    private let root: SchemaNode
    private let dynamicAnchors: [Int: [String: SchemaNode]]
    private let tracksScope: Bool
    /// The draft used for the root schema (from `$schema`, the `draft` argument, or 2020-12).
    public let draft: Draft

    /// Base URI given to a root schema that has no `$id`.
    public static let defaultBaseURI = "urn:brook:schema:root"

    /// - Parameters:
    ///   - schema: the schema document.
    ///   - draft: the draft to assume when the schema has no recognizable `$schema`.
    ///   - baseURI: the URI the schema was retrieved from (relative `$id`s resolve against it).
    ///   - formatAssertion: check `format` values instead of treating them as annotations.
    ///   - remotes: loads documents for `$ref`s outside the schema (nil when unknown). Called
    ///     only during init. The draft-07 and 2020-12 meta-schemas are built in.
    public init(
        schema: JSONValue, draft: Draft? = nil, baseURI: String = JSONSchemaValidator.defaultBaseURI,
        formatAssertion: Bool = false, remotes: @escaping (String) throws -> JSONValue? = { _ in nil }
    ) throws(SchemaError) {
        var effectiveDraft = draft ?? .draft2020_12
        if case .string(let uri)? = schema["$schema"], let declared = Draft(schemaURI: uri) { effectiveDraft = declared }
        let compiler = SchemaCompiler(resolver: remotes, formatAssertion: formatAssertion)
        root = try compiler.compileRoot(schema, retrievalURI: baseURI, draft: effectiveDraft)
        dynamicAnchors = try compiler.dynamicAnchorTable()
        tracksScope = compiler.usesDynamicScope
        self.draft = effectiveDraft
    }

    /// All reasons (up to a limit) the instance is invalid; empty when it is valid.
    public func validate(_ instance: JSONValue) -> [ValidationError] {
        var evaluation = Evaluation(dynamicAnchors: dynamicAnchors, tracksScope: tracksScope, wantErrors: true)
        var none: Annotations?
        if evaluation.evaluate(root, instance, &none) { return [] }
        if evaluation.errors.isEmpty {
            return [ValidationError(
                instancePath: "", keyword: "schema", schemaLocation: root.location, message: "value is invalid")]
        }
        return evaluation.errors
    }

    /// True when the instance is valid; faster than `validate` because it stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluation = Evaluation(dynamicAnchors: dynamicAnchors, tracksScope: tracksScope, wantErrors: false)
        var none: Annotations?
        return evaluation.evaluate(root, instance, &none)
    }
}

extension JSONSchemaValidator {
    private static let draft7MetaSchemaValidator = Result { () throws(SchemaError) -> JSONSchemaValidator in
        try JSONSchemaValidator(schema: .object(JSONObject([("$ref", .string(Draft.draft7.rawValue + "#"))])))
    }
    private static let draft2020MetaSchemaValidator = Result { () throws(SchemaError) -> JSONSchemaValidator in
        try JSONSchemaValidator(schema: .object(JSONObject([("$ref", .string(Draft.draft2020_12.rawValue))])))
    }

    /// Checks a schema document against its draft's meta-schema (built in for draft-07 and
    /// 2020-12), e.g. before a registry accepts it. The draft comes from `$schema`, else `draft`,
    /// else 2020-12. Throws `unknownMetaSchema` for drafts whose meta-schema is not built in.
    public static func metaSchemaErrors(for schema: JSONValue, draft: Draft? = nil) throws(SchemaError) -> [ValidationError] {
        var effective = draft ?? .draft2020_12
        if case .string(let uri)? = schema["$schema"], let declared = Draft(schemaURI: uri) { effective = declared }
        switch effective {
        case .draft7: return try draft7MetaSchemaValidator.get().validate(schema)
        case .draft2020_12: return try draft2020MetaSchemaValidator.get().validate(schema)
        case .draft2019_09: throw SchemaError.unknownMetaSchema(effective.rawValue)
        }
    }
}
