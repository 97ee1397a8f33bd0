// Swift spelling for names that come from schemas: keywords escaped with backticks, invalid
// characters dropped, camel case for JSON property names and enum symbols, Swift string
// literals for schema text and defaults, and the type name a schema file gets from its file name.

enum SwiftNames {
    /// Words that must be written `like this` to be used as identifiers.
    static let keywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate", "func",
        "import", "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case",
        "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "_", "some", "any", "async", "package",
    ]

    /// Identifiers that cannot be used even with backticks in the places generated code puts them.
    static let unusableIdentifiers: Set<String> = ["self", "Self", "Type", "Protocol", "_", "init"]

    /// Type names generated code refers to unqualified; a nested generated type must not shadow them.
    static let reservedTypeNames: Set<String> = [
        "String", "Int", "Int32", "Int64", "UInt8", "UInt32", "UInt64", "Bool", "Float", "Double", "Array",
        "Dictionary", "Optional", "Result", "Error", "Never", "Sendable", "Equatable", "Hashable", "Codable",
        "Decoder", "Encoder", "DecodingError", "CaseIterable", "RawRepresentable", "Type", "Protocol", "Self", "Any",
        "CodingKeys", "JSONValue", "JSONSchemaValidator", "SchemaError", "ValidationError",
    ]

    static func isReservedTypeName(_ name: String) -> Bool {
        reservedTypeNames.contains(name) || name.hasPrefix("Avro") || name.hasPrefix("JSONSchema") || keywords.contains(name)
    }

    /// The name as an identifier in a declaration or after `.`, with backticks when needed.
    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`" + identifier + "`" : identifier
    }

    /// True for [A-Za-z_][A-Za-z0-9_]* (Avro names are always of this form).
    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// Splits text into words at non-alphanumerics and lower→upper case changes.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for scalar in text.unicodeScalars {
            guard scalar.isASCIILetter || scalar.isASCIIDigit else {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            let isUpper = scalar.properties.isUppercase
            if isUpper && previousWasLower && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.unicodeScalars.append(scalar)
            previousWasLower = !isUpper
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// "order_status" → "OrderStatus"; keeps existing inner capitals ("orderId" → "OrderId").
    static func upperCamel(_ text: String) -> String {
        var result = words(text).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if result.isEmpty { result = "Value" }
        if let first = result.unicodeScalars.first, first.isASCIIDigit { result = "_" + result }
        return result
    }

    /// "IN_TRANSIT" → "inTransit", "orderId" → "orderId", "postal-code" → "postalCode".
    static func lowerCamel(_ text: String) -> String {
        let parts = words(text)
        guard let head = parts.first else { return "value" }
        let allCaps = text.unicodeScalars.allSatisfy { !$0.properties.isLowercase }
        var result = allCaps ? head.lowercased() : head.prefix(1).lowercased() + head.dropFirst()
        for part in parts.dropFirst() {
            let word = allCaps ? part.lowercased() : part
            result += word.prefix(1).uppercased() + word.dropFirst()
        }
        if let first = result.unicodeScalars.first, first.isASCIIDigit { result = "_" + result }
        return result
    }

    /// The Swift type a schema file defines: its file name without extension, in upper camel
    /// case ("OrderPlaced.v2.avsc" → "OrderPlacedV2").
    static func typeName(forSchemaFile fileName: String) -> String {
        upperCamel(baseName(ofSchemaFile: fileName))
    }

    /// The file name without its schema extension (".avsc" or ".json").
    static func baseName(ofSchemaFile fileName: String) -> String {
        for suffix in [".avsc", ".json"] where fileName.hasSuffix(suffix) {
            return String(fileName.dropLast(suffix.count))
        }
        return fileName
    }

    /// A Swift string literal for arbitrary text (raw string literal when it has quotes or backslashes).
    static func stringLiteral(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    output += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// A raw string literal (`#"…"#`) when the text allows one, which keeps JSON readable.
    static func rawStringLiteral(_ text: String) -> String {
        let plain = !text.contains("\"#") && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
        return plain ? "#\"" + text + "\"#" : stringLiteral(text)
    }

    /// Hex literal for 64-bit values ("0x00ab…").
    static func hexLiteral(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func bytesLiteral(_ bytes: [UInt8]) -> String {
        "[" + bytes.map { "0x" + (($0 < 16) ? "0" : "") + String($0, radix: 16) }.joined(separator: ", ") + "]"
    }

    /// One comment line per doc line, so doc text cannot end the comment early.
    static func docComment(_ doc: String?, indent: String) -> [String] {
        guard let doc, !doc.isEmpty else { return [] }
        return doc.split(separator: "\n", omittingEmptySubsequences: false).map { indent + "/// " + $0 }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Picks unique names within one scope: the first request for a name gets it, later ones a number.
struct NameScope {
    private(set) var used: Set<String>

    init(reserved: Set<String> = []) { used = reserved }

    mutating func insertUsed(_ name: String) { used.insert(name) }

    mutating func claim(_ preferred: String) -> String {
        var candidate = preferred
        var suffix = 2
        while used.contains(candidate) || SwiftNames.isReservedTypeName(candidate) {
            candidate = preferred + String(suffix)
            suffix += 1
        }
        used.insert(candidate)
        return candidate
    }
}

/// Lines of Swift source with indentation.
struct SourceWriter {
    private(set) var lines: [String] = []
    private var depth = 0

    mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text)
    }

    mutating func lines(_ texts: [String]) {
        for text in texts { line(text) }
    }

    /// `header {`, the body one level in, then `}`.
    mutating func block(_ header: String, _ body: (inout SourceWriter) throws(CodegenError) -> Void) throws(CodegenError) {
        line(header + " {")
        depth += 1
        try body(&self)
        depth -= 1
        line("}")
    }

    /// Opens a block without a closure, for emitters that do not throw.
    mutating func open(_ header: String) {
        line(header + " {")
        depth += 1
    }

    mutating func close(_ trailer: String = "}") {
        depth -= 1
        line(trailer)
    }

    /// A `case …:` label inside a `switch` block: one level out, as Swift style writes it.
    mutating func caseLine(_ text: String) {
        depth -= 1
        line(text)
        depth += 1
    }

    /// Ends one branch and starts the next at the same level ("} else {").
    mutating func reopen(_ text: String) {
        depth -= 1
        line(text)
        depth += 1
    }

    var indentation: String { String(repeating: "    ", count: depth) }

    var text: String { lines.joined(separator: "\n") + "\n" }
}
