// The generic Avro datum: one case per schema type. Records are positional (field values in
// the schema's field order) so decoding does not build dictionaries; unions carry the index
// of the branch the value belongs to, so encoding never has to guess.
public indirect enum AvroValue: Hashable, Sendable {
    case null
    case boolean(Bool)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case bytes([UInt8])
    case string(String)
    /// Field values in the order of the record schema's fields.
    case record([AvroValue])
    /// The symbol (not the ordinal), so values survive schema evolution that reorders symbols.
    case enumeration(String)
    case array([AvroValue])
    case map([String: AvroValue])
    case union(branch: Int, AvroValue)
    case fixed([UInt8])
}

/// A datum that does not fit its schema, or bytes/JSON that do not decode under it.
public struct AvroValueError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case typeMismatch, unknownSymbol, unionBranchOutOfRange, fixedSizeMismatch
        case truncatedInput, invalidVarint, invalidUTF8, limitExceeded, trailingBytes
        case invalidJSON, missingField, resolutionFailure
    }
    public let kind: Kind
    /// Where in the datum (JSON-pointer-like: /field/0/key) the problem is.
    public let path: String
    public let message: String

    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "/" : path): \(message)" }
}

extension AvroValue {
    /// A short name of the case, for error messages.
    var caseName: String {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        case .record: return "record"
        case .enumeration: return "enum"
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        case .fixed: return "fixed"
        }
    }
}
