// Swift literals for Avro field defaults, so a generated memberwise initializer can leave out a
// field that has one. The default arrives as the AvroValue the Avro core decoded it to (a union
// default already belongs to its branch), so this only has to spell values.
import Avro

extension AvroSwiftModel {
    func defaultLiteral(_ value: AvroValue, _ type: AvroSwiftType, path: String) throws(CodegenError) -> String {
        func unsupported() -> CodegenError {
            CodegenError(path: path, message: "the default \(value) cannot be written as a \(type.spelling) literal")
        }
        switch (type, value) {
        case (.null, _), (.primitive(.null), _): return "AvroNull()"
        case (.primitive(.boolean), .boolean(let flag)): return flag ? "true" : "false"
        case (.primitive(.int), .int(let number)): return String(number)
        case (.primitive(.long), .long(let number)): return String(number)
        case (.primitive(.float), .float(let number)): return Self.floatingLiteral(Double(number), description: "\(number)")
        case (.primitive(.double), .double(let number)): return Self.floatingLiteral(number, description: "\(number)")
        case (.primitive(.bytes), .bytes(let bytes)): return SwiftNames.bytesLiteral(bytes)
        case (.primitive(.string), .string(let text)): return SwiftNames.stringLiteral(text)
        case (.logical(let mapping), _):
            return try logicalLiteral(mapping, value, unsupported: unsupported)
        case (.named(let name), _):
            return try namedLiteral(name, value, path: path)
        case (.array(let items), .array(let elements)):
            var parts: [String] = []
            for (index, element) in elements.enumerated() { parts.append(try defaultLiteral(element, items, path: path + "/\(index)")) }
            return "[" + parts.joined(separator: ", ") + "]"
        case (.map(let values), .map(let entries)):
            guard !entries.isEmpty else { return "[:]" }
            var parts: [String] = []
            for key in entries.keys.sorted() {
                guard let entry = entries[key] else { continue }
                parts.append(SwiftNames.stringLiteral(key) + ": " + (try defaultLiteral(entry, values, path: path + "/" + key)))
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case (.optional(let wrapped, let nullBranch, let valueBranch, _), .union(let branch, let inner)):
            if branch == nullBranch { return "nil" }
            if valueBranch == nil { return try defaultLiteral(value, wrapped, path: path) }
            return try defaultLiteral(inner, wrapped, path: path)
        case (.union(let model), .union(let branch, let inner)):
            guard let match = model.branches.first(where: { $0.index == branch }) else { throw unsupported() }
            return "." + match.caseName + "(" + (try defaultLiteral(inner, match.type, path: path)) + ")"
        default:
            throw unsupported()
        }
    }

    private static func floatingLiteral(_ number: Double, description: String) -> String {
        if number.isNaN { return ".nan" }
        if number.isInfinite { return number < 0 ? "-.infinity" : ".infinity" }
        return description
    }

    private func logicalLiteral(_ mapping: AvroLogicalMapping, _ value: AvroValue, unsupported: () -> CodegenError) throws(CodegenError) -> String {
        switch (mapping, value) {
        case (.date, .int(let number)), (.timeMillis, .int(let number)):
            return "\(mapping.spelling)(rawValue: \(number))"
        case (_, .long(let number)) where !mapping.isIntBacked:
            return "\(mapping.spelling)(rawValue: \(number))"
        case (.uuidString, .string(let text)):
            guard let uuid = AvroUUID(uuidString: text) else { throw unsupported() }
            return "AvroUUID(high: \(SwiftNames.hexLiteral(uuid.high)), low: \(SwiftNames.hexLiteral(uuid.low)))"
        case (.uuidFixed, .fixed(let bytes)):
            guard let uuid = AvroUUID(bytes: bytes) else { throw unsupported() }
            return "AvroUUID(high: \(SwiftNames.hexLiteral(uuid.high)), low: \(SwiftNames.hexLiteral(uuid.low)))"
        case (.decimalBytes(let scale), .bytes(let bytes)), (.decimalFixed(_, let scale), .fixed(let bytes)):
            return "AvroDecimal(unscaledBytes: \(SwiftNames.bytesLiteral(bytes)), scale: \(scale))"
        case (.duration, .fixed(let bytes)):
            guard let duration = AvroDuration(bytes: bytes) else { throw unsupported() }
            return "AvroDuration(months: \(duration.months), days: \(duration.days), milliseconds: \(duration.milliseconds))"
        default:
            throw unsupported()
        }
    }

    private func namedLiteral(_ swiftName: String, _ value: AvroValue, path: String) throws(CodegenError) -> String {
        for declaration in declarations {
            switch declaration {
            case .record(let model) where model.swiftName == swiftName:
                guard case .record(let fieldValues) = value, fieldValues.count == model.fields.count else { break }
                var arguments: [String] = []
                for (field, fieldValue) in zip(model.fields, fieldValues) {
                    arguments.append(field.swiftName + ": " + (try defaultLiteral(fieldValue, field.type, path: path + "/" + field.field.name)))
                }
                return swiftName + "(" + arguments.joined(separator: ", ") + ")"
            case .enumeration(let enumeration, let name, let caseNames) where name == swiftName:
                guard case .enumeration(let symbol) = value, let ordinal = enumeration.symbols.firstIndex(of: symbol) else { break }
                return swiftName + "." + caseNames[ordinal]
            case .fixed(_, let name) where name == swiftName:
                guard case .fixed(let bytes) = value else { break }
                return swiftName + "(validatedBytes: " + SwiftNames.bytesLiteral(bytes) + ")"
            default:
                continue
            }
        }
        throw CodegenError(path: path, message: "the default \(value) does not fit \(swiftName)")
    }
}
