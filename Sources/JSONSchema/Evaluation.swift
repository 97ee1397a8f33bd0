// Evaluation: runs a compiled SchemaNode graph against one instance. It tracks the instance path
// (for error reports), the dynamic scope (for `$dynamicRef`) and, only where a schema uses
// `unevaluatedProperties`/`unevaluatedItems`, the annotations those keywords depend on.
// Branches of anyOf/oneOf/not/if/contains are evaluated quietly: only their verdict matters.

/// One reason an instance is invalid.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer to the offending part of the instance ("" is the whole instance).
    public var instancePath: String
    /// The schema keyword that failed, e.g. "required".
    public var keyword: String
    /// Where that keyword lives: "schema-uri#/json/pointer/keyword".
    public var schemaLocation: String
    public var message: String

    public var description: String {
        "\(instancePath.isEmpty ? "(root)" : instancePath): \(message) [\(keyword) at \(schemaLocation)]"
    }
}

/// What in-place evaluation learned about which members/items were evaluated.
struct Annotations {
    var allProperties = false
    var properties: Set<String> = []
    var allItems = false
    var itemsPrefix = 0
    var itemIndices: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        allProperties = allProperties || other.allProperties
        properties.formUnion(other.properties)
        allItems = allItems || other.allItems
        itemsPrefix = Swift.max(itemsPrefix, other.itemsPrefix)
        itemIndices.formUnion(other.itemIndices)
    }
}

enum PathToken {
    case key(String)
    case index(Int)
}

struct Evaluation {
    /// Errors kept per validation; further ones are dropped.
    static let errorsMax = 100
    /// Nested schema applications allowed before evaluation gives up (guards `$ref` loops that
    /// make no progress through the instance).
    static let depthMax = 1024

    let dynamicAnchors: [Int: [String: SchemaNode]]
    let tracksScope: Bool
    var wantErrors: Bool
    var errors: [ValidationError] = []
    var path: [PathToken] = []
    var scope: [Int] = []
    var depth = 0

    init(dynamicAnchors: [Int: [String: SchemaNode]], tracksScope: Bool, wantErrors: Bool) {
        self.dynamicAnchors = dynamicAnchors
        self.tracksScope = tracksScope
        self.wantErrors = wantErrors
    }

    mutating func report(
        _ node: SchemaNode, _ keyword: String, _ message: @autoclosure () -> String, atNode: Bool = false
    ) {
        guard wantErrors, errors.count < Evaluation.errorsMax else { return }
        var pointer = ""
        for token in path {
            switch token {
            case .key(let key): pointer += "/" + JSONPointer.escape(key)
            case .index(let index): pointer += "/\(index)"
            }
        }
        errors.append(ValidationError(
            instancePath: pointer, keyword: keyword, schemaLocation: atNode ? node.location : node.location + "/" + keyword,
            message: message()))
    }

    /// A `false` subschema names the keyword that holds it ("additionalProperties", "items", ...).
    private mutating func reportFalseSchema(_ node: SchemaNode) {
        let tokens = node.location.split(separator: "/")
        let last = tokens.last.map(String.init) ?? ""
        let parent = tokens.dropLast().last.map(String.init) ?? ""
        let keyword: String
        let message: String
        if ["additionalProperties", "unevaluatedProperties"].contains(last) {
            keyword = last
            message = "property is not allowed"
        } else if ["items", "additionalItems", "unevaluatedItems"].contains(last) {
            keyword = last
            message = "item is not allowed"
        } else if ["properties", "patternProperties"].contains(parent) {
            keyword = parent
            message = "property is not allowed"
        } else {
            keyword = "false"
            message = "no value is allowed here"
        }
        report(node, keyword, message, atNode: true)
    }

    mutating func evaluate(_ node: SchemaNode, _ instance: JSONValue, _ annotations: inout Annotations?) -> Bool {
        if let constant = node.constant {
            if !constant && wantErrors { reportFalseSchema(node) }
            return constant
        }
        guard depth < Evaluation.depthMax else {
            report(node, "$ref", "schema recursion deeper than \(Evaluation.depthMax) without progress")
            return false
        }
        depth += 1
        defer { depth -= 1 }
        let pushesScope = tracksScope && scope.last != node.resourceID
        if pushesScope { scope.append(node.resourceID) }
        defer { if pushesScope { scope.removeLast() } }

        var local: Annotations? = (annotations != nil || node.collectsAnnotations) ? Annotations() : nil
        var valid = true
        for check in node.checks where !evaluate(check, of: node, instance, &local) {
            valid = false
            if !wantErrors || errors.count >= Evaluation.errorsMax { break }
        }
        if valid, annotations != nil, let local { annotations?.merge(local) }
        return valid
    }

    /// Evaluates `node` at a child position of the instance.
    mutating func evaluate(_ node: SchemaNode, _ instance: JSONValue, at token: PathToken) -> Bool {
        if wantErrors { path.append(token) }
        defer { if wantErrors { path.removeLast() } }
        var none: Annotations?
        return evaluate(node, instance, &none)
    }

    /// Evaluates without collecting errors; only the verdict (and annotations) matter.
    mutating func quietly(_ node: SchemaNode, _ instance: JSONValue, _ annotations: inout Annotations?) -> Bool {
        let saved = wantErrors
        wantErrors = false
        defer { wantErrors = saved }
        return evaluate(node, instance, &annotations)
    }

    private mutating func evaluate(
        _ check: Check, of node: SchemaNode, _ instance: JSONValue, _ annotations: inout Annotations?
    ) -> Bool {
        switch check {
        case .type(let types):
            if types.contains(TypeSet.of(instance)) { return true }
            report(node, "type", "expected \(Self.describe(types)), found \(instance.schemaTypeName)")
            return false
        case .enumeration(let values):
            if values.contains(instance) { return true }
            report(node, "enum", "value is not one of the enumerated values")
            return false
        case .constant(let value):
            if value == instance { return true }
            report(node, "const", "value must equal \(value.serialized())")
            return false
        case .minimum, .maximum, .multipleOf:
            return evaluateNumeric(check, of: node, instance)
        case .minLength, .maxLength, .pattern, .format, .content:
            return evaluateString(check, of: node, instance)
        case .minItems, .maxItems, .uniqueItems, .items, .contains, .unevaluatedItems:
            guard case .array(let elements) = instance else { return true }
            return evaluateArray(check, of: node, elements, &annotations)
        case .minProperties, .maxProperties, .required, .dependentRequired, .properties, .propertyNames,
             .dependentSchemas, .unevaluatedProperties:
            guard case .object(let object) = instance else { return true }
            return evaluateObject(check, of: node, object, &annotations)
        case .allOf(let nodes):
            var valid = true
            for child in nodes where !evaluate(child, instance, &annotations) {
                valid = false
                if !wantErrors { return false }
            }
            return valid
        case .anyOf(let nodes):
            var matched = false
            for child in nodes {
                var branch: Annotations? = annotations == nil ? nil : Annotations()
                if quietly(child, instance, &branch) {
                    matched = true
                    if let branch { annotations?.merge(branch) } else { break }
                }
            }
            if !matched { report(node, "anyOf", "value matches none of the \(nodes.count) alternatives") }
            return matched
        case .oneOf(let nodes):
            var matches: [Int] = []
            var collected: Annotations?
            for (position, child) in nodes.enumerated() {
                var branch: Annotations? = annotations == nil ? nil : Annotations()
                if quietly(child, instance, &branch) {
                    matches.append(position)
                    collected = branch
                    if matches.count > 1 { break }
                }
            }
            if matches.count == 1 {
                if let collected { annotations?.merge(collected) }
                return true
            }
            report(node, "oneOf", matches.isEmpty
                ? "value matches none of the \(nodes.count) alternatives"
                : "value matches alternatives \(matches[0]) and \(matches[1]); exactly one must match")
            return false
        case .not(let child):
            var none: Annotations?
            if !quietly(child, instance, &none) { return true }
            report(node, "not", "value must not match the schema under not")
            return false
        case .conditional(let condition, let thenNode, let elseNode):
            var branch: Annotations? = annotations == nil ? nil : Annotations()
            if quietly(condition, instance, &branch) {
                if let branch { annotations?.merge(branch) }
                return thenNode.map { evaluate($0, instance, &annotations) } ?? true
            }
            return elseNode.map { evaluate($0, instance, &annotations) } ?? true
        case .reference(let target, _):
            var destination = target.node
            if let name = target.dynamicAnchorName, tracksScope {
                for resource in scope {
                    if let dynamic = dynamicAnchors[resource]?[name] { destination = dynamic; break }
                }
            }
            guard let destination else { return true }
            return evaluate(destination, instance, &annotations)
        }
    }

    private static func describe(_ types: TypeSet) -> String {
        let names: [(TypeSet, String)] = [
            (.null, "null"), (.boolean, "boolean"), (.number, "number"), (.string, "string"), (.array, "array"),
            (.object, "object"),
        ]
        var parts = names.filter { types.contains($0.0) }.map(\.1)
        if types.contains(.integer) && !types.contains(.number) { parts.insert("integer", at: 0) }
        return parts.joined(separator: " or ")
    }
}
