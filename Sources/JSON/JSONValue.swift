// JSONValue: Brook's one JSON document model, shared by the JSON Schema core (validation,
// compatibility) and the Avro core (schemas, defaults, JSON-encoded datums).
//
// Integers that fit in Int64 stay exact (`.integer`); every other number is a `.number(Double)`,
// so a reader can still tell `1` from `1.0` where it matters (Avro's int/long versus float/double).
// Objects keep their keys in document order, which Avro needs to print schemas as Avro-Java does.
// Parsing (JSONParsing.swift) goes through jansson; writing (JSONWriting.swift) is done in Swift.

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

    /// An empty object with room for `minimumCapacity` members.
    public init(minimumCapacity: Int) {
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
