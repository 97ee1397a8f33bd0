// DiffModel: the shape of a schema as the compatibility checker sees it. Confluent's checker
// works on Everit schema objects, where one JSON object becomes one typed schema (string, number,
// object, array, enum, const, combined, not, ...) or, when several apply, a synthetic allOf of
// them; a `type` array becomes an anyOf of typed schemas. This file builds that model from JSON so
// the diff rules (SchemaDiff.swift) can be stated the same way Confluent states them.

final class DiffSchema {
    enum Kind: Equatable {
        case empty, falseSchema, string, number, boolean, null, object, array
        case enumeration, constant, combined, not, conditional, reference
    }

    enum Criterion: String {
        case allOf, anyOf, oneOf
    }

    let kind: Kind
    /// Serialized source plus kind, used to collapse duplicate subschemas of a combined schema.
    let canonical: String

    var id: String?
    var title: String?
    var schemaDescription: String?
    var defaultValue: JSONValue?

    // string
    var minLength: Int?
    var maxLength: Int?
    var pattern: String?
    // number
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: Double?
    var requiresInteger = false
    // object
    var properties: [(String, DiffSchema)] = []
    var required: Set<String> = []
    var patternProperties: [(String, DiffSchema)] = []
    var permitsAdditionalProperties = true
    var additionalProperties: DiffSchema?
    var unevaluatedProperties: DiffSchema?
    var propertyDependencies: [String: Set<String>] = [:]
    var schemaDependencies: [String: DiffSchema] = [:]
    var minProperties: Int?
    var maxProperties: Int?
    // array
    var allItems: DiffSchema?
    var itemSchemas: [DiffSchema] = []
    var permitsAdditionalItems = true
    var additionalItems: DiffSchema?
    var unevaluatedItems: DiffSchema?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var minContains: Int?
    var maxContains: Int?
    // enum / const
    var values: [JSONValue] = []
    // combined / not
    var criterion: Criterion = .allOf
    var subschemas: [DiffSchema] = []
    // reference
    var target: DiffSchema?

    init(kind: Kind, canonical: String) {
        self.kind = kind
        self.canonical = canonical
    }

    var hasDefault: Bool { defaultValue != nil }

    func property(_ name: String) -> DiffSchema? { properties.first { $0.0 == name }?.1 }

    /// Follows references to the schema they name.
    var resolved: DiffSchema {
        var current = self
        var steps = 0
        while current.kind == .reference, let next = current.target, steps < DiffModelLoader.referenceChainMax {
            current = next
            steps += 1
        }
        return current
    }

    var isEmptyOrTrue: Bool { kind == .empty }
}

/// Builds DiffSchema graphs; `$ref`s to the same place share one node, so recursion becomes a cycle.
final class DiffModelLoader {
    static let referenceChainMax = 64
    static let depthMax = 256

    private let resolver: (String) throws -> JSONValue?
    private var documents: [String: JSONValue] = [:]
    private var identifiers: [String: (document: String, pointer: String)] = [:]
    private var nodes: [String: DiffSchema] = [:]
    /// True for 2019-09/2020-12 documents, where Confluent reads a boolean `items` as the
    /// additional-items switch and does not report `$id` changes.
    private(set) var isModernDraft = false

    private static let objectKeywords: Set<String> = [
        "properties", "maxProperties", "minProperties", "required", "additionalProperties", "dependencies",
        "patternProperties", "propertyNames", "unevaluatedProperties", "dependentRequired", "dependentSchemas",
    ]
    private static let arrayKeywords: Set<String> = [
        "items", "additionalItems", "maxItems", "minItems", "uniqueItems", "contains", "prefixItems",
        "minContains", "maxContains", "unevaluatedItems",
    ]
    private static let numberKeywords: Set<String> = [
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    ]
    private static let stringKeywords: Set<String> = ["minLength", "maxLength", "pattern", "format"]

    init(resolver: @escaping (String) throws -> JSONValue?) {
        self.resolver = resolver
    }

    func load(document: JSONValue, uri: String) throws -> DiffSchema {
        if case .string(let schemaURI)? = document["$schema"], let draft = Draft(schemaURI: schemaURI) {
            isModernDraft = draft != .draft7
        }
        register(document: document, uri: uri)
        return try load(document, document: uri, pointer: "", depth: 0)
    }

    private func register(document: JSONValue, uri: String) {
        documents[uri] = document
        collectIdentifiers(document, document: uri, pointer: "", base: uri, depth: 0)
    }

    /// Records `$id`s found anywhere in the document so `$ref`s by id resolve.
    private func collectIdentifiers(_ value: JSONValue, document: String, pointer: String, base: String, depth: Int) {
        guard depth < DiffModelLoader.depthMax else { return }
        var base = base
        switch value {
        case .object(let object):
            if case .string(let id)? = object["$id"] {
                base = URIReference(base).resolving(URIReference(id)).withoutFragment.text
                if identifiers[base] == nil { identifiers[base] = (document, pointer) }
            }
            for (key, child) in object.members where key != "enum" && key != "const" && key != "default" {
                collectIdentifiers(child, document: document, pointer: pointer + "/" + JSONPointer.escape(key), base: base, depth: depth + 1)
            }
        case .array(let elements):
            for (index, child) in elements.enumerated() {
                collectIdentifiers(child, document: document, pointer: pointer + "/\(index)", base: base, depth: depth + 1)
            }
        default:
            break
        }
    }

    private func load(_ value: JSONValue, document: String, pointer: String, depth: Int) throws -> DiffSchema {
        let key = document + "#" + pointer
        if let node = nodes[key] { return node }
        guard depth < DiffModelLoader.depthMax else { throw SchemaError.tooDeep(location: key) }
        let node: DiffSchema
        switch value {
        case .bool(true): node = DiffSchema(kind: .empty, canonical: "true")
        case .bool(false): node = DiffSchema(kind: .falseSchema, canonical: "false")
        case .object(let object):
            if case .string(let reference)? = object["$ref"] {
                node = DiffSchema(kind: .reference, canonical: value.serialized(sortedKeys: true))
                nodes[key] = node
                node.target = try resolve(reference, document: document, depth: depth)
                return node
            }
            node = try build(object, source: value, document: document, pointer: pointer, depth: depth)
        default:
            throw SchemaError.invalidKeyword(location: key, keyword: "schema", reason: "must be an object or a boolean")
        }
        nodes[key] = node
        return node
    }

    private func resolve(_ reference: String, document: String, depth: Int) throws -> DiffSchema {
        let absolute = URIReference(document).resolving(URIReference(reference))
        var uri = absolute.withoutFragment.text
        var basePointer = ""
        if documents[uri] == nil, let identified = identifiers[uri] {
            uri = identified.document
            basePointer = identified.pointer
        }
        if documents[uri] == nil {
            guard let fetched = try resolver(uri) else { throw SchemaError.unresolvableReference(absolute.text) }
            register(document: fetched, uri: uri)
        }
        guard let root = documents[uri] else { throw SchemaError.unresolvableReference(absolute.text) }
        let fragment = JSONPointer.percentDecoded(absolute.fragment ?? "")
        let pointer = basePointer + fragment
        guard let value = JSONPointer.resolve(pointer, in: root) else {
            throw SchemaError.unresolvableReference(absolute.text)
        }
        return try load(value, document: uri, pointer: pointer, depth: depth + 1)
    }

    func childSchema(_ value: JSONValue, _ document: String, _ pointer: String, _ depth: Int) throws -> DiffSchema {
        try load(value, document: document, pointer: pointer, depth: depth + 1)
    }

    /// One JSON object → the schema(s) Everit would extract from it, wrapped in allOf when several.
    private func build(
        _ object: JSONObject, source: JSONValue, document: String, pointer: String, depth: Int
    ) throws -> DiffSchema {
        let text = source.serialized(sortedKeys: true)
        var extracted: [DiffSchema] = []
        if case .array(let values)? = object["enum"] {
            let node = DiffSchema(kind: .enumeration, canonical: "enum" + text)
            node.values = values
            extracted.append(node)
        }
        for criterion in [DiffSchema.Criterion.allOf, .anyOf, .oneOf] {
            guard case .array(let elements)? = object[criterion.rawValue] else { continue }
            let node = DiffSchema(kind: .combined, canonical: criterion.rawValue + text)
            node.criterion = criterion
            node.subschemas = try elements.enumerated().map {
                try childSchema($0.element, document, pointer + "/\(criterion.rawValue)/\($0.offset)", depth)
            }
            extracted.append(node)
        }
        if let value = object["not"] {
            let node = DiffSchema(kind: .not, canonical: "not" + text)
            node.subschemas = [try childSchema(value, document, pointer + "/not", depth)]
            extracted.append(node)
        }
        if let value = object["const"] {
            let node = DiffSchema(kind: .constant, canonical: "const" + text)
            node.values = [value]
            extracted.append(node)
        }
        switch object["type"] {
        case .string(let name)?:
            extracted.append(try typed(name, object, text, document, pointer, depth))
        case .array(let names)?:
            let node = DiffSchema(kind: .combined, canonical: "types" + text)
            node.criterion = .anyOf
            node.subschemas = try names.map {
                guard case .string(let name) = $0 else {
                    throw SchemaError.invalidKeyword(location: pointer, keyword: "type", reason: "must name types")
                }
                return try typed(name, object, text, document, pointer, depth)
            }
            extracted.append(node)
        default:
            let keys = Set(object.keys)
            for (name, keywords) in [
                ("array", DiffModelLoader.arrayKeywords), ("object", DiffModelLoader.objectKeywords),
                ("number", DiffModelLoader.numberKeywords), ("string", DiffModelLoader.stringKeywords),
            ] where !keys.isDisjoint(with: keywords) {
                extracted.append(try typed(name, object, text, document, pointer, depth))
            }
        }
        if object["if"] != nil { extracted.append(DiffSchema(kind: .conditional, canonical: "if" + text)) }

        let result: DiffSchema
        if extracted.isEmpty {
            result = DiffSchema(kind: .empty, canonical: text)
        } else if extracted.count == 1 {
            result = extracted[0]
        } else {
            result = DiffSchema(kind: .combined, canonical: "synthetic" + text)
            result.criterion = .allOf
            result.subschemas = extracted
        }
        result.id = isModernDraft ? nil : object["$id"]?.stringValue
        result.title = object["title"]?.stringValue
        result.schemaDescription = object["description"]?.stringValue
        result.defaultValue = object["default"]
        return result
    }
}
