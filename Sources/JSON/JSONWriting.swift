// Writing JSONValue as compact JSON text.
//
// Done in Swift rather than through jansson so the output is byte-stable: members keep their
// order (or are sorted on request), strings escape only what JSON requires and keep non-ASCII as
// UTF-8. How reals are spelled and the case of `\u00XX` escapes differ between users (JSON Schema
// prints Swift's shortest digits; Avro prints what Avro-Java's Jackson prints), so a
// JSONWriterStyle carries them and each user defines its own.

/// How JSONValue is written: key order, escape spelling and the text of reals.
public struct JSONWriterStyle: Sendable {
    /// Writes object members sorted by key (Swift's String `<`) instead of in document order.
    public var sortsKeys: Bool
    /// Writes control characters as `\u001F` instead of `\u001f`.
    public var usesUppercaseHexEscapes: Bool
    /// The text of a `.number`; it must be valid JSON for the output to be.
    public var realText: @Sendable (Double) -> String

    public init(
        sortsKeys: Bool = false, usesUppercaseHexEscapes: Bool = false,
        realText: @escaping @Sendable (Double) -> String = JSONWriterStyle.shortestRealText
    ) {
        self.sortsKeys = sortsKeys
        self.usesUppercaseHexEscapes = usesUppercaseHexEscapes
        self.realText = realText
    }

    /// Document order, lowercase escapes, `shortestRealText`.
    public static let compact = JSONWriterStyle()

    /// Swift's shortest round-trip digits; integral values below 1e15 as `2.0` so they stay reals
    /// when read back; non-finite values (which JSON cannot express) as null.
    public static func shortestRealText(_ value: Double) -> String {
        if !value.isFinite { return "null" }
        if value.rounded(.towardZero) == value, abs(value) < 1e15 { return String(Int64(value)) + ".0" }
        return String(value)
    }
}

extension JSONValue {
    /// Compact JSON text. Non-finite numbers (which JSON cannot express) are written as null.
    public func serialized(sortedKeys: Bool = false) -> String {
        var style = JSONWriterStyle.compact
        style.sortsKeys = sortedKeys
        return serialized(style: style)
    }

    public func serialized(style: JSONWriterStyle) -> String {
        var output = ""
        write(to: &output, style: style)
        return output
    }

    /// Appends this value's JSON text to `output`.
    public func write(to output: inout String, style: JSONWriterStyle) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .number(let value): output += style.realText(value)
        case .string(let value): JSONValue.writeString(value, to: &output, style: style)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output, style: style)
            }
            output += "]"
        case .object(let object):
            output += "{"
            let members = style.sortsKeys ? object.members.sorted { $0.key < $1.key } : object.members
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(member.key, to: &output, style: style)
                output += ":"
                member.value.write(to: &output, style: style)
            }
            output += "}"
        }
    }

    /// Appends a JSON string literal: quote, backslash and control characters are escaped,
    /// everything else (including non-ASCII) is written as UTF-8.
    public static func writeString(_ value: String, to output: inout String, style: JSONWriterStyle) {
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
                    let hex = String(scalar.value, radix: 16, uppercase: style.usesUppercaseHexEscapes)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
