// Avro's JSON encoding (spec §JSON Encoding) to and from AvroValue, and conversion of field
// default values (which use the same encoding except that a union default is not wrapped and
// belongs to the first branch, or to any branch under UnionDefaultRule.anyBranch).
import JSON

public enum AvroJSON {
    /// Encodes `value` as Avro JSON text under `schema`.
    public static func encode(_ value: AvroValue, schema: AvroSchema) throws(AvroValueError) -> String {
        try schema.jsonValue(value, type: schema.root, path: "").compactText
    }

    /// Decodes Avro JSON text under `schema`.
    public static func decode(_ text: String, schema: AvroSchema) throws(AvroValueError) -> AvroValue {
        let json: JSONValue
        do {
            json = try JSONValue.parseAvro(text)
        } catch {
            throw AvroValueError(kind: .invalidJSON, path: "", message: error.avroDescription)
        }
        return try schema.value(fromJSON: json, type: schema.root, path: "", wrappedUnions: true)
    }
}

extension AvroSchema {
    /// The AvroValue a field default stands for; throws if it does not fit `type`.
    func defaultValue(_ json: JSONValue, type: AvroType, path: String) throws(AvroValueError) -> AvroValue {
        try value(fromJSON: json, type: type, path: path, wrappedUnions: false)
    }

    /// The default value of a record field, decoded under the field's type.
    public func defaultValue(of field: AvroField) throws(AvroValueError) -> AvroValue? {
        guard let json = field.defaultJSON else { return nil }
        return try defaultValue(json, type: field.type, path: "")
    }

    private func mismatch(_ path: String, _ expected: String, _ json: JSONValue) -> AvroValueError {
        AvroValueError(kind: .typeMismatch, path: path, message: "expected \(expected), found \(json.compactText.prefix(80))")
    }

    /// Name used to tag a union branch in JSON: primitive name, "array", "map" or full name.
    func unionTag(_ type: AvroType) -> String {
        switch type {
        case .primitive(let primitive, _): return primitive.rawValue
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        default: return type.fullName ?? ""
        }
    }

    private static func bytes(fromCodePoints text: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xff else { return nil }
            result.append(UInt8(scalar.value))
        }
        return result
    }

    private static func codePoints(_ bytes: [UInt8]) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return text
    }

    private static func floatingPoint(_ json: JSONValue) -> Double? {
        switch json {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }

    func value(fromJSON json: JSONValue, type: AvroType, path: String, wrappedUnions: Bool) throws(AvroValueError) -> AvroValue {
        switch resolve(type) {
        case .primitive(let primitive, _):
            switch (primitive, json) {
            case (.null, .null): return .null
            case (.boolean, .bool(let value)): return .boolean(value)
            case (.int, .integer(let value)):
                guard let narrowed = Int32(exactly: value) else { throw mismatch(path, "an int (32-bit)", json) }
                return .int(narrowed)
            case (.long, .integer(let value)): return .long(value)
            case (.float, _):
                guard let number = Self.floatingPoint(json) else { throw mismatch(path, "a number", json) }
                return .float(Float(number))
            case (.double, _):
                guard let number = Self.floatingPoint(json) else { throw mismatch(path, "a number", json) }
                return .double(number)
            case (.bytes, .string(let text)):
                guard let bytes = Self.bytes(fromCodePoints: text) else { throw mismatch(path, "bytes as code points 0-255", json) }
                return .bytes(bytes)
            case (.string, .string(let text)): return .string(text)
            default: throw mismatch(path, primitive.rawValue, json)
            }
        case .fixed(let fixed):
            guard case .string(let text) = json, let bytes = Self.bytes(fromCodePoints: text) else {
                throw mismatch(path, "fixed bytes as code points 0-255", json)
            }
            guard bytes.count == fixed.size else {
                throw AvroValueError(kind: .fixedSizeMismatch, path: path, message: "fixed '\(fixed.name)' needs \(fixed.size) bytes, found \(bytes.count)")
            }
            return .fixed(bytes)
        case .enumeration(let enumeration):
            guard case .string(let symbol) = json else { throw mismatch(path, "an enum symbol", json) }
            guard enumeration.ordinals[symbol] != nil else {
                throw AvroValueError(kind: .unknownSymbol, path: path, message: "'\(symbol)' is not a symbol of enum '\(enumeration.name)'")
            }
            return .enumeration(symbol)
        case .array(let items, _):
            guard case .array(let elements) = json else { throw mismatch(path, "an array", json) }
            var values: [AvroValue] = []
            values.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                values.append(try value(fromJSON: element, type: items, path: path + "/\(index)", wrappedUnions: wrappedUnions))
            }
            return .array(values)
        case .map(let valueType, _):
            guard case .object(let object) = json else { throw mismatch(path, "an object (map)", json) }
            var values: [String: AvroValue] = [:]
            for (key, member) in object.members {
                values[key] = try value(fromJSON: member, type: valueType, path: path + "/" + key, wrappedUnions: wrappedUnions)
            }
            return .map(values)
        case .record(let record):
            guard case .object = json else { throw mismatch(path, "an object (record '\(record.name)')", json) }
            var values: [AvroValue] = []
            values.reserveCapacity(record.fields.count)
            for field in record.fields {
                let fieldPath = path + "/" + field.name
                if let member = json[field.name] {
                    values.append(try value(fromJSON: member, type: field.type, path: fieldPath, wrappedUnions: wrappedUnions))
                } else if let fieldDefault = field.defaultJSON {
                    values.append(try value(fromJSON: fieldDefault, type: field.type, path: fieldPath, wrappedUnions: false))
                } else {
                    throw AvroValueError(kind: .missingField, path: fieldPath, message: "record '\(record.name)' needs field '\(field.name)'")
                }
            }
            return .record(values)
        case .union(let branches):
            if wrappedUnions {
                if case .null = json, let index = branches.firstIndex(where: { unionTag($0) == "null" }) {
                    return .union(branch: index, .null)
                }
                guard case .object(let object) = json, object.count == 1 else {
                    throw mismatch(path, "null or a single-member object tagging the union branch", json)
                }
                let (tag, member) = object.members[0]
                guard let index = branches.firstIndex(where: { unionTag($0) == tag }) else {
                    throw AvroValueError(kind: .typeMismatch, path: path, message: "union has no branch '\(tag)'")
                }
                return .union(branch: index, try value(fromJSON: member, type: branches[index], path: path + "/" + tag, wrappedUnions: true))
            }
            guard !branches.isEmpty else { throw mismatch(path, "a value of an empty union", json) }
            switch options.unionDefaultRule {
            case .firstBranch:
                return .union(branch: 0, try value(fromJSON: json, type: branches[0], path: path, wrappedUnions: false))
            case .anyBranch:
                for (index, branch) in branches.enumerated() {
                    if let decoded = try? value(fromJSON: json, type: branch, path: path, wrappedUnions: false) {
                        return .union(branch: index, decoded)
                    }
                }
                throw mismatch(path, "a value of one of the union branches", json)
            }
        case .reference(let name):
            throw AvroValueError(kind: .typeMismatch, path: path, message: "named type '\(name)' is not defined")
        }
    }

    func jsonValue(_ value: AvroValue, type: AvroType, path: String) throws(AvroValueError) -> JSONValue {
        let resolved = resolve(type)
        switch (resolved, value) {
        case (.primitive(.null, _), .null): return .null
        case (.primitive(.boolean, _), .boolean(let flag)): return .bool(flag)
        case (.primitive(.int, _), .int(let number)): return .integer(Int64(number))
        case (.primitive(.long, _), .long(let number)): return .integer(number)
        case (.primitive(.float, _), .float(let number)):
            if !number.isFinite { return .string(number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity")) }
            return .number(Double(String(number)) ?? Double(number))
        case (.primitive(.double, _), .double(let number)):
            if !number.isFinite { return .string(number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity")) }
            return .number(number)
        case (.primitive(.bytes, _), .bytes(let bytes)): return .string(Self.codePoints(bytes))
        case (.primitive(.string, _), .string(let text)): return .string(text)
        case (.fixed(let fixed), .fixed(let bytes)):
            guard bytes.count == fixed.size else {
                throw AvroValueError(kind: .fixedSizeMismatch, path: path, message: "fixed '\(fixed.name)' needs \(fixed.size) bytes, found \(bytes.count)")
            }
            return .string(Self.codePoints(bytes))
        case (.enumeration(let enumeration), .enumeration(let symbol)):
            guard enumeration.ordinals[symbol] != nil else {
                throw AvroValueError(kind: .unknownSymbol, path: path, message: "'\(symbol)' is not a symbol of enum '\(enumeration.name)'")
            }
            return .string(symbol)
        case (.array(let items, _), .array(let elements)):
            var result: [JSONValue] = []
            result.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                result.append(try jsonValue(element, type: items, path: path + "/\(index)"))
            }
            return .array(result)
        case (.map(let valueType, _), .map(let entries)):
            var members: [(String, JSONValue)] = []
            for key in entries.keys.sorted() {
                guard let entry = entries[key] else { continue }
                members.append((key, try jsonValue(entry, type: valueType, path: path + "/" + key)))
            }
            return .object(JSONObject(members))
        case (.record(let record), .record(let fieldValues)):
            guard fieldValues.count == record.fields.count else {
                throw AvroValueError(kind: .typeMismatch, path: path, message: "record '\(record.name)' has \(record.fields.count) fields, value has \(fieldValues.count)")
            }
            var members: [(String, JSONValue)] = []
            for (field, fieldValue) in zip(record.fields, fieldValues) {
                members.append((field.name, try jsonValue(fieldValue, type: field.type, path: path + "/" + field.name)))
            }
            return .object(JSONObject(members))
        case (.union(let branches), .union(let index, let inner)):
            guard branches.indices.contains(index) else {
                throw AvroValueError(kind: .unionBranchOutOfRange, path: path, message: "union has \(branches.count) branches, value uses branch \(index)")
            }
            let encoded = try jsonValue(inner, type: branches[index], path: path + "/\(index)")
            if case .primitive(.null, _) = resolve(branches[index]) { return .null }
            return .object(JSONObject([(unionTag(branches[index]), encoded)]))
        default:
            throw AvroValueError(kind: .typeMismatch, path: path, message: "value \(value.caseName) does not fit schema \(unionTag(resolved))")
        }
    }
}
