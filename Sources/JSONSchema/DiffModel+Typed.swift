// Reading the type-specific keywords of one schema object into a typed DiffSchema (split from
// DiffModel.swift to keep files short).

extension DiffModelLoader {
    private static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .integer(let number)?: return Int(clamping: number)
        case .number(let number)? where number.isFinite && number.rounded() == number && abs(number) < 9e18:
            return Int(number)
        default: return nil
        }
    }

    func typed(
        _ name: String, _ object: JSONObject, _ text: String, _ document: String, _ pointer: String, _ depth: Int
    ) throws -> DiffSchema {
        func child(_ value: JSONValue, _ suffix: String) throws -> DiffSchema {
            try childSchema(value, document, pointer + suffix, depth)
        }
        switch name {
        case "string":
            let node = DiffSchema(kind: .string, canonical: "string" + text)
            node.minLength = Self.integer(object["minLength"])
            node.maxLength = Self.integer(object["maxLength"])
            node.pattern = object["pattern"]?.stringValue
            return node
        case "number", "integer":
            let node = DiffSchema(kind: .number, canonical: name + text)
            node.requiresInteger = name == "integer"
            node.minimum = object["minimum"]?.doubleValue
            node.maximum = object["maximum"]?.doubleValue
            node.exclusiveMinimum = object["exclusiveMinimum"]?.doubleValue
            node.exclusiveMaximum = object["exclusiveMaximum"]?.doubleValue
            node.multipleOf = object["multipleOf"]?.doubleValue
            return node
        case "boolean": return DiffSchema(kind: .boolean, canonical: "boolean")
        case "null": return DiffSchema(kind: .null, canonical: "null")
        case "object":
            let node = DiffSchema(kind: .object, canonical: "object" + text)
            if case .object(let properties)? = object["properties"] {
                node.properties = try properties.members.map {
                    ($0.key, try child($0.value, "/properties/" + JSONPointer.escape($0.key)))
                }
            }
            node.required = Set(object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            if case .object(let patterns)? = object["patternProperties"] {
                node.patternProperties = try patterns.members.map {
                    ($0.key, try child($0.value, "/patternProperties/" + JSONPointer.escape($0.key)))
                }
            }
            switch object["additionalProperties"] {
            case .bool(let permitted)?: node.permitsAdditionalProperties = permitted
            case let value?: node.additionalProperties = try child(value, "/additionalProperties")
            case nil: break
            }
            if let value = object["unevaluatedProperties"] {
                node.unevaluatedProperties = try child(value, "/unevaluatedProperties")
            }
            for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
                guard case .object(let map)? = object[keyword] else { continue }
                for (trigger, value) in map.members {
                    if case .array(let names) = value {
                        node.propertyDependencies[trigger] = Set(names.compactMap(\.stringValue))
                    } else {
                        node.schemaDependencies[trigger] = try child(value, "/\(keyword)/" + JSONPointer.escape(trigger))
                    }
                }
            }
            node.minProperties = Self.integer(object["minProperties"])
            node.maxProperties = Self.integer(object["maxProperties"])
            return node
        case "array":
            let node = DiffSchema(kind: .array, canonical: "array" + text)
            if case .array(let prefix)? = object["prefixItems"] {
                // 2020-12: prefixItems is the tuple, items applies to the rest (old additionalItems).
                node.itemSchemas = try prefix.enumerated().map { try child($0.element, "/prefixItems/\($0.offset)") }
                switch object["items"] {
                case .bool(let permitted)?: node.permitsAdditionalItems = permitted
                case let value?: node.additionalItems = try child(value, "/items")
                case nil: break
                }
            } else {
                switch object["items"] {
                case .bool(let permitted)? where isModernDraft:
                    node.permitsAdditionalItems = permitted
                case .array(let tuple)?:
                    node.itemSchemas = try tuple.enumerated().map { try child($0.element, "/items/\($0.offset)") }
                case let value?: node.allItems = try child(value, "/items")
                case nil: break
                }
                switch object["additionalItems"] {
                case .bool(let permitted)?: node.permitsAdditionalItems = permitted
                case let value?: node.additionalItems = try child(value, "/additionalItems")
                case nil: break
                }
            }
            if let value = object["unevaluatedItems"] { node.unevaluatedItems = try child(value, "/unevaluatedItems") }
            node.minItems = Self.integer(object["minItems"])
            node.maxItems = Self.integer(object["maxItems"])
            node.uniqueItems = object["uniqueItems"]?.boolValue ?? false
            node.minContains = Self.integer(object["minContains"])
            node.maxContains = Self.integer(object["maxContains"])
            return node
        default:
            throw SchemaError.invalidKeyword(location: document + "#" + pointer, keyword: "type", reason: "unknown type \(name)")
        }
    }
}
