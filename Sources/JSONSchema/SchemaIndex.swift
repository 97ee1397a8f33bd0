// SchemaIndex: every identifier a set of schema documents defines. Walking each document once
// (knowing which keywords hold subschemas) records each subschema under its canonical location
// ("resource-uri#/json/pointer"), under the same pointer relative to every enclosing resource,
// and under its `$id`, `$anchor` and `$dynamicAnchor` names, so that `$ref` resolution is a
// dictionary lookup.

/// The JSON Schema drafts this module understands. Draft-04 and draft-06 documents are read with
/// draft-07 rules (their differences are minor for validation).
public enum Draft: String, Sendable, CaseIterable {
    case draft7 = "http://json-schema.org/draft-07/schema"
    case draft2019_09 = "https://json-schema.org/draft/2019-09/schema"
    case draft2020_12 = "https://json-schema.org/draft/2020-12/schema"

    /// Recognizes a `$schema` URI (with or without an empty fragment, http or https).
    public init?(schemaURI: String) {
        var text = schemaURI
        if text.hasSuffix("#") { text.removeLast() }
        if text.hasPrefix("https://json-schema.org/draft-") { text = "http://" + text.dropFirst("https://".count) }
        switch text {
        case "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema",
             "http://json-schema.org/draft-04/schema":
            self = .draft7
        case "https://json-schema.org/draft/2019-09/schema": self = .draft2019_09
        case "https://json-schema.org/draft/2020-12/schema": self = .draft2020_12
        default: return nil
        }
    }
}

/// How a schema resource is to be read: its draft and which vocabularies its meta-schema enables.
struct Dialect: Equatable {
    var draft: Draft
    /// False when a custom meta-schema leaves out the validation vocabulary (type, minimum, ...).
    var validationVocabulary = true
    /// True when the meta-schema requires the format-assertion vocabulary.
    var formatAssertionVocabulary = false
}

struct IndexedSchema {
    let value: JSONValue
    /// Base URI in effect inside this subschema (after its own `$id`).
    let baseURI: String
    /// The innermost enclosing resource and the pointer from it, e.g. ("http://x/a.json", "/items").
    let resourceURI: String
    let pointer: String
    let dialect: Dialect
}

final class SchemaIndex {
    private(set) var schemas: [IndexedSchema] = []
    /// "uri#pointer" and "uri#anchor" → index into `schemas`.
    private(set) var locations: [String: Int] = [:]
    /// "resource-uri#name" → index into `schemas`, for `$dynamicAnchor` names.
    private(set) var dynamicAnchors: [String: Int] = [:]
    /// Resources (documents and embedded `$id` resources) known so far.
    private(set) var resources: Set<String> = []

    /// Nesting limit for schema documents, so hostile input cannot exhaust the stack.
    static let schemaDepthMax = 512

    /// Keywords whose value is one subschema, per draft.
    private static let singleSchemaKeywords: Set<String> = [
        "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else",
        "unevaluatedProperties", "unevaluatedItems", "contentSchema", "additionalItems", "items",
    ]
    private static let schemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]
    private static let schemaMapKeywords: Set<String> = [
        "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
    ]

    /// Adds a document retrieved from `retrievalURI` (which stays an alias of the document even
    /// when the document's own `$id` differs). `dialectFor` maps a `$schema` URI to a dialect.
    func addDocument(
        _ document: JSONValue, retrievalURI: String, defaultDialect: Dialect,
        dialectFor: (String) throws -> Dialect
    ) throws(SchemaError) {
        let base = URIReference(retrievalURI).withoutFragment.text
        resources.insert(base)
        try walk(
            document, baseURI: base, enclosing: [(base, "")], dialect: defaultDialect,
            isDocumentRoot: true, depth: 0, dialectFor: dialectFor)
    }

    func lookup(_ location: String) -> Int? { locations[location] }
    func dynamicAnchor(_ location: String) -> Int? { dynamicAnchors[location] }

    private func register(_ key: String, _ id: Int) {
        if locations[key] == nil { locations[key] = id }
    }

    private func walk(
        _ value: JSONValue, baseURI: String, enclosing: [(String, String)], dialect: Dialect,
        isDocumentRoot: Bool, depth: Int, dialectFor: (String) throws -> Dialect
    ) throws(SchemaError) {
        guard depth < SchemaIndex.schemaDepthMax else {
            throw SchemaError.tooDeep(location: enclosing.last.map { $0.0 + "#" + $0.1 } ?? "")
        }
        var base = baseURI
        var enclosing = enclosing
        var dialect = dialect
        guard case .object(let object) = value else {
            let (resource, pointer) = enclosing[enclosing.count - 1]
            let id = append(IndexedSchema(value: value, baseURI: base, resourceURI: resource, pointer: pointer, dialect: dialect))
            for (resource, pointer) in enclosing { register(resource + "#" + pointer, id) }
            return
        }
        if case .string(let schemaURI)? = object["$schema"], isDocumentRoot || object["$id"] != nil {
            do { dialect = try dialectFor(schemaURI) } catch let error as SchemaError { throw error } catch {
                throw SchemaError.unknownMetaSchema(schemaURI)
            }
        }
        var anchors: [String] = []
        let idKeyword = object["$id"]
        let idIgnored = dialect.draft == .draft7 && object["$ref"] != nil
        if case .string(let id)? = idKeyword, !idIgnored {
            if dialect.draft == .draft7 && id.hasPrefix("#") {
                anchors.append(String(id.dropFirst()))
            } else {
                let resolved = URIReference(base).resolving(URIReference(id))
                base = resolved.withoutFragment.text
                if let fragment = resolved.fragment, !fragment.isEmpty { anchors.append(fragment) }
                if enclosing.last?.0 != base || enclosing.last?.1 != "" {
                    enclosing.append((base, ""))
                }
                resources.insert(base)
            }
        }
        if dialect.draft != .draft7, case .string(let anchor)? = object["$anchor"] { anchors.append(anchor) }
        var dynamicAnchorName: String?
        if dialect.draft == .draft2020_12, case .string(let anchor)? = object["$dynamicAnchor"] {
            anchors.append(anchor)
            dynamicAnchorName = anchor
        }
        let (resource, pointer) = enclosing[enclosing.count - 1]
        let id = append(IndexedSchema(value: value, baseURI: base, resourceURI: resource, pointer: pointer, dialect: dialect))
        for (resource, pointer) in enclosing { register(resource + "#" + pointer, id) }
        for anchor in anchors { register(base + "#" + anchor, id) }
        if let dynamicAnchorName, dynamicAnchors[base + "#" + dynamicAnchorName] == nil {
            dynamicAnchors[base + "#" + dynamicAnchorName] = id
        }

        for (keyword, child) in object.members {
            let escaped = "/" + JSONPointer.escape(keyword)
            func descend(_ child: JSONValue, _ suffix: String) throws(SchemaError) {
                let childEnclosing = enclosing.map { ($0.0, $0.1 + escaped + suffix) }
                try walk(
                    child, baseURI: base, enclosing: childEnclosing, dialect: dialect, isDocumentRoot: false,
                    depth: depth + 1, dialectFor: dialectFor)
            }
            switch child {
            case .object, .bool:
                if SchemaIndex.singleSchemaKeywords.contains(keyword) {
                    try descend(child, "")
                } else if SchemaIndex.schemaMapKeywords.contains(keyword), case .object(let map) = child {
                    for (name, member) in map.members {
                        if case .array = member { continue }  // dependencies: property lists
                        try descend(member, "/" + JSONPointer.escape(name))
                    }
                }
            case .array(let elements) where SchemaIndex.schemaArrayKeywords.contains(keyword):
                for (position, element) in elements.enumerated() { try descend(element, "/\(position)") }
            default:
                break
            }
        }
    }

    private func append(_ schema: IndexedSchema) -> Int {
        schemas.append(schema)
        return schemas.count - 1
    }
}
