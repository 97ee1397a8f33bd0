// JSON Schema → Codable Swift structs. Supported: object properties (required → non-optional,
// others and `"type": [T, "null"]` → optional), string enums, string/integer/number/boolean,
// arrays, nested objects, objects with only `additionalProperties` (→ dictionaries), and `$ref`
// to `#/definitions/…` or `#/$defs/…` in the same document. Anything else (oneOf, allOf, remote
// refs, untyped values) is refused with the location, so a generated type never silently
// accepts less than the schema describes. The constraints (patterns, formats, bounds) stay
// with the carried schema text, for JSONSchemaValidator.
import JSON

public enum JSONSchemaCodegen {
    public static func generate(schemaText: String, typeName: String, sourceFile: String) throws(CodegenError) -> String {
        let document: JSONValue
        do {
            document = try JSONValue.parse(schemaText)
        } catch {
            throw CodegenError(file: sourceFile, message: "is not valid JSON: \(error)")
        }
        do {
            var builder = JSONSchemaModelBuilder(document: document, rootName: typeName)
            try builder.buildRoot()
            var output = SourceWriter()
            output.lines(GeneratedFile.banner(sourceFile: sourceFile))
            output.line("import JSONSchema")
            builder.emit(schemaText: document.serialized(), into: &output)
            return output.text
        } catch {
            throw error.inFile(sourceFile)
        }
    }
}

indirect enum JSONSwiftType {
    case string, integer, number, boolean
    case named(String)
    case array(JSONSwiftType)
    case dictionary(JSONSwiftType)
    case optional(JSONSwiftType)

    var spelling: String {
        switch self {
        case .string: return "String"
        case .integer: return "Int64"
        case .number: return "Double"
        case .boolean: return "Bool"
        case .named(let name): return name
        case .array(let items): return "[" + items.spelling + "]"
        case .dictionary(let values): return "[String: " + values.spelling + "]"
        case .optional(let wrapped): return wrapped.spelling + "?"
        }
    }
}

struct JSONSchemaModelBuilder {
    struct Property {
        var jsonName: String
        var swiftName: String
        var type: JSONSwiftType
        var doc: String?
    }
    enum Declaration {
        case structure(name: String, doc: String?, properties: [Property])
        case stringEnum(name: String, doc: String?, cases: [(caseName: String, value: String)])
    }

    /// Deepest nesting of subschemas followed, so a self-referencing document cannot loop.
    static let nestingDepthMax = 64

    let document: JSONValue
    let rootName: String
    private(set) var declarations: [Declaration] = []
    private var scope: NameScope
    /// Swift names of `$ref` targets already generated (or being generated), by reference text.
    private var referenceNames: [String: String] = [:]

    init(document: JSONValue, rootName: String) {
        self.document = document
        self.rootName = rootName
        scope = NameScope(reserved: [rootName])
    }

    mutating func buildRoot() throws(CodegenError) {
        guard case .object(let root) = document else {
            throw CodegenError(message: "the root schema must be an object schema")
        }
        guard isObjectSchema(root), root["properties"] != nil else {
            throw CodegenError(message: "the root schema must describe an object with properties (it is what \(rootName) stands for)")
        }
        try buildStruct(root, name: rootName, path: "", depth: 0)
    }

    private func isObjectSchema(_ schema: JSONObject) -> Bool {
        if case .string("object")? = schema["type"] { return true }
        if case .array(let types)? = schema["type"], types.contains(where: { $0 == .string("object") }) { return true }
        return schema["type"] == nil && schema["properties"] != nil
    }

    private mutating func buildStruct(_ schema: JSONObject, name: String, path: String, depth: Int) throws(CodegenError) {
        let index = declarations.count
        declarations.append(.structure(name: name, doc: schema["description"]?.stringValue, properties: []))
        var required: Set<String> = []
        if case .array(let names)? = schema["required"] {
            for case .string(let requiredName) in names { required.insert(requiredName) }
        }
        var properties: [Property] = []
        var memberScope = NameScope(reserved: ["jsonSchemaText", "CodingKeys"])
        if case .object(let members)? = schema["properties"] {
            for (jsonName, subschema) in members.members {
                let propertyPath = path + "/properties/" + jsonName
                let swiftName = memberScope.claimMember(SwiftNames.lowerCamel(jsonName))
                var type = try swiftType(subschema, nameHint: SwiftNames.upperCamel(jsonName), path: propertyPath, depth: depth + 1)
                if !required.contains(jsonName), case .optional = type {} else if !required.contains(jsonName) { type = .optional(type) }
                let doc = subschema.objectValue?["description"]?.stringValue
                properties.append(Property(jsonName: jsonName, swiftName: swiftName, type: type, doc: doc))
            }
        }
        declarations[index] = .structure(name: name, doc: schema["description"]?.stringValue, properties: properties)
    }

    private mutating func swiftType(_ node: JSONValue, nameHint: String, path: String, depth: Int) throws(CodegenError) -> JSONSwiftType {
        guard depth < Self.nestingDepthMax else {
            throw CodegenError(path: path, message: "schema nesting deeper than \(Self.nestingDepthMax)")
        }
        guard case .object(let schema) = node else {
            throw CodegenError(path: path, message: "boolean or non-object subschemas have no Swift type; describe the value's type")
        }
        if case .string(let reference)? = schema["$ref"] {
            return .named(try referencedType(reference, path: path, depth: depth))
        }
        for keyword in ["oneOf", "anyOf", "allOf", "not", "if"] where schema[keyword] != nil {
            throw CodegenError(path: path, message: "'\(keyword)' is not supported by the generator yet; use properties, enums and $ref")
        }
        var types: [String] = []
        switch schema["type"] {
        case .string(let type)?: types = [type]
        case .array(let list)?: types = list.compactMap(\.stringValue)
        default: break
        }
        let nullable = types.contains("null")
        types.removeAll { $0 == "null" }
        if types.isEmpty {
            if schema["properties"] != nil { types = ["object"] }
            else if case .array(let values)? = schema["enum"], values.allSatisfy({ $0.stringValue != nil }) { types = ["string"] }
        }
        guard types.count == 1, let type = types.first else {
            throw CodegenError(path: path, message: "needs exactly one non-null 'type' (found \(types.isEmpty ? "none" : types.joined(separator: ", ")))")
        }
        let base: JSONSwiftType
        switch type {
        case "string":
            if case .array(let values)? = schema["enum"] {
                base = .named(try stringEnum(values, name: nameHint, doc: schema["description"]?.stringValue, path: path))
            } else {
                base = .string
            }
        case "integer": base = .integer
        case "number": base = .number
        case "boolean": base = .boolean
        case "array":
            guard let items = schema["items"] else {
                throw CodegenError(path: path, message: "an array needs 'items' to have a Swift element type")
            }
            base = .array(try swiftType(items, nameHint: nameHint + "Item", path: path + "/items", depth: depth + 1))
        case "object":
            if schema["properties"] != nil {
                let name = scope.claim(nameHint)
                try buildStruct(schema, name: name, path: path, depth: depth)
                base = .named(name)
            } else if let additional = schema["additionalProperties"], case .object = additional {
                base = .dictionary(try swiftType(additional, nameHint: nameHint + "Value", path: path + "/additionalProperties", depth: depth + 1))
            } else {
                throw CodegenError(path: path, message: "an object needs 'properties' or a schema in 'additionalProperties'")
            }
        default:
            throw CodegenError(path: path, message: "type '\(type)' is not a JSON Schema type")
        }
        return nullable ? .optional(base) : base
    }

    private mutating func referencedType(_ reference: String, path: String, depth: Int) throws(CodegenError) -> String {
        if let known = referenceNames[reference] { return known }
        let prefixes = ["#/definitions/", "#/$defs/"]
        guard let prefix = prefixes.first(where: { reference.hasPrefix($0) }) else {
            throw CodegenError(path: path, message: "$ref '\(reference)' is outside the document's definitions; only #/definitions/… and #/$defs/… are supported")
        }
        let key = String(reference.dropFirst(prefix.count))
        let container = String(prefix.dropFirst(2).dropLast())
        guard case .object(let definitions)? = document[container], let target = definitions[key] else {
            throw CodegenError(path: path, message: "$ref '\(reference)' names no definition")
        }
        // Reserve the name before building, so a definition that refers to itself resolves.
        let name = scope.claim(SwiftNames.upperCamel(key))
        referenceNames[reference] = name
        guard case .object(let targetSchema) = target else {
            throw CodegenError(path: path, message: "definition '\(key)' is not an object schema")
        }
        if isObjectSchema(targetSchema), targetSchema["properties"] != nil {
            try buildStruct(targetSchema, name: name, path: "/" + container + "/" + key, depth: depth + 1)
        } else if case .array(let values)? = targetSchema["enum"] {
            _ = try stringEnum(values, name: name, doc: targetSchema["description"]?.stringValue, path: "/" + container + "/" + key, claimed: true)
        } else {
            throw CodegenError(path: path, message: "definition '\(key)' must be an object with properties or a string enum to be referenced")
        }
        return name
    }

    private mutating func stringEnum(_ values: [JSONValue], name: String, doc: String?, path: String, claimed: Bool = false) throws(CodegenError) -> String {
        var cases: [(caseName: String, value: String)] = []
        var caseScope = NameScope(reserved: ["rawValue", "allCases"])
        for value in values {
            guard case .string(let text) = value else {
                throw CodegenError(path: path + "/enum", message: "only enums of strings become Swift enums")
            }
            cases.append((caseScope.claimMember(SwiftNames.lowerCamel(text)), text))
        }
        guard !cases.isEmpty else { throw CodegenError(path: path + "/enum", message: "an enum needs at least one value") }
        let swiftName = claimed ? name : scope.claim(name)
        declarations.append(.stringEnum(name: swiftName, doc: doc, cases: cases))
        return swiftName
    }

    func emit(schemaText: String, into output: inout SourceWriter) {
        for (index, declaration) in declarations.enumerated() {
            output.line()
            if index == 1 { output.open("extension \(rootName)") }
            switch declaration {
            case .structure(let name, let doc, let properties):
                output.lines(SwiftNames.docComment(doc, indent: ""))
                output.open("public struct \(name): \(index == 0 ? "JSONSchemaGeneratedType" : "Sendable, Equatable, Codable")")
                if index == 0 { output.line("public static let jsonSchemaText = \(SwiftNames.rawStringLiteral(schemaText))") }
                for property in properties {
                    output.lines(SwiftNames.docComment(property.doc, indent: ""))
                    output.line("public var \(property.swiftName): \(property.type.spelling)")
                }
                let parameters = properties.map { property -> String in
                    let optional: Bool
                    if case .optional = property.type { optional = true } else { optional = false }
                    return "\(property.swiftName): \(property.type.spelling)" + (optional ? " = nil" : "")
                }
                output.line()
                output.open("public init(\(parameters.joined(separator: ", ")))")
                for property in properties { output.line("self.\(property.swiftName) = \(property.swiftName)") }
                output.close()
                if !properties.isEmpty {
                    output.line()
                    output.open("enum CodingKeys: String, CodingKey")
                    for property in properties { output.line("case \(property.swiftName) = \(SwiftNames.stringLiteral(property.jsonName))") }
                    output.close()
                }
                output.close()
            case .stringEnum(let name, let doc, let cases):
                output.lines(SwiftNames.docComment(doc, indent: ""))
                output.open("public enum \(name): String, Sendable, Equatable, Codable, CaseIterable")
                for entry in cases { output.line("case \(entry.caseName) = \(SwiftNames.stringLiteral(entry.value))") }
                output.close()
            }
        }
        if declarations.count > 1 { output.close() }
    }
}
