// How an Avro schema maps onto Swift types. `AvroSwiftModel` walks a parsed schema once and
// names everything the generated file declares: the root record (named after its file), every
// other named type (nested in the root, prefixed with its namespace only when simple names
// collide), and one enum per union that is not just ["null", T] (nested in its record and
// named after the field). The emitters in AvroCodegen*.swift only read this model.
import Avro

/// The Swift shape of one Avro type node.
indirect enum AvroSwiftType {
    case null
    case primitive(AvroPrimitive)
    case logical(AvroLogicalMapping)
    /// A generated record, enum or fixed, by Swift name.
    case named(String)
    case array(AvroSwiftType)
    case map(AvroSwiftType)
    /// ["null", T] (either order): `T?`. `valueBranch` is nil when T is a union enum that
    /// writes its own branch index (a union of null and two or more other types).
    case optional(AvroSwiftType, nullBranch: Int, valueBranch: Int?, branchCount: Int)
    /// A generated enum with associated values for a union.
    case union(AvroUnionModel)

    var spelling: String {
        switch self {
        case .null: return "AvroNull"
        case .primitive(let primitive):
            switch primitive {
            case .null: return "AvroNull"
            case .boolean: return "Bool"
            case .int: return "Int32"
            case .long: return "Int64"
            case .float: return "Float"
            case .double: return "Double"
            case .bytes: return "[UInt8]"
            case .string: return "String"
            }
        case .logical(let mapping): return mapping.spelling
        case .named(let name): return name
        case .array(let items): return "[" + items.spelling + "]"
        case .map(let values): return "[String: " + values.spelling + "]"
        case .optional(let wrapped, _, _, _): return wrapped.spelling + "?"
        case .union(let model): return model.swiftName
        }
    }
}

/// Logical types that get a dedicated Swift value type (Avro target, AvroLogicalValues.swift).
enum AvroLogicalMapping {
    case date, timeMillis, timeMicros
    case timestampMillis, timestampMicros, timestampNanos
    case localTimestampMillis, localTimestampMicros, localTimestampNanos
    case uuidString, uuidFixed
    case decimalBytes(scale: Int)
    case decimalFixed(size: Int, scale: Int)
    case duration

    var spelling: String {
        switch self {
        case .date: return "AvroDate"
        case .timeMillis: return "AvroTimeMillis"
        case .timeMicros: return "AvroTimeMicros"
        case .timestampMillis: return "AvroTimestampMillis"
        case .timestampMicros: return "AvroTimestampMicros"
        case .timestampNanos: return "AvroTimestampNanos"
        case .localTimestampMillis: return "AvroLocalTimestampMillis"
        case .localTimestampMicros: return "AvroLocalTimestampMicros"
        case .localTimestampNanos: return "AvroLocalTimestampNanos"
        case .uuidString, .uuidFixed: return "AvroUUID"
        case .decimalBytes, .decimalFixed: return "AvroDecimal"
        case .duration: return "AvroDuration"
        }
    }

    /// True when the underlying Avro type is int (the rest of the rawValue types are long).
    var isIntBacked: Bool {
        switch self {
        case .date, .timeMillis: return true
        default: return false
        }
    }

    static func forPrimitive(_ primitive: AvroPrimitive, _ logical: AvroLogicalType?) -> AvroLogicalMapping? {
        switch (primitive, logical) {
        case (.int, .date?): return .date
        case (.int, .timeMillis?): return .timeMillis
        case (.long, .timeMicros?): return .timeMicros
        case (.long, .timestampMillis?): return .timestampMillis
        case (.long, .timestampMicros?): return .timestampMicros
        case (.long, .timestampNanos?): return .timestampNanos
        case (.long, .localTimestampMillis?): return .localTimestampMillis
        case (.long, .localTimestampMicros?): return .localTimestampMicros
        case (.long, .localTimestampNanos?): return .localTimestampNanos
        case (.string, .uuid?): return .uuidString
        case (.bytes, .decimal(_, let scale)?): return .decimalBytes(scale: scale)
        default: return nil
        }
    }

    static func forFixed(_ fixed: AvroFixed) -> AvroLogicalMapping? {
        switch fixed.logicalType {
        case .uuid? where fixed.size == 16: return .uuidFixed
        case .decimal(_, let scale)?: return .decimalFixed(size: fixed.size, scale: scale)
        case .duration? where fixed.size == 12: return .duration
        default: return nil
        }
    }
}

final class AvroUnionModel {
    struct Branch {
        var caseName: String
        /// Index of the branch in the Avro union (null branches are skipped, so not always dense).
        var index: Int
        var type: AvroSwiftType
    }
    let swiftName: String
    let branchCount: Int
    var branches: [Branch] = []

    init(swiftName: String, branchCount: Int) {
        self.swiftName = swiftName
        self.branchCount = branchCount
    }
}

struct AvroFieldModel {
    var field: AvroField
    var swiftName: String
    var type: AvroSwiftType
    var defaultValue: AvroValue?
}

struct AvroRecordModel {
    var record: AvroRecord
    var swiftName: String
    var fields: [AvroFieldModel] = []
    /// Union enums declared inside this record.
    var unions: [AvroUnionModel] = []
}

enum AvroNamedModel {
    case record(AvroRecordModel)
    case enumeration(AvroEnum, swiftName: String, caseNames: [String])
    case fixed(AvroFixed, swiftName: String)
}

struct AvroSwiftModel {
    let schema: AvroSchema
    let rootName: String
    /// Swift name of every generated named type, by Avro full name.
    private(set) var swiftNames: [String: String] = [:]
    /// Named types with a runtime logical value type (no generated declaration).
    private var logicalNamed: [String: AvroLogicalMapping] = [:]
    /// Declarations in order of first appearance in the schema; the root record first.
    private(set) var declarations: [AvroNamedModel] = []

    static let reservedFieldNames: Set<String> = [
        "avroValue", "avroFullName", "avroSchemaText", "avroSchema", "avroFingerprint", "avroEncode", "avroEncoded",
        "avroDecode", "avroSize",
    ]

    init(schema: AvroSchema, rootName: String) throws(CodegenError) {
        self.schema = schema
        self.rootName = rootName
        guard case .record(let root) = schema.root else {
            throw CodegenError(message: "the schema's root must be a record (it is what the file's type \(rootName) stands for)")
        }
        try nameNamedTypes(root: root)
        try buildDeclarations()
    }

    /// Every named type in order of first definition (depth-first, as the parser met them).
    private func namedTypesInOrder() -> [AvroType] {
        var order: [AvroType] = []
        var seen: Set<String> = []
        func visit(_ type: AvroType) {
            switch type {
            case .record(let record):
                guard seen.insert(record.name.fullName).inserted else { return }
                order.append(type)
                for field in record.fields { visit(field.type) }
            case .enumeration(let enumeration):
                if seen.insert(enumeration.name.fullName).inserted { order.append(type) }
            case .fixed(let fixed):
                if seen.insert(fixed.name.fullName).inserted { order.append(type) }
            case .array(let items, _): visit(items)
            case .map(let values, _): visit(values)
            case .union(let branches): branches.forEach(visit)
            case .primitive, .reference: return
            }
        }
        visit(schema.root)
        return order
    }

    private mutating func nameNamedTypes(root: AvroRecord) throws(CodegenError) {
        let named = namedTypesInOrder()
        var simpleNameCounts: [String: Int] = [:]
        for type in named {
            if let fullName = type.fullName { simpleNameCounts[simpleName(fullName), default: 0] += 1 }
        }
        var scope = NameScope(reserved: [rootName])
        swiftNames[root.name.fullName] = rootName
        for type in named {
            guard let fullName = type.fullName, fullName != root.name.fullName else { continue }
            if case .fixed(let fixed) = type, let mapping = AvroLogicalMapping.forFixed(fixed) {
                logicalNamed[fullName] = mapping
                continue
            }
            let simple = simpleName(fullName)
            let preferred = (simpleNameCounts[simple] ?? 0) > 1 ? SwiftNames.upperCamel(fullName) : simple
            swiftNames[fullName] = scope.claim(SwiftNames.isPlainIdentifier(preferred) ? preferred : SwiftNames.upperCamel(preferred))
        }
    }

    private func simpleName(_ fullName: String) -> String {
        fullName.split(separator: ".").last.map(String.init) ?? fullName
    }

    private mutating func buildDeclarations() throws(CodegenError) {
        for type in namedTypesInOrder() {
            switch type {
            case .record(let record):
                declarations.append(.record(try recordModel(record)))
            case .enumeration(let enumeration):
                guard let swiftName = swiftNames[enumeration.name.fullName] else { continue }
                guard !enumeration.symbols.isEmpty else {
                    throw CodegenError(message: "enum '\(enumeration.name)' has no symbols; Swift cannot represent an empty enum as a value")
                }
                var caseScope = NameScope(reserved: ["avroFullName", "avroValue", "rawValue", "allCases"])
                let caseNames = enumeration.symbols.map { symbol in
                    let name = caseScope.claimMember(SwiftNames.lowerCamel(symbol))
                    return name
                }
                declarations.append(.enumeration(enumeration, swiftName: swiftName, caseNames: caseNames))
            case .fixed(let fixed):
                guard let swiftName = swiftNames[fixed.name.fullName] else { continue }
                declarations.append(.fixed(fixed, swiftName: swiftName))
            default:
                continue
            }
        }
    }

    private func recordModel(_ record: AvroRecord) throws(CodegenError) -> AvroRecordModel {
        guard let swiftName = swiftNames[record.name.fullName] else {
            throw CodegenError(message: "internal: record '\(record.name)' was not named")
        }
        var model = AvroRecordModel(record: record, swiftName: swiftName)
        // Union enums nest inside the record: their names must differ from each other, from the
        // named types they could shadow and from the record itself.
        var unionScope = NameScope(reserved: Set(swiftNames.values))
        for field in record.fields {
            let path = "/" + record.name.fullName + "/" + field.name
            guard SwiftNames.isPlainIdentifier(field.name) else {
                throw CodegenError(path: path, message: "field name '\(field.name)' is not a valid Avro name")
            }
            guard !Self.reservedFieldNames.contains(field.name), !SwiftNames.unusableIdentifiers.contains(field.name) else {
                throw CodegenError(path: path, message: "field name '\(field.name)' collides with a member every generated type has; rename the field (an alias keeps old data readable)")
            }
            var unions: [AvroUnionModel] = []
            let type = try swiftType(field.type, fieldName: field.name, path: path, unionScope: &unionScope, unions: &unions)
            model.unions += unions
            let defaultValue: AvroValue?
            do {
                defaultValue = try schema.defaultValue(of: field)
            } catch {
                throw CodegenError(path: path, message: "the default does not fit the field's type: \(error)")
            }
            model.fields.append(AvroFieldModel(field: field, swiftName: SwiftNames.escaped(field.name), type: type, defaultValue: defaultValue))
        }
        return model
    }

    private func swiftType(
        _ node: AvroType, fieldName: String, path: String, unionScope: inout NameScope, unions: inout [AvroUnionModel]
    ) throws(CodegenError) -> AvroSwiftType {
        let type = schema.resolve(node)
        switch type {
        case .primitive(.null, _): return .null
        case .primitive(let primitive, let annotations):
            if let mapping = AvroLogicalMapping.forPrimitive(primitive, annotations.logicalType) { return .logical(mapping) }
            return .primitive(primitive)
        case .record, .enumeration, .fixed:
            guard let fullName = type.fullName else { throw CodegenError(path: path, message: "internal: unnamed named type") }
            if let mapping = logicalNamed[fullName] { return .logical(mapping) }
            guard let swiftName = swiftNames[fullName] else {
                throw CodegenError(path: path, message: "internal: named type '\(fullName)' has no Swift name")
            }
            return .named(swiftName)
        case .array(let items, _):
            return .array(try swiftType(items, fieldName: fieldName, path: path + "/items", unionScope: &unionScope, unions: &unions))
        case .map(let values, _):
            return .map(try swiftType(values, fieldName: fieldName, path: path + "/values", unionScope: &unionScope, unions: &unions))
        case .union(let branches):
            return try unionType(branches, fieldName: fieldName, path: path, unionScope: &unionScope, unions: &unions)
        case .reference(let name):
            throw CodegenError(path: path, message: "named type '\(name)' is not defined")
        }
    }

    private func unionType(
        _ branches: [AvroType], fieldName: String, path: String, unionScope: inout NameScope, unions: inout [AvroUnionModel]
    ) throws(CodegenError) -> AvroSwiftType {
        let nullIndex = branches.firstIndex { if case .primitive(.null, _) = schema.resolve($0) { return true } else { return false } }
        let others = branches.indices.filter { $0 != nullIndex }
        guard !others.isEmpty else { return .null }
        if let nullIndex, others.count == 1 {
            let inner = try swiftType(branches[others[0]], fieldName: fieldName, path: path + "/\(others[0])", unionScope: &unionScope, unions: &unions)
            return .optional(inner, nullBranch: nullIndex, valueBranch: others[0], branchCount: branches.count)
        }
        let model = AvroUnionModel(swiftName: unionScope.claim(SwiftNames.upperCamel(fieldName) + "Union"), branchCount: branches.count)
        var caseScope = NameScope(reserved: ["avroValue"])
        for index in others {
            let branchType = try swiftType(branches[index], fieldName: fieldName, path: path + "/\(index)", unionScope: &unionScope, unions: &unions)
            model.branches.append(.init(caseName: caseScope.claimMember(caseName(for: branches[index])), index: index, type: branchType))
        }
        unions.append(model)
        if let nullIndex {
            return .optional(.union(model), nullBranch: nullIndex, valueBranch: nil, branchCount: branches.count)
        }
        return .union(model)
    }

    /// The enum case a union branch gets: its primitive, logical or simple type name in lower camel case.
    private func caseName(for node: AvroType) -> String {
        let type = schema.resolve(node)
        switch type {
        case .primitive(let primitive, let annotations):
            if let logical = annotations.logicalType, AvroLogicalMapping.forPrimitive(primitive, logical) != nil {
                return SwiftNames.lowerCamel(String(describing: logical).split(separator: "(").first.map(String.init) ?? primitive.rawValue)
            }
            return primitive.rawValue
        case .array: return "array"
        case .map: return "map"
        default:
            let fullName = type.fullName ?? "value"
            return SwiftNames.lowerCamel(simpleName(fullName))
        }
    }
}

extension NameScope {
    /// Claims a member (case) name: escapes keywords, avoids the unusable ones by numbering.
    mutating func claimMember(_ preferred: String) -> String {
        var candidate = SwiftNames.unusableIdentifiers.contains(preferred) ? preferred + "Value" : preferred
        var suffix = 2
        let base = candidate
        while used.contains(candidate) {
            candidate = base + String(suffix)
            suffix += 1
        }
        insertUsed(candidate)
        return SwiftNames.escaped(candidate)
    }
}
