// JSONValue: the JSON document model used by the schema validator and the compatibility checker.
//
// Parsing goes through jansson (json_loadb) so that Brook shares one battle-tested JSON reader with
// the Avro core; serialization is done here in Swift because it is simple and avoids building a
// second tree of json_t values. Integers that fit in Int64 stay exact (`.integer`); everything else
// numeric is a `.number(Double)`. Objects keep their keys in document order.
import CJansson

/// A JSON value. Equality is JSON equality as JSON Schema defines it: numbers compare by
/// mathematical value (`1 == 1.0`), object member order does not matter.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object that remembers the order in which its keys appeared.
public struct JSONObject: Sendable, Equatable {
    /// Members in document order (iterating them needs no hashing).
    public private(set) var members: [(key: String, value: JSONValue)] = []
    private var positions: [String: Int] = [:]

    public init() {}

    init(minimumCapacity: Int) {
        members.reserveCapacity(minimumCapacity)
        positions.reserveCapacity(minimumCapacity)
    }

    public init(_ members: [(String, JSONValue)]) {
        for (key, value) in members { self[key] = value }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let newValue {
                if let position = positions[key] {
                    members[position].value = newValue
                } else {
                    positions[key] = members.count
                    members.append((key, newValue))
                }
            } else if let position = positions.removeValue(forKey: key) {
                members.remove(at: position)
                for index in position..<members.count { positions[members[index].key] = index }
            }
        }
    }

    public static func == (left: JSONObject, right: JSONObject) -> Bool {
        guard left.count == right.count else { return false }
        return left.members.allSatisfy { member in right[member.key].map { $0 == member.value } ?? false }
    }
}

extension JSONValue: Equatable {
    public static func == (left: JSONValue, right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)):
            return Double(exactly: a).map { $0 == b } ?? (b.rounded() == b && Int64(exactly: b) == a)
        // Swift's String == uses canonical equivalence; JSON compares code points.
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSONValue {
    /// The JSON Schema type name of this value ("integer" for integral numbers, including 1.0).
    public var schemaTypeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number(let value): return value.isFinite && value.rounded(.towardZero) == value ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The numeric value as a Double, for integers and numbers.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// Member lookup for objects; nil for other values.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}

// MARK: - Parsing

/// Where and why a JSON text failed to parse (from jansson's json_error_t).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    /// Byte offset into the input.
    public var position: Int

    public var description: String { "JSON parse error at line \(line), column \(column) (byte \(position)): \(message)" }
}

extension JSONValue {
    /// Deepest nesting accepted when converting a jansson tree (jansson itself stops at 2048).
    public static let nestingDepthMax = 2048

    /// Parses any JSON value (not only objects/arrays). NUL characters inside strings are allowed.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let contiguous = Array(bytes)
        var error = json_error_t()
        let flags = JSON_DECODE_ANY | JSON_ALLOW_NUL
        var root = contiguous.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    json_loadb($0, buffer.count, Int(flags), &error)
                }
            } ?? nil
        }
        if root == nil, json_error_code(&error) == json_error_numeric_overflow,
           textOf(error).contains("integer") {
            // jansson rejects integers beyond 64 bits; such documents are read again with every
            // integer as a real, which JSON Schema still treats as an integer when it is integral.
            error = json_error_t()
            root = contiguous.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                        json_loadb($0, buffer.count, Int(flags | JSON_DECODE_INT_AS_REAL), &error)
                    }
                } ?? nil
            }
        }
        guard let root else {
            if contiguous.isEmpty {
                throw JSONParseError(message: "empty input", line: 1, column: 0, position: 0)
            }
            throw JSONParseError(
                message: textOf(error), line: Int(error.line), column: Int(error.column),
                position: Int(error.position))
        }
        defer { json_decref(root) }
        return try convert(root, depth: 0)
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private static func textOf(_ error: json_error_t) -> String {
        var text = error.text
        return withUnsafeBytes(of: &text) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func convert(_ node: UnsafeMutablePointer<json_t>, depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < nestingDepthMax else {
            throw JSONParseError(message: "nesting deeper than \(nestingDepthMax)", line: 0, column: 0, position: 0)
        }
        switch node.pointee.type {
        case JSON_NULL: return .null
        case JSON_TRUE: return .bool(true)
        case JSON_FALSE: return .bool(false)
        case JSON_INTEGER: return .integer(Int64(json_integer_value(node)))
        case JSON_REAL: return .number(json_real_value(node))
        case JSON_STRING:
            let length = json_string_length(node)
            guard let pointer = json_string_value(node) else { return .string("") }
            let buffer = UnsafeRawBufferPointer(start: pointer, count: length)
            return .string(String(decoding: buffer, as: UTF8.self))
        case JSON_ARRAY:
            let count = json_array_size(node)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                guard let element = json_array_get(node, index) else { continue }
                elements.append(try convert(element, depth: depth + 1))
            }
            return .array(elements)
        case JSON_OBJECT:
            var object = JSONObject(minimumCapacity: json_object_size(node))
            var iterator = json_object_iter(node)
            while let current = iterator {
                if let keyPointer = json_object_iter_key(current), let valueNode = json_object_iter_value(current) {
                    let keyLength = json_object_iter_key_len(current)
                    let key = String(decoding: UnsafeRawBufferPointer(start: keyPointer, count: keyLength), as: UTF8.self)
                    object[key] = try convert(valueNode, depth: depth + 1)
                }
                iterator = json_object_iter_next(node, current)
            }
            return .object(object)
        default:
            throw JSONParseError(message: "unknown jansson value type", line: 0, column: 0, position: 0)
        }
    }
}

// MARK: - Serialization

extension JSONValue {
    /// Compact JSON text. Non-finite numbers (which JSON cannot express) are written as null.
    public func serialized(sortedKeys: Bool = false) -> String {
        var output = ""
        write(to: &output, sortedKeys: sortedKeys)
        return output
    }

    private func write(to output: inout String, sortedKeys: Bool) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .number(let value):
            if !value.isFinite {
                output += "null"
            } else if value.rounded(.towardZero) == value, abs(value) < 1e15 {
                output += String(Int64(value)) + ".0"
            } else {
                output += String(value)
            }
        case .string(let value): JSONValue.writeString(value, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output, sortedKeys: sortedKeys)
            }
            output += "]"
        case .object(let object):
            output += "{"
            let members = sortedKeys ? object.members.sorted { $0.key < $1.key } : object.members
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(member.key, to: &output)
                output += ":"
                member.value.write(to: &output, sortedKeys: sortedKeys)
            }
            output += "}"
        }
    }

    static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
