// KeywordReader: reads one schema object's keywords into SchemaNode checks, following the rules
// of the schema's draft (draft-07 `$ref` hides its siblings, `items` arrays vs `prefixItems`,
// `dependencies` vs `dependentRequired`/`dependentSchemas`, vocabularies a meta-schema turns off).

struct KeywordReader {
    let compiler: SchemaCompiler
    let schema: IndexedSchema
    let node: SchemaNode

    private var draft: Draft { schema.dialect.draft }

    func read() throws {
        guard case .object(let object) = schema.value else {
            if case .bool(let value) = schema.value { node.constant = value; return }
            throw invalid("schema", "a schema must be an object or a boolean")
        }
        if draft == .draft7, case .string(let reference)? = object["$ref"] {
            node.checks = [.reference(try compiler.reference(reference, from: schema, dynamic: false), keyword: "$ref")]
            return
        }
        var checks: [Check] = []
        if schema.dialect.validationVocabulary { try readValidation(object, into: &checks) }
        if compiler.assertsFormats || schema.dialect.formatAssertionVocabulary,
           case .string(let name)? = object["format"], let kind = FormatKind(rawValue: name) {
            checks.append(.format(kind))
        }
        if draft == .draft7 {
            // Draft-07 lets validators assert content; later drafts make it annotation-only.
            let base64 = object["contentEncoding"]?.stringValue?.lowercased() == "base64"
            let json = object["contentMediaType"]?.stringValue?.lowercased() == "application/json"
            if base64 || json { checks.append(.content(base64: base64, json: json)) }
        }
        try readApplicators(object, into: &checks)
        if case .string(let reference)? = object["$ref"] {
            checks.append(.reference(try compiler.reference(reference, from: schema, dynamic: false), keyword: "$ref"))
        }
        if draft == .draft2020_12, case .string(let reference)? = object["$dynamicRef"] {
            checks.append(.reference(try compiler.reference(reference, from: schema, dynamic: true), keyword: "$dynamicRef"))
        }
        if draft == .draft2019_09, object["$recursiveRef"] != nil {
            checks.append(.reference(try compiler.reference("#", from: schema, dynamic: false), keyword: "$recursiveRef"))
        }
        if draft != .draft7 {
            if let value = object["unevaluatedItems"] {
                checks.append(.unevaluatedItems(try child("/unevaluatedItems", value)))
                node.collectsAnnotations = true
            }
            if let value = object["unevaluatedProperties"] {
                checks.append(.unevaluatedProperties(try child("/unevaluatedProperties", value)))
                node.collectsAnnotations = true
            }
        }
        node.checks = checks
    }

    private func invalid(_ keyword: String, _ reason: String) -> SchemaError {
        SchemaError.invalidKeyword(location: node.location, keyword: keyword, reason: reason)
    }

    private func child(_ suffix: String, _ value: JSONValue) throws -> SchemaNode {
        try compiler.child(of: schema, suffix: suffix, value: value)
    }

    private func children(_ keyword: String, _ value: JSONValue) throws -> [SchemaNode] {
        guard case .array(let elements) = value, !elements.isEmpty || keyword == "prefixItems" || keyword == "items" else {
            throw invalid(keyword, "must be a non-empty array of schemas")
        }
        return try elements.enumerated().map { try child("/\(keyword)/\($0.offset)", $0.element) }
    }

    private func count(_ keyword: String, _ value: JSONValue) throws -> Int {
        switch value {
        case .integer(let number) where number >= 0: return Int(number)
        case .number(let number) where number >= 0 && number.rounded() == number && number < 9e18: return Int(number)
        default: throw invalid(keyword, "must be a non-negative integer")
        }
    }

    private func bound(_ keyword: String, _ value: JSONValue) throws -> Bound {
        switch value {
        case .integer(let number): return .integer(number)
        case .number(let number): return .number(number)
        default: throw invalid(keyword, "must be a number")
        }
    }

    private func stringList(_ keyword: String, _ value: JSONValue) throws -> [String] {
        guard case .array(let elements) = value else { throw invalid(keyword, "must be an array of strings") }
        return try elements.map {
            guard case .string(let name) = $0 else { throw invalid(keyword, "must be an array of strings") }
            return name
        }
    }

    private func readValidation(_ object: JSONObject, into checks: inout [Check]) throws {
        if let value = object["type"] {
            var types: TypeSet = []
            let names: [JSONValue] = value.arrayValue ?? [value]
            for name in names {
                guard case .string(let text) = name, let type = TypeSet(name: text) else {
                    throw invalid("type", "unknown type \(name.serialized())")
                }
                types.formUnion(type)
            }
            checks.append(.type(types))
        }
        if let value = object["enum"] {
            guard case .array(let elements) = value else { throw invalid("enum", "must be an array") }
            checks.append(.enumeration(elements))
        }
        if let value = object["const"] { checks.append(.constant(value)) }
        for (keyword, exclusive) in [("minimum", false), ("exclusiveMinimum", true)] {
            if let value = object[keyword], value.boolValue == nil {
                checks.append(.minimum(try bound(keyword, value), exclusive: exclusive))
            }
        }
        for (keyword, exclusive) in [("maximum", false), ("exclusiveMaximum", true)] {
            if let value = object[keyword], value.boolValue == nil {
                checks.append(.maximum(try bound(keyword, value), exclusive: exclusive))
            }
        }
        if let value = object["multipleOf"] {
            let divisor = try bound("multipleOf", value)
            switch divisor {
            case .integer(let number) where number <= 0: throw invalid("multipleOf", "must be positive")
            case .number(let number) where !(number > 0): throw invalid("multipleOf", "must be positive")
            default: checks.append(.multipleOf(divisor))
            }
        }
        if let value = object["minLength"] { checks.append(.minLength(try count("minLength", value))) }
        if let value = object["maxLength"] { checks.append(.maxLength(try count("maxLength", value))) }
        if case .string(let source)? = object["pattern"] {
            guard let pattern = Pattern(source) else {
                throw SchemaError.invalidPattern(location: node.location, pattern: source)
            }
            checks.append(.pattern(pattern))
        }
        if let value = object["minItems"] { checks.append(.minItems(try count("minItems", value))) }
        if let value = object["maxItems"] { checks.append(.maxItems(try count("maxItems", value))) }
        if case .bool(true)? = object["uniqueItems"] { checks.append(.uniqueItems) }
        if let value = object["minProperties"] { checks.append(.minProperties(try count("minProperties", value))) }
        if let value = object["maxProperties"] { checks.append(.maxProperties(try count("maxProperties", value))) }
        if let value = object["required"] {
            let names = try stringList("required", value)
            if !names.isEmpty { checks.append(.required(names)) }
        }
        if draft != .draft7, case .object(let map)? = object["dependentRequired"] {
            let pairs = try map.members.map { ($0.key, try stringList("dependentRequired", $0.value)) }
            checks.append(.dependentRequired(pairs))
        }
        // Draft-07 `dependencies` is also honoured in later drafts, as most validators do.
        if case .object(let map)? = object["dependencies"] {
            let pairs = try map.members.compactMap { member -> (String, [String])? in
                guard case .array = member.value else { return nil }
                return (member.key, try stringList("dependencies", member.value))
            }
            if !pairs.isEmpty { checks.append(.dependentRequired(pairs)) }
        }
    }

    private func readApplicators(_ object: JSONObject, into checks: inout [Check]) throws {
        for keyword in ["allOf", "anyOf", "oneOf"] {
            guard let value = object[keyword] else { continue }
            let nodes = try children(keyword, value)
            checks.append(keyword == "allOf" ? .allOf(nodes) : keyword == "anyOf" ? .anyOf(nodes) : .oneOf(nodes))
        }
        if let value = object["not"] { checks.append(.not(try child("/not", value))) }
        if let value = object["if"] {
            let thenNode = try object["then"].map { try child("/then", $0) }
            let elseNode = try object["else"].map { try child("/else", $0) }
            checks.append(.conditional(if: try child("/if", value), then: thenNode, else: elseNode))
        }
        try readObjectApplicators(object, into: &checks)
        try readArrayApplicators(object, into: &checks)
    }

    private func readObjectApplicators(_ object: JSONObject, into checks: inout [Check]) throws {
        let properties = PropertiesCheck()
        var hasProperties = false
        if case .object(let map)? = object["properties"] {
            hasProperties = true
            for (name, value) in map.members {
                properties.properties[name] = try child("/properties/" + JSONPointer.escape(name), value)
            }
        }
        if case .object(let map)? = object["patternProperties"] {
            hasProperties = true
            for (source, value) in map.members {
                guard let pattern = Pattern(source) else {
                    throw SchemaError.invalidPattern(location: node.location, pattern: source)
                }
                properties.patterns.append((pattern, try child("/patternProperties/" + JSONPointer.escape(source), value)))
            }
        }
        if let value = object["additionalProperties"] {
            hasProperties = true
            properties.additional = try child("/additionalProperties", value)
        }
        if hasProperties { checks.append(.properties(properties)) }
        if let value = object["propertyNames"] { checks.append(.propertyNames(try child("/propertyNames", value))) }
        for dependentKeyword in draft == .draft7 ? ["dependencies"] : ["dependencies", "dependentSchemas"] {
            guard case .object(let map)? = object[dependentKeyword] else { continue }
            var pairs: [(String, SchemaNode)] = []
            for (name, value) in map.members {
                if case .array = value { continue }
                pairs.append((name, try child("/\(dependentKeyword)/" + JSONPointer.escape(name), value)))
            }
            if !pairs.isEmpty { checks.append(.dependentSchemas(pairs)) }
        }
    }

    private func readArrayApplicators(_ object: JSONObject, into checks: inout [Check]) throws {
        let items = ItemsCheck()
        var hasItems = false
        if draft == .draft2020_12 {
            if let value = object["prefixItems"] {
                items.prefix = try children("prefixItems", value)
                hasItems = true
            }
            if let value = object["items"] {
                items.rest = try child("/items", value)
                hasItems = true
            }
        } else if let value = object["items"] {
            hasItems = true
            if case .array = value {
                items.prefix = try children("items", value)
                if let additional = object["additionalItems"] {
                    items.rest = try child("/additionalItems", additional)
                    items.restKeyword = "additionalItems"
                }
            } else {
                items.rest = try child("/items", value)
            }
        }
        if hasItems { checks.append(.items(items)) }
        if let value = object["contains"] {
            var minimum = 1
            var maximum: Int?
            if draft != .draft7 {
                if let value = object["minContains"] { minimum = try count("minContains", value) }
                if let value = object["maxContains"] { maximum = try count("maxContains", value) }
            }
            checks.append(.contains(try child("/contains", value), minimum: minimum, maximum: maximum))
        }
    }
}
