// The compiled form of a schema: a tree (a graph, once `$ref` cycles are linked) of SchemaNode
// objects holding pre-digested checks, so validating many instances never re-reads the schema
// JSON. Nodes are built by SchemaCompiler and are immutable once the validator's init returns.

/// Why a schema could not be compiled.
public enum SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKeyword(location: String, keyword: String, reason: String)
    case unresolvableReference(String)
    case unknownMetaSchema(String)
    case invalidPattern(location: String, pattern: String)
    case tooDeep(location: String)
    case invalidDocument(uri: String, reason: String)

    public var description: String {
        switch self {
        case .invalidKeyword(let location, let keyword, let reason): return "\(location): invalid \(keyword): \(reason)"
        case .unresolvableReference(let uri): return "cannot resolve reference \(uri)"
        case .unknownMetaSchema(let uri): return "unknown meta-schema \(uri)"
        case .invalidPattern(let location, let pattern): return "\(location): invalid regular expression \(pattern)"
        case .tooDeep(let location): return "\(location): schema nested too deeply"
        case .invalidDocument(let uri, let reason): return "cannot load \(uri): \(reason)"
        }
    }
}

/// JSON types as a bit set, so a `type` check is one AND.
struct TypeSet: OptionSet {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1)
    static let boolean = TypeSet(rawValue: 2)
    static let integer = TypeSet(rawValue: 4)
    static let number = TypeSet(rawValue: 8)
    static let string = TypeSet(rawValue: 16)
    static let array = TypeSet(rawValue: 32)
    static let object = TypeSet(rawValue: 64)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        switch name {
        case "null": self = .null
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "number": self = [.number, .integer]
        case "string": self = .string
        case "array": self = .array
        case "object": self = .object
        default: return nil
        }
    }

    static func of(_ value: JSONValue) -> TypeSet {
        switch value {
        case .null: return .null
        case .bool: return .boolean
        case .integer: return .integer
        case .number(let number): return number.isFinite && number.rounded(.towardZero) == number ? .integer : .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }
}

/// A compiled ECMA-262 pattern. Patterns are compiled with Swift's Regex engine using
/// Unicode-scalar semantics and ASCII-only `\d`/`\w` (as ECMA-262 defines them).
struct Pattern: @unchecked Sendable {
    let source: String
    let regex: Regex<AnyRegexOutput>

    init?(_ source: String) {
        guard let regex = try? Regex(Pattern.translated(source)) else { return nil }
        self.source = source
        self.regex = regex.matchingSemantics(.unicodeScalar).asciiOnlyDigits().asciiOnlyWordCharacters()
    }

    /// Rewrites the ECMA-262 constructs Swift's Regex syntax reads differently: `\cX` control
    /// escapes, `\s` (ECMA includes U+FEFF), and the empty classes `[]` and `[^]`.
    static func translated(_ source: String) -> String {
        var output = ""
        var inClass = false
        var characters = Array(source)[...]
        while let character = characters.popFirst() {
            if character == "\\", let next = characters.first {
                characters.removeFirst()
                if next == "c", let letter = characters.first, letter.isASCII, letter.isLetter,
                   let value = letter.asciiValue {
                    characters.removeFirst()
                    output += "\\u{" + String(value & 31, radix: 16) + "}"
                } else if next == "s" {
                    output += inClass ? "\\s\\u{FEFF}" : "[\\s\\u{FEFF}]"
                } else if next == "S" && !inClass {
                    output += "[^\\s\\u{FEFF}]"
                } else {
                    output.append(character)
                    output.append(next)
                }
            } else if character == "[" && !inClass {
                if characters.first == "]" {
                    characters.removeFirst()
                    output += "(?!)"
                } else if characters.starts(with: ["^", "]"]) {
                    characters.removeFirst(2)
                    output += "[\\s\\S]"
                } else {
                    inClass = true
                    output.append(character)
                }
            } else {
                if character == "]" { inClass = false }
                output.append(character)
            }
        }
        return output
    }

    /// ECMA-262 patterns are not anchored: a match anywhere counts.
    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}

/// A `$ref` target, filled in once the whole schema graph is compiled (targets may be ancestors).
final class ReferenceTarget {
    let uri: String
    var node: SchemaNode?
    /// For `$dynamicRef` whose initial target carries a matching `$dynamicAnchor`: the anchor name
    /// to look up in the dynamic scope.
    var dynamicAnchorName: String?
    init(uri: String) { self.uri = uri }
}

final class PropertiesCheck {
    var properties: [String: SchemaNode] = [:]
    var patterns: [(Pattern, SchemaNode)] = []
    var additional: SchemaNode?
}

final class ItemsCheck {
    var prefix: [SchemaNode] = []
    /// Applies to items past the prefix (2020-12 `items`, older `additionalItems` or `items` schema).
    var rest: SchemaNode?
    /// The keyword named in errors for `rest`.
    var restKeyword = "items"
}

enum Bound {
    case integer(Int64)
    case number(Double)
}

indirect enum Check {
    case type(TypeSet)
    case enumeration([JSONValue])
    case constant(JSONValue)
    case minimum(Bound, exclusive: Bool)
    case maximum(Bound, exclusive: Bool)
    case multipleOf(Bound)
    case minLength(Int), maxLength(Int)
    case pattern(Pattern)
    case format(FormatKind)
    /// Draft-07 content assertions: `contentEncoding: base64` and/or `contentMediaType: application/json`.
    case content(base64: Bool, json: Bool)
    case minItems(Int), maxItems(Int), uniqueItems
    case minProperties(Int), maxProperties(Int)
    case required([String])
    case dependentRequired([(String, [String])])
    case properties(PropertiesCheck)
    case propertyNames(SchemaNode)
    case items(ItemsCheck)
    case contains(SchemaNode, minimum: Int, maximum: Int?)
    case allOf([SchemaNode]), anyOf([SchemaNode]), oneOf([SchemaNode])
    case not(SchemaNode)
    case conditional(if: SchemaNode, then: SchemaNode?, else: SchemaNode?)
    case dependentSchemas([(String, SchemaNode)])
    case reference(ReferenceTarget, keyword: String)
    case unevaluatedProperties(SchemaNode)
    case unevaluatedItems(SchemaNode)

    /// The keyword reported in errors.
    var keyword: String {
        switch self {
        case .type: return "type"
        case .enumeration: return "enum"
        case .constant: return "const"
        case .minimum(_, let exclusive): return exclusive ? "exclusiveMinimum" : "minimum"
        case .maximum(_, let exclusive): return exclusive ? "exclusiveMaximum" : "maximum"
        case .multipleOf: return "multipleOf"
        case .minLength: return "minLength"
        case .maxLength: return "maxLength"
        case .pattern: return "pattern"
        case .format: return "format"
        case .content(let base64, _): return base64 ? "contentEncoding" : "contentMediaType"
        case .minItems: return "minItems"
        case .maxItems: return "maxItems"
        case .uniqueItems: return "uniqueItems"
        case .minProperties: return "minProperties"
        case .maxProperties: return "maxProperties"
        case .required: return "required"
        case .dependentRequired: return "dependentRequired"
        case .properties: return "properties"
        case .propertyNames: return "propertyNames"
        case .items(let check): return check.prefix.isEmpty ? check.restKeyword : "prefixItems"
        case .contains: return "contains"
        case .allOf: return "allOf"
        case .anyOf: return "anyOf"
        case .oneOf: return "oneOf"
        case .not: return "not"
        case .conditional: return "if"
        case .dependentSchemas: return "dependentSchemas"
        case .reference(_, let keyword): return keyword
        case .unevaluatedProperties: return "unevaluatedProperties"
        case .unevaluatedItems: return "unevaluatedItems"
        }
    }
}

final class SchemaNode {
    /// `true` / `false` boolean schemas; nil for object schemas.
    var constant: Bool?
    var checks: [Check] = []
    /// Where the schema lives ("uri#/pointer"), for error reports.
    let location: String
    /// Interned id of the schema resource this node belongs to (for the dynamic scope).
    let resourceID: Int
    /// True when the node has `unevaluatedProperties`/`unevaluatedItems` and so must collect
    /// annotations from its in-place applicators.
    var collectsAnnotations = false

    init(location: String, resourceID: Int) {
        self.location = location
        self.resourceID = resourceID
    }
}
