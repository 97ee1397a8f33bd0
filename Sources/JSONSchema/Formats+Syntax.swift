// Syntax checks for the URI-like and text formats: uri / uri-reference / iri / iri-reference
// (RFC 3986/3987 grammar), uri-template (RFC 6570 level 4), relative-json-pointer, duration
// (RFC 3339 appendix A) and e-mail addresses (RFC 5321 local parts, RFC 6531 for idn-email).

extension Formats {
    private static let hexDigits = Set("0123456789abcdefABCDEF")
    private static let unreservedPunctuation = Set("-._~")
    private static let subDelimiters = Set("!$&'()*+,;=")

    /// One URI (or IRI, allowing non-ASCII) checked against the RFC 3986 grammar.
    static func isURIReference(_ text: String, requireScheme: Bool, international: Bool) -> Bool {
        let characters = Array(text)
        // Every character must be allowed somewhere and percent signs must start %HH.
        for (index, character) in characters.enumerated() {
            if character == "%" {
                guard index + 2 < characters.count else { return false }
                guard hexDigits.contains(characters[index + 1]), hexDigits.contains(characters[index + 2]) else { return false }
                continue
            }
            if !isURICharacter(character, international: international) { return false }
        }
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            let fragment = rest[rest.index(after: hash)...]
            if fragment.contains("#") || fragment.contains("[") || fragment.contains("]") { return false }
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            if rest[rest.index(after: question)...].contains(where: { $0 == "[" || $0 == "]" }) { return false }
            rest = rest[..<question]
        }
        let firstDelimiter = rest.firstIndex { $0 == "/" } ?? rest.endIndex
        if let colon = rest[..<firstDelimiter].firstIndex(of: ":") {
            let scheme = rest[..<colon]
            guard let first = scheme.first, first.isASCII, first.isLetter,
                  scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else {
                return false  // also rejects a colon in the first segment of a relative path
            }
            rest = rest[rest.index(after: colon)...]
        } else if requireScheme {
            return false
        }
        if rest.hasPrefix("//") {
            let authorityStart = rest.index(rest.startIndex, offsetBy: 2)
            let authorityEnd = rest[authorityStart...].firstIndex(of: "/") ?? rest.endIndex
            guard isAuthority(rest[authorityStart..<authorityEnd]) else { return false }
            rest = rest[authorityEnd...]
        }
        return !rest.contains("[") && !rest.contains("]")
    }

    private static func isURICharacter(_ character: Character, international: Bool) -> Bool {
        if !character.isASCII {
            return international && !character.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        if character.isLetter || character.isNumber { return true }
        return unreservedPunctuation.contains(character) || subDelimiters.contains(character) || ":/?#[]@".contains(character)
    }

    private static func isAuthority(_ authority: Substring) -> Bool {
        var hostAndPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInformation = authority[..<at]
            if userInformation.contains("@") || userInformation.contains("[") || userInformation.contains("]") { return false }
            hostAndPort = authority[authority.index(after: at)...]
        }
        var port: Substring = ""
        if hostAndPort.hasPrefix("[") {
            guard let close = hostAndPort.firstIndex(of: "]") else { return false }
            let literal = hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close]
            let afterLiteral = hostAndPort[hostAndPort.index(after: close)...]
            if !literal.lowercased().hasPrefix("v") && !isIPv6(String(literal)) { return false }
            if !afterLiteral.isEmpty {
                guard afterLiteral.hasPrefix(":") else { return false }
                port = afterLiteral.dropFirst()
            }
        } else {
            if hostAndPort.contains("[") || hostAndPort.contains("]") { return false }
            if let colon = hostAndPort.lastIndex(of: ":") {
                // A registered name cannot hold a colon: an unbracketed IPv6 address is not a host.
                if hostAndPort[..<colon].contains(":") { return false }
                port = hostAndPort[hostAndPort.index(after: colon)...]
            }
        }
        return port.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// RFC 6570: literals plus `{operator? varspec,...}` expressions.
    static func isURITemplate(_ text: String) -> Bool {
        var rest = Substring(text)
        while let character = rest.first {
            if character == "}" { return false }
            if character == "{" {
                guard let close = rest.firstIndex(of: "}") else { return false }
                let expression = rest[rest.index(after: rest.startIndex)..<close]
                guard !expression.contains("{"), isTemplateExpression(expression) else { return false }
                rest = rest[rest.index(after: close)...]
                continue
            }
            if character.isASCII, let value = character.asciiValue,
               value <= 0x20 || value == 0x7F || "\"<>\\^`|".contains(character) {
                return false
            }
            rest = rest.dropFirst()
        }
        return true
    }

    private static func isTemplateExpression(_ expression: Substring) -> Bool {
        var body = expression
        if let first = body.first, "+#./;?&".contains(first) { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        return body.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { varspec in
            var name = varspec
            if name.hasSuffix("*") {
                name = name.dropLast()
            } else if let colon = name.firstIndex(of: ":") {
                let length = name[name.index(after: colon)...]
                guard (1...4).contains(length.count), length.first != "0",
                      length.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
                name = name[..<colon]
            }
            guard !name.isEmpty, !name.hasPrefix("."), !name.hasSuffix("."), !name.contains("..") else { return false }
            return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "%") }
        }
    }

    /// ECMA-262 syntax that Swift's Regex would also accept must still be rejected: Python's
    /// `(?P...)` groups, `(?#...)` comments, inline flag groups and the `\\a` escape.
    static func isECMARegex(_ text: String) -> Bool {
        if text.contains("(?P") || text.contains("(?#") { return false }
        var escaped = false
        var previous: [Character] = []
        for character in text {
            if escaped {
                if character == "a" { return false }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "?" && previous.last == "(" {
                previous.append(character)
                continue
            } else if previous.suffix(2) == ["(", "?"] && "imsx".contains(character) {
                return false
            }
            previous.append(character)
        }
        return Pattern(text) != nil
    }

    /// A non-negative integer (no leading zeros) then "#" or a JSON pointer.
    static func isRelativeJSONPointer(_ text: String) -> Bool {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits == "0" || !digits.hasPrefix("0") else { return false }
        let rest = text.dropFirst(digits.count)
        if rest == "#" { return true }
        return rest.isEmpty || (rest.hasPrefix("/") && hasValidTildes(String(rest)))
    }

    /// RFC 3339 appendix A durations such as P3Y6M4DT12H30M5S or P4W.
    static func isDuration(_ text: String) -> Bool {
        guard text.hasPrefix("P"), text.count > 1 else { return false }
        let body = text.dropFirst()
        if body.hasSuffix("W") {
            let weeks = body.dropLast()
            return !weeks.isEmpty && weeks.allSatisfy { $0.isASCII && $0.isNumber }
        }
        let parts = body.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let datePart = parts[0]
        if parts.count == 2 && parts[1].isEmpty { return false }
        guard isDurationUnits(datePart, allowed: ["Y", "M", "D"]) else { return false }
        if parts.count == 2 { return !parts[1].isEmpty && isDurationUnits(parts[1], allowed: ["H", "M", "S"]) }
        return !datePart.isEmpty
    }

    /// Digit runs each followed by a unit, units in order and without gaps (Y then M then D).
    private static func isDurationUnits(_ text: Substring, allowed: [Character]) -> Bool {
        var units: [Int] = []
        var digits = 0
        for character in text {
            if character.isASCII && character.isNumber {
                digits += 1
                continue
            }
            guard digits > 0, let position = allowed.firstIndex(of: character) else { return false }
            units.append(position)
            digits = 0
        }
        guard digits == 0 else { return false }
        // Components must be consecutive: P1Y2M is fine, P1Y2D (skipping months) is not.
        for (first, second) in zip(units, units.dropFirst()) where second != first + 1 { return false }
        return true
    }

    /// RFC 5321 mailbox: dot-atom or quoted local part, then a host name or address literal.
    static func isMailbox(_ text: String, international: Bool) -> Bool {
        var local: Substring
        var domain: Substring
        if text.hasPrefix("\"") {
            var index = text.index(after: text.startIndex)
            var closed = false
            while index < text.endIndex {
                let character = text[index]
                if character == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { return false }
                } else if character == "\"" {
                    closed = true
                    break
                }
                index = text.index(after: index)
            }
            guard closed else { return false }
            let afterQuote = text[text.index(after: index)...]
            guard afterQuote.hasPrefix("@") else { return false }
            local = text[...index]
            domain = afterQuote.dropFirst()
        } else {
            guard let at = text.firstIndex(of: "@") else { return false }
            local = text[..<at]
            domain = text[text.index(after: at)...]
            let atomCharacters = Set("!#$%&'*+-/=?^_`{|}~")
            guard !local.isEmpty, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
                  local.allSatisfy({ $0 == "." || ($0.isASCII ? ($0.isLetter || $0.isNumber || atomCharacters.contains($0)) : international) })
            else { return false }
        }
        guard !local.isEmpty, !domain.isEmpty else { return false }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return isIPv6(String(literal.dropFirst(5))) }
            return isIPv4(literal)
        }
        if international && domain.contains(where: { !$0.isASCII }) {
            return !domain.contains("@") && !domain.contains(" ") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
        }
        return isHostname(String(domain))
    }
}
