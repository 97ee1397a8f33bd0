// What changed between two schema versions, for `brook schema diff`. Avro: a structural walk over
// the named types of both versions (types added/removed, fields added/removed/renamed through
// aliases, field types, defaults and docs, enum symbols, fixed sizes). JSON Schema: the keyword
// changes the JSON Schema compatibility checker already finds (Confluent's change names), each
// marked when it breaks backward compatibility. Both then add the compatibility verdict in each
// direction from the same checkers `brook schema compat` uses.
import Avro
import JSONSchema

/// One difference between an old and a new schema version.
struct SchemaVersionChange: Equatable {
    enum Kind: String {
        case added, removed, changed
    }

    var kind: Kind
    /// Avro: a dotted path (`com.example.Order.amount`); JSON Schema: Confluent's `#/properties/x`.
    var location: String
    var detail: String

    var text: String {
        let mark: String
        switch kind {
        case .added: mark = "+"
        case .removed: mark = "-"
        case .changed: mark = "~"
        }
        return "\(mark) \(location): \(detail)"
    }
}

enum AvroSchemaDiff {
    static func changes(from old: AvroSchema, to new: AvroSchema) -> [SchemaVersionChange] {
        var found: [SchemaVersionChange] = []
        if old.root.fullName == nil || new.root.fullName == nil {
            let before = typeText(old.root), after = typeText(new.root)
            if before != after { found.append(.init(kind: .changed, location: "(root)", detail: "type \(before) → \(after)")) }
        } else if old.root.fullName != new.root.fullName {
            found.append(.init(kind: .changed, location: "(root)", detail: "type \(old.root.fullName ?? "") → \(new.root.fullName ?? "")"))
        }
        for name in Set(old.namedTypes.keys).union(new.namedTypes.keys).sorted() {
            switch (old.namedTypes[name], new.namedTypes[name]) {
            case (let before?, nil):
                found.append(.init(kind: .removed, location: name, detail: "\(kindName(before)) removed"))
            case (nil, let after?):
                found.append(.init(kind: .added, location: name, detail: "\(kindName(after)) added"))
            case (let before?, let after?):
                found += namedTypeChanges(name, before, after)
            default:
                break
            }
        }
        return found
    }

    private static func namedTypeChanges(_ name: String, _ old: AvroType, _ new: AvroType) -> [SchemaVersionChange] {
        switch (old, new) {
        case (.record(let before), .record(let after)):
            return recordChanges(name, before, after)
        case (.enumeration(let before), .enumeration(let after)):
            var found: [SchemaVersionChange] = []
            let added = after.symbols.filter { !before.symbols.contains($0) }
            let removed = before.symbols.filter { !after.symbols.contains($0) }
            if !added.isEmpty { found.append(.init(kind: .added, location: name, detail: "symbols \(added.joined(separator: ", "))")) }
            if !removed.isEmpty { found.append(.init(kind: .removed, location: name, detail: "symbols \(removed.joined(separator: ", "))")) }
            if added.isEmpty && removed.isEmpty && before.symbols != after.symbols {
                found.append(.init(kind: .changed, location: name, detail: "symbol order \(before.symbols.joined(separator: ", ")) → \(after.symbols.joined(separator: ", "))"))
            }
            if before.defaultSymbol != after.defaultSymbol {
                found.append(.init(kind: .changed, location: name, detail: "default symbol \(before.defaultSymbol ?? "none") → \(after.defaultSymbol ?? "none")"))
            }
            return found
        case (.fixed(let before), .fixed(let after)):
            return before.size == after.size ? [] : [.init(kind: .changed, location: name, detail: "size \(before.size) → \(after.size)")]
        default:
            return [.init(kind: .changed, location: name, detail: "\(kindName(old)) → \(kindName(new))")]
        }
    }

    private static func recordChanges(_ name: String, _ old: AvroRecord, _ new: AvroRecord) -> [SchemaVersionChange] {
        var found: [SchemaVersionChange] = []
        var matchedNew: Set<String> = []
        for field in old.fields {
            // A new field that lists the old name among its aliases is the same field, renamed.
            let counterpart = new.fields.first { $0.name == field.name } ?? new.fields.first { $0.aliases.contains(field.name) }
            guard let counterpart else {
                found.append(.init(kind: .removed, location: "\(name).\(field.name)", detail: "field of type \(typeText(field.type))"))
                continue
            }
            matchedNew.insert(counterpart.name)
            let location = "\(name).\(counterpart.name)"
            if counterpart.name != field.name {
                found.append(.init(kind: .changed, location: location, detail: "renamed from \(field.name)"))
            }
            let before = typeText(field.type), after = typeText(counterpart.type)
            if before != after { found.append(.init(kind: .changed, location: location, detail: "type \(before) → \(after)")) }
            if field.defaultJSONText != counterpart.defaultJSONText {
                found.append(.init(
                    kind: .changed, location: location,
                    detail: "default \(field.defaultJSONText ?? "none") → \(counterpart.defaultJSONText ?? "none")"))
            }
            if field.doc != counterpart.doc { found.append(.init(kind: .changed, location: location, detail: "doc changed")) }
            if field.order != counterpart.order {
                found.append(.init(kind: .changed, location: location, detail: "order \(field.order.rawValue) → \(counterpart.order.rawValue)"))
            }
        }
        for field in new.fields where !matchedNew.contains(field.name) {
            let defaultText = field.defaultJSONText.map { " with default \($0)" } ?? " without a default"
            found.append(.init(kind: .added, location: "\(name).\(field.name)", detail: "field of type \(typeText(field.type))\(defaultText)"))
        }
        return found
    }

    private static func kindName(_ type: AvroType) -> String {
        switch type {
        case .record(let record): return record.isError ? "error" : "record"
        case .enumeration: return "enum"
        case .fixed: return "fixed"
        default: return typeText(type)
        }
    }

    /// A short, stable rendering of a type: primitive names, full names, array<T>, map<T>, [a, b].
    static func typeText(_ type: AvroType) -> String {
        switch type {
        case .primitive(let primitive, let annotations):
            return annotations.logicalType.map { "\(primitive.rawValue)(\($0))" } ?? primitive.rawValue
        case .array(let items, _): return "array<\(typeText(items))>"
        case .map(let values, _): return "map<\(typeText(values))>"
        case .union(let branches): return "[" + branches.map(typeText).joined(separator: ", ") + "]"
        default: return type.fullName ?? "?"
        }
    }
}

enum JSONSchemaVersionDiff {
    /// Keyword changes from `old` to `new`, each marked when a reader of the new schema could not
    /// accept data valid under the old one (Confluent's BACKWARD rules).
    static func changes(from old: JSONValue, to new: JSONValue) throws(SchemaInputError) -> [SchemaVersionChange] {
        do {
            let all = try JSONSchemaCompatibility.differences(from: old, to: new)
            let breaking = Set(try JSONSchemaCompatibility.incompatibleChanges(from: old, to: new))
            return all.map { change in
                let name = change.type.rawValue
                let kind: SchemaVersionChange.Kind =
                    name.hasSuffix("_ADDED") || name.contains("_ADDED_") ? .added
                    : name.hasSuffix("_REMOVED") || name.contains("_REMOVED_") ? .removed : .changed
                return SchemaVersionChange(
                    kind: kind, location: change.path.isEmpty ? "#" : change.path,
                    detail: name + (breaking.contains(change) ? " (breaks backward compatibility)" : ""))
            }
        } catch {
            throw SchemaInputError("the JSON Schemas cannot be compared: \(error.description)")
        }
    }
}
