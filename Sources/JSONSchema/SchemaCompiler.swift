// SchemaCompiler: turns schema JSON into the SchemaNode graph. It owns reference resolution
// ($ref, $dynamicRef, loading remote and meta-schema documents on demand) and reads each keyword
// according to the resource's draft. Nodes are memoized by canonical location, which makes
// recursive schemas compile to cycles instead of infinite trees.

final class SchemaCompiler {
    let index = SchemaIndex()
    private let resolver: (String) throws -> JSONValue?
    private let formatAssertion: Bool
    private var nodes: [String: SchemaNode] = [:]
    private var resourceIDs: [String: Int] = [:]
    private var attemptedLoads: Set<String> = []
    /// True once some `$dynamicRef` really depends on the dynamic scope.
    private(set) var usesDynamicScope = false

    init(resolver: @escaping (String) throws -> JSONValue?, formatAssertion: Bool) {
        self.resolver = resolver
        self.formatAssertion = formatAssertion
    }

    // MARK: Documents and dialects

    func compileRoot(_ schema: JSONValue, retrievalURI: String, draft: Draft?) throws(SchemaError) -> SchemaNode {
        let dialect = Dialect(draft: draft ?? .draft2020_12)
        try index.addDocument(schema, retrievalURI: retrievalURI, defaultDialect: dialect, dialectFor: dialectFor)
        let base = URIReference(retrievalURI).withoutFragment.text
        guard let rootID = index.lookup(base + "#") else { throw SchemaError.unresolvableReference(base) }
        return try compile(indexed: index.schemas[rootID])
    }

    /// Compiles every `$dynamicAnchor` target (the dynamic scope may reach any of them) and
    /// returns them by resource id and anchor name.
    func dynamicAnchorTable() throws(SchemaError) -> [Int: [String: SchemaNode]] {
        guard usesDynamicScope else { return [:] }
        var table: [Int: [String: SchemaNode]] = [:]
        for (key, id) in index.dynamicAnchors {
            guard let hash = key.lastIndex(of: "#") else { continue }
            let resource = String(key[..<hash])
            let name = String(key[key.index(after: hash)...])
            table[resourceID(resource), default: [:]][name] = try compile(indexed: index.schemas[id])
        }
        return table
    }

    private func dialectFor(_ schemaURI: String) throws -> Dialect {
        if let draft = Draft(schemaURI: schemaURI) { return Dialect(draft: draft) }
        let uri = URIReference(schemaURI).withoutFragment.text
        guard let document = try loadDocument(uri, defaultDialect: Dialect(draft: .draft2020_12)) else {
            throw SchemaError.unknownMetaSchema(schemaURI)
        }
        guard case .object(let vocabularies)? = document["$vocabulary"] else {
            if case .string(let parent)? = document["$schema"], let draft = Draft(schemaURI: parent) {
                return Dialect(draft: draft)
            }
            return Dialect(draft: .draft2020_12)
        }
        let names = vocabularies.keys
        let draft: Draft = names.contains { $0.contains("2019-09") } ? .draft2019_09 : .draft2020_12
        return Dialect(
            draft: draft,
            validationVocabulary: names.contains { $0.hasSuffix("/vocab/validation") },
            formatAssertionVocabulary: names.contains { $0.hasSuffix("/vocab/format-assertion") })
    }

    /// Loads a built-in meta-schema or asks the resolver; indexes the document. Nil when unknown.
    @discardableResult
    private func loadDocument(_ uri: String, defaultDialect: Dialect) throws -> JSONValue? {
        if index.resources.contains(uri), let id = index.lookup(uri + "#") { return index.schemas[id].value }
        guard !attemptedLoads.contains(uri) else { return nil }
        attemptedLoads.insert(uri)
        var document: JSONValue?
        var dialect = defaultDialect
        if let text = MetaSchemas.documents[uri] {
            do { document = try JSONValue.parse(text) } catch { throw SchemaError.invalidDocument(uri: uri, reason: error.description) }
            dialect = Dialect(draft: Draft(schemaURI: uri) ?? .draft2020_12)
        } else {
            document = try resolver(uri)
        }
        guard let document else { return nil }
        try index.addDocument(document, retrievalURI: uri, defaultDialect: dialect, dialectFor: dialectFor)
        return document
    }

    private func resourceID(_ uri: String) -> Int {
        if let id = resourceIDs[uri] { return id }
        let id = resourceIDs.count
        resourceIDs[uri] = id
        return id
    }

    // MARK: References

    private func resolveReference(_ reference: String, from schema: IndexedSchema) throws -> ReferenceTarget {
        let absolute = URIReference(schema.baseURI).resolving(URIReference(reference))
        let uri = absolute.withoutFragment.text
        let fragment = JSONPointer.percentDecoded(absolute.fragment ?? "")
        let target = ReferenceTarget(uri: absolute.text)
        let key = uri + "#" + fragment
        if index.lookup(key) == nil && !index.resources.contains(uri) {
            try loadDocument(uri, defaultDialect: schema.dialect)
        }
        if let id = index.lookup(key) {
            target.node = try compile(indexed: index.schemas[id])
            return target
        }
        // A pointer into a place the index does not know as a schema (e.g. an unknown keyword).
        if fragment.hasPrefix("/"), let rootID = index.lookup(uri + "#"),
           let value = JSONPointer.resolve(fragment, in: index.schemas[rootID].value) {
            let root = index.schemas[rootID]
            target.node = try compile(indexed: IndexedSchema(
                value: value, baseURI: root.baseURI, resourceURI: root.resourceURI,
                pointer: root.pointer + fragment, dialect: root.dialect))
            return target
        }
        throw SchemaError.unresolvableReference(absolute.text)
    }

    // MARK: Nodes

    func compile(indexed schema: IndexedSchema) throws(SchemaError) -> SchemaNode {
        let location = schema.resourceURI + "#" + schema.pointer
        if let node = nodes[location] { return node }
        let node = SchemaNode(location: location, resourceID: resourceID(schema.resourceURI))
        nodes[location] = node
        do {
            try KeywordReader(compiler: self, schema: schema, node: node).read()
        } catch let error as SchemaError {
            throw error
        } catch {
            throw SchemaError.invalidDocument(uri: location, reason: "\(error)")
        }
        return node
    }

    /// The compiled subschema at `suffix` (e.g. "/properties/name") below `schema`.
    func child(of schema: IndexedSchema, suffix: String, value: JSONValue) throws(SchemaError) -> SchemaNode {
        let key = schema.resourceURI + "#" + schema.pointer + suffix
        if let id = index.lookup(key) { return try compile(indexed: index.schemas[id]) }
        return try compile(indexed: IndexedSchema(
            value: value, baseURI: schema.baseURI, resourceURI: schema.resourceURI,
            pointer: schema.pointer + suffix, dialect: schema.dialect))
    }

    func reference(_ reference: String, from schema: IndexedSchema, dynamic: Bool) throws -> ReferenceTarget {
        let target = try resolveReference(reference, from: schema)
        if dynamic {
            let absolute = URIReference(schema.baseURI).resolving(URIReference(reference))
            if let fragment = absolute.fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
               index.dynamicAnchor(absolute.withoutFragment.text + "#" + fragment) != nil {
                target.dynamicAnchorName = fragment
                usesDynamicScope = true
            }
        }
        return target
    }

    var assertsFormats: Bool { formatAssertion }
}
