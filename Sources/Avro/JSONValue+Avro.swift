// Avro's uses of the shared JSON model (target JSON): how Avro parses JSON text and how it writes
// it back. Avro-Java prints schemas, defaults and JSON-encoded datums through Jackson, so Avro's
// writer spells reals the way Java's Double.toString does and escapes control characters with
// uppercase hex; parsing refuses integers beyond 64 bits (no Avro type holds them) and nesting
// deeper than 512 levels.
import JSON

extension JSONParseOptions {
    /// What Avro accepts: no integers beyond Int64, and nesting no deeper than 512 levels, the
    /// bound its datum codecs use too (JSON-decoding a recursive schema recurses once a level).
    static let avro = JSONParseOptions(nestingDepthMax: 512, readsOversizedIntegersAsReals: false)
}

extension JSONParseError {
    /// The message Avro's schema and datum errors carry.
    var avroDescription: String { "invalid JSON at line \(line), column \(column): \(message)" }
}

extension JSONWriterStyle {
    /// Jackson's default generator as Avro-Java uses it: document order, `\u001F` escapes,
    /// Java's Double.toString text for reals.
    static let jackson = JSONWriterStyle(
        usesUppercaseHexEscapes: true, realText: { JSONValue.javaDoubleText($0) })
}

extension JSONValue {
    /// Parses JSON text under Avro's options.
    static func parseAvro(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(text, options: .avro)
    }

    /// Compact JSON text, as Jackson's default generator writes it.
    var compactText: String { serialized(style: .jackson) }

    func write(to output: inout String) {
        write(to: &output, style: .jackson)
    }

    /// Writes a JSON string literal with Jackson's escaping.
    static func writeString(_ value: String, to output: inout String) {
        writeString(value, to: &output, style: .jackson)
    }

    /// Java's Double.toString layout: plain decimal with at least one fractional digit for
    /// 1e-3 ≤ |x| < 1e7, otherwise `d.dddE±n`. Digits are Swift's shortest round-trip digits.
    static func javaDoubleText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        // Decompose Swift's shortest representation into digits and a decimal exponent.
        var text = "\(magnitude)"
        var exponent = 0
        if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: eIndex)...]) ?? 0
            text = String(text[..<eIndex])
        }
        var integerPart = text
        var fractionPart = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = String(text[..<dot])
            fractionPart = String(text[text.index(after: dot)...])
        }
        var digits = integerPart + fractionPart
        var pointPosition = integerPart.count + exponent  // digits before the decimal point
        let leadingZeros = digits.prefix(while: { $0 == "0" }).count
        digits.removeFirst(leadingZeros)
        pointPosition -= leadingZeros
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        if digits.isEmpty { return sign + "0.0" }
        if magnitude >= 1e-3 && magnitude < 1e7 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let first = digits.prefix(1)
        let rest = digits.dropFirst()
        return sign + first + "." + (rest.isEmpty ? "0" : rest) + "E" + String(pointPosition - 1)
    }
}
