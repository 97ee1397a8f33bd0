// Reader/writer compatibility (spec §Schema Resolution) with Avro-Java SchemaCompatibility
// semantics, which Confluent Schema Registry and Karapace use: names compare unqualified or via
// reader aliases, reader field aliases find writer fields, a reader enum default absorbs unknown
// writer symbols, logical types and doc are ignored. Every incompatibility is reported (not
// only the first) with a JSON-pointer location in the reader schema. Level logic follows
// Confluent's CompatibilityChecker: BACKWARD checks new-as-reader against old-as-writer, etc.
public struct AvroIncompatibility: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case nameMismatch = "NAME_MISMATCH"
        case fixedSizeMismatch = "FIXED_SIZE_MISMATCH"
        case missingEnumSymbols = "MISSING_ENUM_SYMBOLS"
        case readerFieldMissingDefaultValue = "READER_FIELD_MISSING_DEFAULT_VALUE"
        case typeMismatch = "TYPE_MISMATCH"
        case missingUnionBranch = "MISSING_UNION_BRANCH"
    }
    public let kind: Kind
    /// JSON pointer into the reader schema, e.g. `/fields/1/type`.
    public let location: String
    /// A sentence saying what is wrong, in reader/writer terms.
    public let message: String
    /// Avro-Java's short detail: the missing field name, the missing symbols, the expected name...
    public let additionalInfo: String
    /// For level checks: index into `olds` of the schema this incompatibility is against.
    public var oldSchemaIndex: Int?

    public var description: String { "\(kind.rawValue) at \(location.isEmpty ? "/" : location): \(message)" }
}

public enum AvroCompatibilityLevel: String, Sendable, Hashable, CaseIterable {
    case none = "NONE"
    case backward = "BACKWARD"
    case backwardTransitive = "BACKWARD_TRANSITIVE"
    case forward = "FORWARD"
    case forwardTransitive = "FORWARD_TRANSITIVE"
    case full = "FULL"
    case fullTransitive = "FULL_TRANSITIVE"
}

public enum AvroCompatibility {
    /// Can data written with `writer` be read with `reader`? Empty result means yes.
    public static func check(reader: AvroSchema, writer: AvroSchema) -> [AvroIncompatibility] {
        var checker = Checker(reader: reader, writer: writer)
        return checker.check(reader.root, writer.root, location: "")
    }

    /// Checks `new` against `olds` (oldest first) for `level`. Non-transitive levels check only
    /// the latest old schema; transitive levels check all of them, newest first.
    public static func check(new: AvroSchema, olds: [AvroSchema], level: AvroCompatibilityLevel) -> [AvroIncompatibility] {
        guard level != .none, !olds.isEmpty else { return [] }
        let transitive = level == .backwardTransitive || level == .forwardTransitive || level == .fullTransitive
        let backward = level == .backward || level == .backwardTransitive || level == .full || level == .fullTransitive
        let forward = level == .forward || level == .forwardTransitive || level == .full || level == .fullTransitive
        let indices = transitive ? Array(olds.indices.reversed()) : [olds.count - 1]
        var result: [AvroIncompatibility] = []
        for index in indices {
            var found: [AvroIncompatibility] = []
            if backward { found += check(reader: new, writer: olds[index]) }
            if forward { found += check(reader: olds[index], writer: new) }
            for var incompatibility in found {
                incompatibility.oldSchemaIndex = index
                result.append(incompatibility)
            }
        }
        return result
    }

    public static func isCompatible(reader: AvroSchema, writer: AvroSchema) -> Bool {
        check(reader: reader, writer: writer).isEmpty
    }
}

struct Checker {
    let reader: AvroSchema
    let writer: AvroSchema
    /// Named pairs being checked or already checked; recursion into a pair in progress counts
    /// as compatible (its result is decided by the outer check), as in Avro-Java.
    var memo: [String: [AvroIncompatibility]] = [:]

    init(reader: AvroSchema, writer: AvroSchema) {
        self.reader = reader
        self.writer = writer
    }

    static func typeName(_ type: AvroType) -> String {
        switch type {
        case .primitive(let primitive, _): return primitive.rawValue
        case .record: return "record"
        case .enumeration: return "enum"
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        case .fixed: return "fixed"
        case .reference: return "reference"
        }
    }

    private func incompatibility(_ kind: AvroIncompatibility.Kind, _ location: String, _ message: String, _ info: String) -> AvroIncompatibility {
        AvroIncompatibility(kind: kind, location: location, message: message, additionalInfo: info, oldSchemaIndex: nil)
    }

    private func typeMismatch(_ readerType: AvroType, _ writerType: AvroType, _ location: String) -> [AvroIncompatibility] {
        let readerName = Self.typeName(readerType), writerName = Self.typeName(writerType)
        return [incompatibility(.typeMismatch, location,
                                "reader type \(readerName) is not compatible with writer type \(writerName)",
                                "reader type: \(readerName.uppercased()) not compatible with writer type: \(writerName.uppercased())")]
    }

    /// Avro-Java `schemaNameEquals`: unqualified names equal, or a reader alias is the writer's full name.
    private func namesMatch(_ readerName: AvroName, _ readerAliases: [String], _ writerName: AvroName) -> Bool {
        readerName.name == writerName.name || readerAliases.contains(writerName.fullName)
    }

    private func nameCheck(_ readerName: AvroName, _ readerAliases: [String], _ writerName: AvroName, _ location: String) -> [AvroIncompatibility] {
        if namesMatch(readerName, readerAliases, writerName) { return [] }
        return [incompatibility(.nameMismatch, location + "/name",
                                "reader name '\(readerName.fullName)' does not match writer name '\(writerName.fullName)'",
                                "expected: \(writerName.fullName)")]
    }

    mutating func check(_ readerNode: AvroType, _ writerNode: AvroType, location: String) -> [AvroIncompatibility] {
        let readerType = reader.resolve(readerNode)
        let writerType = writer.resolve(writerNode)
        if let readerName = readerType.fullName, let writerName = writerType.fullName {
            let key = readerName + "\u{0}" + writerName
            if let known = memo[key] { return known }
            memo[key] = []
            let result = checkResolved(readerType, writerType, location: location)
            memo[key] = result
            return result
        }
        return checkResolved(readerType, writerType, location: location)
    }

    private mutating func checkResolved(_ readerType: AvroType, _ writerType: AvroType, location: String) -> [AvroIncompatibility] {
        switch (readerType, writerType) {
        case let (.primitive(readerPrimitive, _), .primitive(writerPrimitive, _)):
            if readerPrimitive == writerPrimitive { return [] }
            switch (readerPrimitive, writerPrimitive) {
            case (.long, .int), (.float, .int), (.float, .long), (.double, .int), (.double, .long), (.double, .float),
                 (.bytes, .string), (.string, .bytes):
                return []
            default:
                return typeMismatch(readerType, writerType, location)
            }
        case let (.array(readerItems, _), .array(writerItems, _)):
            return check(readerItems, writerItems, location: location + "/items")
        case let (.map(readerValues, _), .map(writerValues, _)):
            return check(readerValues, writerValues, location: location + "/values")
        case let (.fixed(readerFixed), .fixed(writerFixed)):
            var result = nameCheck(readerFixed.name, readerFixed.aliases, writerFixed.name, location)
            if readerFixed.size != writerFixed.size {
                result.append(incompatibility(.fixedSizeMismatch, location + "/size",
                                              "reader fixed '\(readerFixed.name)' has size \(readerFixed.size) but writer fixed '\(writerFixed.name)' has size \(writerFixed.size)",
                                              "expected: \(writerFixed.size), found: \(readerFixed.size)"))
            }
            return result
        case let (.enumeration(readerEnum), .enumeration(writerEnum)):
            var result = nameCheck(readerEnum.name, readerEnum.aliases, writerEnum.name, location)
            let missing = writerEnum.symbols.filter { readerEnum.ordinals[$0] == nil }
            if !missing.isEmpty && readerEnum.defaultSymbol == nil {
                result.append(incompatibility(.missingEnumSymbols, location + "/symbols",
                                              "reader enum '\(readerEnum.name)' lacks writer symbols \(missing.joined(separator: ", ")) and has no default symbol",
                                              "[" + missing.joined(separator: ", ") + "]"))
            }
            return result
        case let (.record(readerRecord), .record(writerRecord)):
            var result = nameCheck(readerRecord.name, readerRecord.aliases, writerRecord.name, location)
            result += checkFields(readerRecord, writerRecord, location: location)
            return result
        case let (.union, .union(writerBranches)):
            // Every writer branch must be readable by the reader union.
            var result: [AvroIncompatibility] = []
            for (index, writerBranch) in writerBranches.enumerated() {
                if !check(readerType, writerBranch, location: location + "/\(index)").isEmpty {
                    let writerName = Self.typeName(writer.resolve(writerBranch))
                    result.append(incompatibility(.missingUnionBranch, location + "/\(index)",
                                                  "reader union lacks writer type \(writerName) (writer branch \(index))",
                                                  "reader union lacking writer type: \(writerName.uppercased())"))
                }
            }
            return result
        case let (_, .union(writerBranches)):
            // A non-union reader must read every writer branch.
            var result: [AvroIncompatibility] = []
            for writerBranch in writerBranches {
                result += check(readerType, writerBranch, location: location)
            }
            return result
        case let (.union(readerBranches), _):
            for readerBranch in readerBranches {
                var trial = self
                if trial.check(readerBranch, writerType, location: location).isEmpty {
                    memo = trial.memo
                    return []
                }
            }
            let writerName = Self.typeName(writerType)
            return [incompatibility(.missingUnionBranch, location,
                                    "reader union lacks writer type \(writerName)",
                                    "reader union lacking writer type: \(writerName.uppercased())")]
        default:
            return typeMismatch(readerType, writerType, location)
        }
    }

    private mutating func checkFields(_ readerRecord: AvroRecord, _ writerRecord: AvroRecord, location: String) -> [AvroIncompatibility] {
        var result: [AvroIncompatibility] = []
        for (position, readerField) in readerRecord.fields.enumerated() {
            let fieldLocation = location + "/fields/\(position)"
            var writerField = writerRecord.fields.first(where: { $0.name == readerField.name })
            if writerField == nil {
                for alias in readerField.aliases {
                    if let aliased = writerRecord.fields.first(where: { $0.name == alias }) {
                        writerField = aliased
                        break
                    }
                }
            }
            if let writerField {
                result += check(readerField.type, writerField.type, location: fieldLocation + "/type")
                continue
            }
            if readerField.hasDefault { continue }
            // Avro-Java accepts a reader-only enum field whose enum has a default symbol.
            if case .enumeration(let enumeration) = reader.resolve(readerField.type), enumeration.defaultSymbol != nil { continue }
            result.append(incompatibility(.readerFieldMissingDefaultValue, fieldLocation,
                                          "reader field '\(readerField.name)' has no default value and is missing from the writer record '\(writerRecord.name)'",
                                          readerField.name))
        }
        return result
    }
}
