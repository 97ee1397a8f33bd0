// Keyword checks for numbers, strings, arrays and objects, split from Evaluation.swift to keep
// files short. Each returns true when the instance satisfies the keyword; keywords that do not
// apply to the instance's type pass.

extension Evaluation {
    static func compare(_ instance: JSONValue, _ bound: Bound) -> Int? {
        switch (instance, bound) {
        case (.integer(let value), .integer(let limit)): return value < limit ? -1 : value == limit ? 0 : 1
        default:
            guard let value = instance.doubleValue else { return nil }
            let limit: Double
            switch bound {
            case .integer(let number): limit = Double(number)
            case .number(let number): limit = number
            }
            return value < limit ? -1 : value == limit ? 0 : 1
        }
    }

    static func isMultiple(_ instance: JSONValue, of divisor: Bound) -> Bool {
        if case .integer(let value) = instance, case .integer(let step) = divisor { return value % step == 0 }
        guard let value = instance.doubleValue else { return true }
        let step: Double
        switch divisor {
        case .integer(let number): step = Double(number)
        case .number(let number): step = number
        }
        let quotient = value / step
        guard quotient.isFinite else {
            // Overflowing quotients: an integral value is a multiple when 1/step is integral.
            return value.rounded() == value && (1 / step).rounded() == 1 / step
        }
        return abs(quotient - quotient.rounded()) <= 1e-9 * Swift.max(1, abs(quotient))
    }

    mutating func evaluateNumeric(_ check: Check, of node: SchemaNode, _ instance: JSONValue) -> Bool {
        switch check {
        case .minimum(let bound, let exclusive):
            guard let order = Self.compare(instance, bound) else { return true }
            if exclusive ? order > 0 : order >= 0 { return true }
            report(node, check.keyword, "value is below the \(check.keyword) \(Self.text(bound))")
            return false
        case .maximum(let bound, let exclusive):
            guard let order = Self.compare(instance, bound) else { return true }
            if exclusive ? order < 0 : order <= 0 { return true }
            report(node, check.keyword, "value is above the \(check.keyword) \(Self.text(bound))")
            return false
        case .multipleOf(let divisor):
            if Self.isMultiple(instance, of: divisor) { return true }
            report(node, "multipleOf", "value is not a multiple of \(Self.text(divisor))")
            return false
        default:
            return true
        }
    }

    static func text(_ bound: Bound) -> String {
        switch bound {
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        }
    }

    mutating func evaluateString(_ check: Check, of node: SchemaNode, _ instance: JSONValue) -> Bool {
        guard case .string(let text) = instance else { return true }
        switch check {
        case .minLength(let minimum):
            if text.utf8.count >= minimum && text.unicodeScalars.count >= minimum { return true }
            report(node, "minLength", "string is shorter than \(minimum) characters")
            return false
        case .maxLength(let maximum):
            if text.utf8.count <= maximum || text.unicodeScalars.count <= maximum { return true }
            report(node, "maxLength", "string is longer than \(maximum) characters")
            return false
        case .pattern(let pattern):
            if pattern.matches(text) { return true }
            report(node, "pattern", "string does not match the pattern \(pattern.source)")
            return false
        case .format(let kind):
            if kind.accepts(text) { return true }
            report(node, "format", "string is not a valid \(kind.rawValue)")
            return false
        case .content(let base64, let json):
            var bytes = Array(text.utf8)
            if base64 {
                guard let decoded = Formats.base64Decoded(text) else {
                    report(node, "contentEncoding", "string is not valid base64")
                    return false
                }
                bytes = decoded
            }
            if json && (try? JSONValue.parse(bytes)) == nil {
                report(node, "contentMediaType", "content is not valid JSON")
                return false
            }
            return true
        default:
            return true
        }
    }

    mutating func evaluateArray(
        _ check: Check, of node: SchemaNode, _ elements: [JSONValue], _ annotations: inout Annotations?
    ) -> Bool {
        switch check {
        case .minItems(let minimum):
            if elements.count >= minimum { return true }
            report(node, "minItems", "array has fewer than \(minimum) items")
            return false
        case .maxItems(let maximum):
            if elements.count <= maximum { return true }
            report(node, "maxItems", "array has more than \(maximum) items")
            return false
        case .uniqueItems:
            for first in elements.indices {
                for second in elements.indices where second > first && elements[first] == elements[second] {
                    report(node, "uniqueItems", "items \(first) and \(second) are equal")
                    return false
                }
            }
            return true
        case .items(let items):
            var valid = true
            for (position, element) in elements.enumerated() {
                let schema = position < items.prefix.count ? items.prefix[position] : items.rest
                guard let schema else { break }
                if !evaluate(schema, element, at: .index(position)) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            if valid {
                let covered = Swift.min(items.prefix.count, elements.count)
                if let previous = annotations?.itemsPrefix { annotations?.itemsPrefix = Swift.max(previous, covered) }
                if items.rest != nil { annotations?.allItems = true }
            }
            return valid
        case .contains(let schema, let minimum, let maximum):
            var matches = 0
            for (position, element) in elements.enumerated() {
                var none: Annotations?
                if quietly(schema, element, &none) {
                    matches += 1
                    annotations?.itemIndices.insert(position)
                    if maximum == nil && annotations == nil && matches >= minimum { break }
                }
            }
            if matches < minimum {
                report(node, "contains", "array has \(matches) matching items, at least \(minimum) required")
                return false
            }
            if let maximum, matches > maximum {
                report(node, "maxContains", "array has \(matches) matching items, at most \(maximum) allowed")
                return false
            }
            return true
        case .unevaluatedItems(let schema):
            var valid = true
            let evaluated = annotations ?? Annotations()
            if evaluated.allItems { return true }
            for (position, element) in elements.enumerated()
            where position >= evaluated.itemsPrefix && !evaluated.itemIndices.contains(position) {
                if !evaluate(schema, element, at: .index(position)) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            if valid { annotations?.allItems = true }
            return valid
        default:
            return true
        }
    }

    mutating func evaluateObject(
        _ check: Check, of node: SchemaNode, _ object: JSONObject, _ annotations: inout Annotations?
    ) -> Bool {
        switch check {
        case .minProperties(let minimum):
            if object.count >= minimum { return true }
            report(node, "minProperties", "object has fewer than \(minimum) properties")
            return false
        case .maxProperties(let maximum):
            if object.count <= maximum { return true }
            report(node, "maxProperties", "object has more than \(maximum) properties")
            return false
        case .required(let names):
            var valid = true
            for name in names where object[name] == nil {
                report(node, "required", "required property '\(name)' is missing")
                valid = false
                if !wantErrors { return false }
            }
            return valid
        case .dependentRequired(let pairs):
            var valid = true
            for (trigger, names) in pairs where object[trigger] != nil {
                for name in names where object[name] == nil {
                    report(node, check.keyword, "property '\(name)' is required when '\(trigger)' is present")
                    valid = false
                    if !wantErrors { return false }
                }
            }
            return valid
        case .properties(let properties):
            return evaluateProperties(properties, object, &annotations)
        case .propertyNames(let schema):
            for (key, _) in object.members {
                var none: Annotations?
                if !quietly(schema, .string(key), &none) {
                    report(node, "propertyNames", "property name '\(key)' is not allowed")
                    return false
                }
            }
            return true
        case .dependentSchemas(let pairs):
            var valid = true
            for (trigger, schema) in pairs where object[trigger] != nil {
                if !evaluate(schema, .object(object), &annotations) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            return valid
        case .unevaluatedProperties(let schema):
            let evaluated = annotations ?? Annotations()
            if evaluated.allProperties { return true }
            var valid = true
            for (key, value) in object.members where !evaluated.properties.contains(key) {
                if !evaluate(schema, value, at: .key(key)) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            if valid { annotations?.allProperties = true }
            return valid
        default:
            return true
        }
    }

    private mutating func evaluateProperties(
        _ check: PropertiesCheck, _ object: JSONObject, _ annotations: inout Annotations?
    ) -> Bool {
        var valid = true
        var evaluated: [String] = []
        for (key, value) in object.members {
            var matched = false
            if let schema = check.properties[key] {
                matched = true
                if !evaluate(schema, value, at: .key(key)) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            for (pattern, schema) in check.patterns where pattern.matches(key) {
                matched = true
                if !evaluate(schema, value, at: .key(key)) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            if !matched, let additional = check.additional {
                matched = true
                if !evaluate(additional, value, at: .key(key)) {
                    valid = false
                    if !wantErrors { return false }
                }
            }
            if matched && annotations != nil { evaluated.append(key) }
        }
        if valid { annotations?.properties.formUnion(evaluated) }
        return valid
    }
}
