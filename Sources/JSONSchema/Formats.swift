// Format checks for the `format` keyword. JSON Schema 2020-12 (and the test suite's required
// tests) treat `format` as an annotation; these checks only run when the validator is created
// with format assertion on, or the meta-schema requires the format-assertion vocabulary.
// Formats not listed here are always accepted (as the specification requires for unknown ones).

enum FormatKind: String {
    case dateTime = "date-time", date, time, email, hostname, ipv4, ipv6, uri
    case uriReference = "uri-reference", uuid, jsonPointer = "json-pointer", regex
    case iri, iriReference = "iri-reference", uriTemplate = "uri-template", duration
    case relativeJSONPointer = "relative-json-pointer", idnEmail = "idn-email"

    /// Only strings are constrained; other instance types always pass.
    func accepts(_ text: String) -> Bool {
        switch self {
        case .dateTime: return Formats.isDateTime(text)
        case .date: return Formats.isDate(Array(text.utf8)[...])
        case .time: return Formats.isTime(Array(text.utf8)[...])
        case .email: return Formats.isMailbox(text, international: false)
        case .idnEmail: return Formats.isMailbox(text, international: true)
        case .hostname: return Formats.isHostname(text)
        case .ipv4: return Formats.isIPv4(Substring(text))
        case .ipv6: return Formats.isIPv6(text)
        case .uri: return Formats.isURIReference(text, requireScheme: true, international: false)
        case .uriReference: return Formats.isURIReference(text, requireScheme: false, international: false)
        case .iri: return Formats.isURIReference(text, requireScheme: true, international: true)
        case .iriReference: return Formats.isURIReference(text, requireScheme: false, international: true)
        case .uriTemplate: return Formats.isURITemplate(text)
        case .duration: return Formats.isDuration(text)
        case .relativeJSONPointer: return Formats.isRelativeJSONPointer(text)
        case .uuid: return Formats.isUUID(text)
        case .jsonPointer: return text.isEmpty || (text.hasPrefix("/") && Formats.hasValidTildes(text))
        case .regex: return Formats.isECMARegex(text)
        }
    }
}

enum Formats {
    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        let start = bytes.startIndex
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              let year = digits(bytes[start..<start + 4]), let month = digits(bytes[start + 5..<start + 7]),
              let day = digits(bytes[start + 8..<start + 10]), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= monthDays[month - 1]
    }

    /// RFC 3339 full-time: HH:MM:SS[.frac](Z|±HH:MM), with leap seconds only at 23:59 UTC.
    static func isTime(_ bytes: ArraySlice<UInt8>) -> Bool {
        let text = Array(bytes)
        guard text.count >= 9, text[2] == UInt8(ascii: ":"), text[5] == UInt8(ascii: ":"),
              let hour = digits(text[0..<2]), let minute = digits(text[3..<5]), let second = digits(text[6..<8]),
              hour <= 23, minute <= 59, second <= 60 else { return false }
        var position = 8
        if text[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < text.count, text[position] >= 48, text[position] <= 57 { position += 1 }
            guard position > fractionStart else { return false }
        }
        guard position < text.count else { return false }
        var offsetMinutes = 0
        switch text[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard position == text.count - 1 else { return false }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard text.count - position == 6, text[position + 3] == UInt8(ascii: ":"),
                  let offsetHour = digits(text[position + 1..<position + 3]),
                  let offsetMinute = digits(text[position + 4..<position + 6]),
                  offsetHour <= 23, offsetMinute <= 59 else { return false }
            let sign = text[position] == UInt8(ascii: "+") ? 1 : -1
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        default:
            return false
        }
        if second == 60 {
            let utcMinutes = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utcMinutes == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count > 11, [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(bytes[10]) else { return false }
        return isDate(bytes[0..<10]) && isTime(bytes[11...])
    }

    static func isHostname(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else { return false }
            if label.count >= 4, label.dropFirst(2).hasPrefix("--"), !label.lowercased().hasPrefix("xn--") { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || !part.hasPrefix("0"), let value = Int(part) else { return false }
            return value <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII }) else { return false }
        var body = Substring(text)
        var groupsNeeded = 8
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard isIPv4(body[body.index(after: lastColon)...]) else { return false }
            body = body[...lastColon]
            if !body.hasSuffix("::") { body = body.dropLast() }
            groupsNeeded = 6
        }
        let halves = body.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: Substring) -> Int? {
            if part.isEmpty { return 0 }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for piece in pieces where piece.isEmpty || piece.count > 4 || !piece.allSatisfy(\.isHexDigit) { return nil }
            return pieces.count
        }
        guard let first = groups(halves[0]) else { return false }
        if halves.count == 1 { return first == groupsNeeded }
        guard let second = groups(halves[1]) else { return false }
        return first + second < groupsNeeded
    }

    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (position, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(position) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !Character(Unicode.Scalar(byte)).isHexDigit {
                return false
            }
        }
        return true
    }

    /// Standard base64 (RFC 4648 §4) with padding; nil when the text is not valid base64.
    static func base64Decoded(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="): padding += 1; continue
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            default: return nil
            }
            if padding > 0 { return nil }  // data after padding
        }
        guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        var output: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for value in values {
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    static func hasValidTildes(_ text: String) -> Bool {
        var previousWasTilde = false
        for character in text {
            if previousWasTilde && character != "0" && character != "1" { return false }
            previousWasTilde = character == "~"
        }
        return !previousWasTilde
    }
}

extension Substring {
    fileprivate func components(separatedBy separator: String) -> [Substring] {
        var parts: [Substring] = []
        var rest = self
        while let range = rest.firstRange(of: separator) {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}
