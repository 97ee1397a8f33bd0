// The Avro schema model: a tree of `AvroType` nodes as written in the schema text, with every
// named type defined once at its first occurrence and later occurrences kept as `.reference`
// to its full name. `AvroSchema` owns the tree plus the table of named definitions, so any
// reference can be followed (recursive records included) without cycles in the values.
import JSON

public enum AvroPrimitive: String, Sendable, CaseIterable, Hashable {
    case null, boolean, int, long, float, double, bytes, string
}

/// A name with its namespace resolved per the specification (§Names).
public struct AvroName: Hashable, Sendable, CustomStringConvertible {
    /// The unqualified name.
    public let name: String
    /// The namespace; nil for the null namespace (the spec treats "" the same way).
    public let namespace: String?

    public init(name: String, namespace: String?) {
        self.name = name
        self.namespace = (namespace?.isEmpty ?? true) ? nil : namespace
    }

    public var fullName: String {
        if let namespace { return namespace + "." + name }
        return name
    }

    public var description: String { fullName }
}

public enum AvroLogicalType: Hashable, Sendable {
    case decimal(precision: Int, scale: Int)
    case bigDecimal
    case uuid
    case date
    case timeMillis, timeMicros
    case timestampMillis, timestampMicros, timestampNanos
    case localTimestampMillis, localTimestampMicros, localTimestampNanos
    case duration
}

public enum AvroFieldOrder: String, Sendable, Hashable {
    case ascending, descending, ignore
}

/// Logical type and custom properties of an unnamed type (primitive, array, map).
public struct AvroAnnotations: Sendable {
    /// The logical type when it is valid for its underlying type; invalid ones are ignored
    /// (spec §Logical Types) but their attributes stay in `properties`.
    public var logicalType: AvroLogicalType?
    /// Every attribute that is not part of the type's structure, in source order
    /// (logicalType, precision and scale included, as Avro-Java keeps them).
    var properties: [(String, JSONValue)]

    static let none = AvroAnnotations(logicalType: nil, properties: [])

    /// Custom properties as (name, compact JSON text) pairs in source order.
    public var propertyTexts: [(name: String, jsonText: String)] {
        properties.map { ($0.0, $0.1.compactText) }
    }
}

public struct AvroField: Sendable {
    public let name: String
    public let type: AvroType
    public let doc: String?
    /// The default as written in the schema; validated against `type` when the schema was parsed
    /// with `validateDefaults`.
    let defaultJSON: JSONValue?
    public let order: AvroFieldOrder
    public let aliases: [String]
    var properties: [(String, JSONValue)]

    public var hasDefault: Bool { defaultJSON != nil }
    /// The default value as compact JSON text (Avro's JSON encoding, unions not wrapped).
    public var defaultJSONText: String? { defaultJSON?.compactText }
}

public struct AvroRecord: Sendable {
    public let name: AvroName
    public let doc: String?
    /// Aliases resolved to full names.
    public let aliases: [String]
    public let fields: [AvroField]
    /// True for Avro's `"type":"error"` (a record used in protocols).
    public let isError: Bool
    var properties: [(String, JSONValue)]

    /// Index of the field with this name.
    public func fieldIndex(named fieldName: String) -> Int? {
        fields.firstIndex(where: { $0.name == fieldName })
    }
}

public struct AvroEnum: Sendable {
    public let name: AvroName
    public let doc: String?
    public let aliases: [String]
    public let symbols: [String]
    /// The symbol readers use for writer symbols they do not know (spec §Enums).
    public let defaultSymbol: String?
    var properties: [(String, JSONValue)]
    /// Symbol → ordinal, built once so encoding does not search the list.
    let ordinals: [String: Int]
}

public struct AvroFixed: Sendable {
    public let name: AvroName
    public let doc: String?
    public let aliases: [String]
    public let size: Int
    public let logicalType: AvroLogicalType?
    var properties: [(String, JSONValue)]
}

public indirect enum AvroType: Sendable {
    case primitive(AvroPrimitive, AvroAnnotations)
    case record(AvroRecord)
    case enumeration(AvroEnum)
    case array(items: AvroType, AvroAnnotations)
    case map(values: AvroType, AvroAnnotations)
    case union([AvroType])
    case fixed(AvroFixed)
    /// A use of a named type defined earlier (or enclosing, for recursion), by full name.
    case reference(String)

    /// The full name for named types and references; nil otherwise.
    public var fullName: String? {
        switch self {
        case .record(let record): return record.name.fullName
        case .enumeration(let enumeration): return enumeration.name.fullName
        case .fixed(let fixed): return fixed.name.fullName
        case .reference(let name): return name
        default: return nil
        }
    }

    public static func primitive(_ primitive: AvroPrimitive) -> AvroType {
        .primitive(primitive, .none)
    }
}

/// A non-fatal finding while parsing, e.g. a logical type ignored because it is invalid.
public struct AvroSchemaWarning: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path.isEmpty ? "/" : path): \(message)" }
}

public struct AvroSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case invalidJSON, missingAttribute, invalidAttribute, unknownType, invalidName
        case duplicateName, duplicateField, duplicateSymbol, invalidDefault, nestingTooDeep
        case duplicateUnionBranch, nestedUnion
    }
    public let kind: Kind
    /// JSON-pointer-like location in the schema document ("" is the root).
    public let path: String
    public let message: String

    public var description: String { "\(path.isEmpty ? "/" : path): \(message)" }
}

public struct AvroSchemaParseOptions: Sendable {
    /// Which union branch a field default must match.
    public enum UnionDefaultRule: Sendable {
        /// Avro 1.11 spec and Avro-Java (what Confluent runs): the first branch.
        case firstBranch
        /// Current spec text: any branch; the first branch that accepts it is used.
        case anyBranch
    }
    public var validateDefaults: Bool
    public var unionDefaultRule: UnionDefaultRule

    public init(validateDefaults: Bool = true, unionDefaultRule: UnionDefaultRule = .firstBranch) {
        self.validateDefaults = validateDefaults
        self.unionDefaultRule = unionDefaultRule
    }
}

public struct AvroSchema: Sendable {
    public let root: AvroType
    /// Every named type by full name, as defined at its first occurrence.
    public let namedTypes: [String: AvroType]
    public let warnings: [AvroSchemaWarning]
    let options: AvroSchemaParseOptions

    /// Follows a `.reference` to its definition; other nodes are returned unchanged.
    public func resolve(_ type: AvroType) -> AvroType {
        if case .reference(let name) = type, let definition = namedTypes[name] { return definition }
        return type
    }

    public static func parse(_ json: String, options: AvroSchemaParseOptions = AvroSchemaParseOptions()) throws(AvroSchemaError) -> AvroSchema {
        let document: JSONValue
        do {
            document = try JSONValue.parseAvro(json)
        } catch {
            throw AvroSchemaError(kind: .invalidJSON, path: "", message: error.avroDescription)
        }
        var parser = AvroSchemaParser(options: options)
        let root = try parser.parseType(document, namespace: nil, path: "", depth: 0)
        let schema = AvroSchema(root: root, namedTypes: parser.definitions, warnings: parser.warnings, options: options)
        if options.validateDefaults {
            for pending in parser.pendingDefaults {
                do {
                    _ = try schema.defaultValue(pending.json, type: pending.type, path: pending.path)
                } catch {
                    throw AvroSchemaError(kind: .invalidDefault, path: pending.path, message: error.description)
                }
            }
        }
        return schema
    }
}
