// Turns a parsed JSON document into the AvroType tree: name and namespace resolution (spec
// §Names), structural validation with JSON-pointer paths in every error, logical type
// recognition (invalid ones ignored with a warning, spec §Logical Types) and collection of
// field defaults, which are validated once all named types are known.
import JSON

struct AvroSchemaParser {
    struct PendingDefault {
        let json: JSONValue
        let type: AvroType
        let path: String
    }

    /// Deepest type nesting accepted (records within arrays within unions ...).
    static let nestingDepthMax = 256

    let options: AvroSchemaParseOptions
    var definitions: [String: AvroType] = [:]
    /// Full names whose definition has started (recursion may reference them before completion).
    var declared: Set<String> = []
    var warnings: [AvroSchemaWarning] = []
    var pendingDefaults: [PendingDefault] = []

    init(options: AvroSchemaParseOptions) {
        self.options = options
    }

    private static let schemaReserved: Set<String> = [
        "type", "name", "namespace", "doc", "aliases", "fields", "symbols", "items", "values", "size",
    ]
    private static let enumReserved: Set<String> = schemaReserved.union(["default"])
    private static let fieldReserved: Set<String> = ["name", "type", "doc", "default", "order", "aliases"]

    private func error(_ kind: AvroSchemaError.Kind, _ path: String, _ message: String) -> AvroSchemaError {
        AvroSchemaError(kind: kind, path: path, message: message)
    }

    mutating func parseType(_ json: JSONValue, namespace: String?, path: String, depth: Int) throws(AvroSchemaError) -> AvroType {
        guard depth < Self.nestingDepthMax else {
            throw error(.nestingTooDeep, path, "schema nesting deeper than \(Self.nestingDepthMax)")
        }
        switch json {
        case .string(let name):
            return try resolveReference(name, namespace: namespace, path: path)
        case .array(let branches):
            var types: [AvroType] = []
            var seenKeys: Set<String> = []
            for (index, branch) in branches.enumerated() {
                let branchPath = path + "/\(index)"
                let type = try parseType(branch, namespace: namespace, path: branchPath, depth: depth + 1)
                if case .union = type {
                    throw error(.nestedUnion, branchPath, "a union may not immediately contain another union")
                }
                let key = unionBranchKey(type)
                guard seenKeys.insert(key).inserted else {
                    throw error(.duplicateUnionBranch, branchPath, "union contains more than one '\(key)'")
                }
                types.append(type)
            }
            return .union(types)
        case .object(let members):
            guard let typeValue = json["type"] else {
                throw error(.missingAttribute, path, "schema object has no 'type'")
            }
            guard case .string(let typeName) = typeValue else {
                throw error(.invalidAttribute, path + "/type", "'type' must be a string naming the type")
            }
            switch typeName {
            case "record", "error":
                return try parseRecord(json, members: members, isError: typeName == "error", namespace: namespace, path: path, depth: depth)
            case "enum":
                return try parseEnum(json, members: members, namespace: namespace, path: path)
            case "fixed":
                return try parseFixed(json, members: members, namespace: namespace, path: path)
            case "array":
                guard let items = json["items"] else { throw error(.missingAttribute, path, "array has no 'items'") }
                let itemType = try parseType(items, namespace: namespace, path: path + "/items", depth: depth + 1)
                return .array(items: itemType, AvroAnnotations(logicalType: nil, properties: properties(members, excluding: Self.schemaReserved)))
            case "map":
                guard let values = json["values"] else { throw error(.missingAttribute, path, "map has no 'values'") }
                let valueType = try parseType(values, namespace: namespace, path: path + "/values", depth: depth + 1)
                return .map(values: valueType, AvroAnnotations(logicalType: nil, properties: properties(members, excluding: Self.schemaReserved)))
            default:
                if let primitive = AvroPrimitive(rawValue: typeName) {
                    let props = properties(members, excluding: Self.schemaReserved)
                    let logical = logicalType(of: primitive, properties: props, path: path)
                    return .primitive(primitive, AvroAnnotations(logicalType: logical, properties: props))
                }
                // `{"type":"SomeName"}` is a reference to a named type written as an object.
                return try resolveReference(typeName, namespace: namespace, path: path + "/type")
            }
        default:
            throw error(.invalidAttribute, path, "a schema must be a string, an object or an array")
        }
    }

    private func unionBranchKey(_ type: AvroType) -> String {
        switch type {
        case .primitive(let primitive, _): return primitive.rawValue
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        default: return type.fullName ?? "?"
        }
    }

    private func properties(_ object: JSONObject, excluding reserved: Set<String>) -> [(String, JSONValue)] {
        object.members.filter { !reserved.contains($0.key) }.map { ($0.key, $0.value) }
    }

    private func resolveReference(_ name: String, namespace: String?, path: String) throws(AvroSchemaError) -> AvroType {
        if let primitive = AvroPrimitive(rawValue: name) { return .primitive(primitive, .none) }
        let candidates: [String]
        if name.contains(".") {
            candidates = [name]
        } else if let namespace {
            candidates = [namespace + "." + name, name]
        } else {
            candidates = [name]
        }
        for candidate in candidates where declared.contains(candidate) {
            return .reference(candidate)
        }
        throw error(.unknownType, path, "'\(name)' is not a primitive type nor a named type defined before this point")
    }

    // MARK: Names

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        func letter(_ scalar: Unicode.Scalar) -> Bool {
            (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z") || scalar == "_"
        }
        guard letter(first) else { return false }
        return name.unicodeScalars.allSatisfy { letter($0) || ($0 >= "0" && $0 <= "9") }
    }

    private func validateFullName(_ fullName: String, path: String) throws(AvroSchemaError) {
        let parts = fullName.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts where !Self.isValidName(String(part)) {
            throw error(.invalidName, path, "'\(fullName)' is not a valid Avro name (each part must match [A-Za-z_][A-Za-z0-9_]*)")
        }
    }

    /// Resolves `name` and `namespace` attributes against the enclosing namespace and declares
    /// the full name, so the type's own body may refer to it.
    private mutating func declareName(_ json: JSONValue, namespace: String?, path: String) throws(AvroSchemaError) -> AvroName {
        guard let nameValue = json["name"] else { throw error(.missingAttribute, path, "named type has no 'name'") }
        guard case .string(let rawName) = nameValue else {
            throw error(.invalidAttribute, path + "/name", "'name' must be a string")
        }
        var resolvedNamespace = namespace
        if let namespaceValue = json["namespace"] {
            guard case .string(let explicit) = namespaceValue else {
                throw error(.invalidAttribute, path + "/namespace", "'namespace' must be a string")
            }
            resolvedNamespace = explicit
            if !explicit.isEmpty { try validateFullName(explicit, path: path + "/namespace") }
        }
        let name: AvroName
        if let lastDot = rawName.lastIndex(of: ".") {
            name = AvroName(name: String(rawName[rawName.index(after: lastDot)...]), namespace: String(rawName[..<lastDot]))
        } else {
            name = AvroName(name: rawName, namespace: resolvedNamespace)
        }
        try validateFullName(name.fullName, path: path + "/name")
        if AvroPrimitive(rawValue: name.fullName) != nil {
            throw error(.invalidName, path + "/name", "'\(name.fullName)' is a primitive type name and cannot be redefined")
        }
        guard declared.insert(name.fullName).inserted else {
            throw error(.duplicateName, path + "/name", "named type '\(name.fullName)' is defined more than once")
        }
        return name
    }

    private func optionalString(_ json: JSONValue, _ key: String, path: String) throws(AvroSchemaError) -> String? {
        guard let value = json[key] else { return nil }
        guard case .string(let text) = value else {
            throw error(.invalidAttribute, path + "/" + key, "'\(key)' must be a string")
        }
        return text
    }

    private func aliases(_ json: JSONValue, namespace: String?, path: String, qualify: Bool) throws(AvroSchemaError) -> [String] {
        guard let value = json["aliases"] else { return [] }
        guard case .array(let entries) = value else {
            throw error(.invalidAttribute, path + "/aliases", "'aliases' must be an array of strings")
        }
        var result: [String] = []
        for (index, entry) in entries.enumerated() {
            guard case .string(let alias) = entry else {
                throw error(.invalidAttribute, path + "/aliases/\(index)", "alias must be a string")
            }
            try validateFullName(alias, path: path + "/aliases/\(index)")
            if qualify, !alias.contains("."), let namespace {
                result.append(namespace + "." + alias)
            } else {
                result.append(alias)
            }
        }
        return result
    }

    // MARK: Named types

    private mutating func parseRecord(_ json: JSONValue, members: JSONObject, isError: Bool, namespace: String?, path: String, depth: Int) throws(AvroSchemaError) -> AvroType {
        let name = try declareName(json, namespace: namespace, path: path)
        let doc = try optionalString(json, "doc", path: path)
        let recordAliases = try aliases(json, namespace: name.namespace, path: path, qualify: true)
        guard let fieldsValue = json["fields"] else { throw error(.missingAttribute, path, "record '\(name)' has no 'fields'") }
        guard case .array(let fieldValues) = fieldsValue else {
            throw error(.invalidAttribute, path + "/fields", "'fields' must be an array")
        }
        var fields: [AvroField] = []
        var fieldNames: Set<String> = []
        for (index, fieldValue) in fieldValues.enumerated() {
            let fieldPath = path + "/fields/\(index)"
            guard case .object(let fieldMembers) = fieldValue else {
                throw error(.invalidAttribute, fieldPath, "a field must be an object")
            }
            guard let fieldName = try optionalString(fieldValue, "name", path: fieldPath) else {
                throw error(.missingAttribute, fieldPath, "field has no 'name'")
            }
            guard Self.isValidName(fieldName) else {
                throw error(.invalidName, fieldPath + "/name", "'\(fieldName)' is not a valid field name")
            }
            guard fieldNames.insert(fieldName).inserted else {
                throw error(.duplicateField, fieldPath + "/name", "record '\(name)' has more than one field named '\(fieldName)'")
            }
            guard let typeValue = fieldValue["type"] else {
                throw error(.missingAttribute, fieldPath, "field '\(fieldName)' has no 'type'")
            }
            let fieldType = try parseType(typeValue, namespace: name.namespace, path: fieldPath + "/type", depth: depth + 1)
            var order = AvroFieldOrder.ascending
            if let orderText = try optionalString(fieldValue, "order", path: fieldPath) {
                guard let parsed = AvroFieldOrder(rawValue: orderText) else {
                    throw error(.invalidAttribute, fieldPath + "/order", "order must be ascending, descending or ignore, not '\(orderText)'")
                }
                order = parsed
            }
            let defaultJSON = fieldValue["default"]
            if let defaultJSON {
                pendingDefaults.append(PendingDefault(json: defaultJSON, type: fieldType, path: fieldPath + "/default"))
            }
            fields.append(AvroField(
                name: fieldName, type: fieldType,
                doc: try optionalString(fieldValue, "doc", path: fieldPath),
                defaultJSON: defaultJSON, order: order,
                aliases: try aliases(fieldValue, namespace: nil, path: fieldPath, qualify: false),
                properties: properties(fieldMembers, excluding: Self.fieldReserved)))
        }
        let type = AvroType.record(AvroRecord(
            name: name, doc: doc, aliases: recordAliases, fields: fields, isError: isError,
            properties: properties(members, excluding: Self.schemaReserved)))
        definitions[name.fullName] = type
        return type
    }

    private mutating func parseEnum(_ json: JSONValue, members: JSONObject, namespace: String?, path: String) throws(AvroSchemaError) -> AvroType {
        let name = try declareName(json, namespace: namespace, path: path)
        guard let symbolsValue = json["symbols"] else { throw error(.missingAttribute, path, "enum '\(name)' has no 'symbols'") }
        guard case .array(let symbolValues) = symbolsValue else {
            throw error(.invalidAttribute, path + "/symbols", "'symbols' must be an array of strings")
        }
        var symbols: [String] = []
        var ordinals: [String: Int] = [:]
        for (index, value) in symbolValues.enumerated() {
            guard case .string(let symbol) = value, Self.isValidName(symbol) else {
                throw error(.invalidName, path + "/symbols/\(index)", "enum symbol must be a string matching [A-Za-z_][A-Za-z0-9_]*")
            }
            guard ordinals[symbol] == nil else {
                throw error(.duplicateSymbol, path + "/symbols/\(index)", "enum '\(name)' lists symbol '\(symbol)' twice")
            }
            ordinals[symbol] = index
            symbols.append(symbol)
        }
        let defaultSymbol = try optionalString(json, "default", path: path)
        if let defaultSymbol, ordinals[defaultSymbol] == nil {
            throw error(.invalidDefault, path + "/default", "enum default '\(defaultSymbol)' is not one of the symbols of '\(name)'")
        }
        let type = AvroType.enumeration(AvroEnum(
            name: name, doc: try optionalString(json, "doc", path: path),
            aliases: try aliases(json, namespace: name.namespace, path: path, qualify: true),
            symbols: symbols, defaultSymbol: defaultSymbol,
            properties: properties(members, excluding: Self.enumReserved), ordinals: ordinals))
        definitions[name.fullName] = type
        return type
    }

    private mutating func parseFixed(_ json: JSONValue, members: JSONObject, namespace: String?, path: String) throws(AvroSchemaError) -> AvroType {
        let name = try declareName(json, namespace: namespace, path: path)
        guard let sizeValue = json["size"] else { throw error(.missingAttribute, path, "fixed '\(name)' has no 'size'") }
        guard case .integer(let size) = sizeValue, size >= 0, size <= Int64(Int32.max) else {
            throw error(.invalidAttribute, path + "/size", "'size' must be a non-negative integer")
        }
        let props = properties(members, excluding: Self.schemaReserved)
        let logical = fixedLogicalType(size: Int(size), properties: props, path: path)
        let type = AvroType.fixed(AvroFixed(
            name: name, doc: try optionalString(json, "doc", path: path),
            aliases: try aliases(json, namespace: name.namespace, path: path, qualify: true),
            size: Int(size), logicalType: logical, properties: props))
        definitions[name.fullName] = type
        return type
    }

    // MARK: Logical types

    private func property(_ properties: [(String, JSONValue)], _ key: String) -> JSONValue? {
        properties.first(where: { $0.0 == key })?.1
    }

    private mutating func ignore(_ logicalName: String, _ path: String, _ reason: String) -> AvroLogicalType? {
        warnings.append(AvroSchemaWarning(path: path + "/logicalType", message: "logical type '\(logicalName)' ignored: \(reason)"))
        return nil
    }

    /// Reads precision and scale; nil (with a warning) when they are not valid for `maxPrecision`.
    private mutating func decimal(_ properties: [(String, JSONValue)], maxPrecision: Int, path: String) -> AvroLogicalType? {
        guard case .integer(let precision)? = property(properties, "precision"), precision > 0 else {
            return ignore("decimal", path, "'precision' must be a positive integer")
        }
        var scale: Int64 = 0
        if let scaleValue = property(properties, "scale") {
            guard case .integer(let value) = scaleValue, value >= 0 else {
                return ignore("decimal", path, "'scale' must be a non-negative integer")
            }
            scale = value
        }
        guard scale <= precision else { return ignore("decimal", path, "scale \(scale) exceeds precision \(precision)") }
        guard precision <= Int64(maxPrecision) else {
            return ignore("decimal", path, "precision \(precision) exceeds the \(maxPrecision) digits the type can hold")
        }
        return .decimal(precision: Int(precision), scale: Int(scale))
    }

    private mutating func logicalType(of primitive: AvroPrimitive, properties: [(String, JSONValue)], path: String) -> AvroLogicalType? {
        guard case .string(let logicalName)? = property(properties, "logicalType") else { return nil }
        let expected: (AvroPrimitive, AvroLogicalType)?
        switch logicalName {
        case "decimal":
            guard primitive == .bytes else { return ignore(logicalName, path, "decimal needs bytes or fixed") }
            return decimal(properties, maxPrecision: Int.max, path: path)
        case "big-decimal": expected = (.bytes, .bigDecimal)
        case "uuid": expected = (.string, .uuid)
        case "date": expected = (.int, .date)
        case "time-millis": expected = (.int, .timeMillis)
        case "time-micros": expected = (.long, .timeMicros)
        case "timestamp-millis": expected = (.long, .timestampMillis)
        case "timestamp-micros": expected = (.long, .timestampMicros)
        case "timestamp-nanos": expected = (.long, .timestampNanos)
        case "local-timestamp-millis": expected = (.long, .localTimestampMillis)
        case "local-timestamp-micros": expected = (.long, .localTimestampMicros)
        case "local-timestamp-nanos": expected = (.long, .localTimestampNanos)
        case "duration": return ignore(logicalName, path, "duration needs fixed of size 12")
        default: return ignore(logicalName, path, "unknown logical type")
        }
        guard let (underlying, logical) = expected, underlying == primitive else {
            return ignore(logicalName, path, "not valid on \(primitive.rawValue)")
        }
        return logical
    }

    private mutating func fixedLogicalType(size: Int, properties: [(String, JSONValue)], path: String) -> AvroLogicalType? {
        guard case .string(let logicalName)? = property(properties, "logicalType") else { return nil }
        switch logicalName {
        case "decimal":
            // A size-n two's-complement number holds floor(log10(2^(8n-1) - 1)) decimal digits.
            let bits = Double(8 * size - 1)
            let digits = size == 0 ? 0 : Int((bits * 0.30102999566398120).rounded(.down))
            return decimal(properties, maxPrecision: digits, path: path)
        case "uuid":
            return size == 16 ? .uuid : ignore(logicalName, path, "uuid on fixed needs size 16")
        case "duration":
            return size == 12 ? .duration : ignore(logicalName, path, "duration needs fixed of size 12")
        default:
            return ignore(logicalName, path, "not valid on fixed")
        }
    }
}
