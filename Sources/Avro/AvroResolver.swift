// Resolving decoder (spec §Schema Resolution): compiles a writer schema and a reader schema
// into a plan once, then decodes writer-encoded bytes straight into reader-shaped values —
// promotions, writer-only fields skipped, reader-only fields filled from defaults, enum
// symbols mapped by name (unknown ones to the reader's default), union branches chosen.
// Mismatches that only matter if data hits them (an unreadable union branch, an unknown enum
// symbol) become errors at decode time, as the spec asks.
final class ResolvedRecord: @unchecked Sendable {
    enum Step {
        case read(readerIndex: Int, Plan)
        case skip(Plan)
    }
    // Written once while the plan is compiled, read-only afterwards (hence @unchecked Sendable).
    var steps: [Step] = []
    var readerFieldCount = 0
    var defaults: [(index: Int, value: AvroValue)] = []
    var failure: String?
}

indirect enum Plan: Sendable {
    case null, boolean, int, long, float, double, bytes, string
    case intToLong, intToFloat, intToDouble, longToFloat, longToDouble, floatToDouble
    case stringToBytes, bytesToString
    case fixed(size: Int)
    /// Writer ordinal → reader symbol (nil: unknown and no reader default).
    case enumeration(name: String, symbols: [String?])
    case array(Plan)
    case map(Plan)
    case record(ResolvedRecord)
    /// Writer is a union: one plan per writer branch.
    case writerUnion([Plan])
    /// Writer is not a union, reader is: wrap as reader branch `branch`.
    case readerBranch(Int, Plan)
    case failure(String)
}

public struct AvroResolver: Sendable {
    let plan: Plan
    public let limits: AvroDecodingLimits

    public init(writer: AvroSchema, reader: AvroSchema, limits: AvroDecodingLimits = AvroDecodingLimits()) throws(AvroValueError) {
        var compiler = PlanCompiler(writer: writer, reader: reader)
        plan = try compiler.compile(writer.root, reader.root)
        self.limits = limits
    }

    public func decode(_ bytes: [UInt8]) throws(AvroValueError) -> AvroValue {
        let result: Result<AvroValue, AvroValueError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(AvroValueError) -> AvroValue in try decode(buffer) }
        }
        return try result.get()
    }

    public func decode(_ buffer: UnsafeRawBufferPointer) throws(AvroValueError) -> AvroValue {
        var reader = AvroBinaryReader(buffer)
        let value = try Self.run(plan, &reader, limits, depth: 0)
        guard reader.remaining == 0 else {
            throw AvroValueError(kind: .trailingBytes, path: "", message: "\(reader.remaining) bytes left after the datum")
        }
        return value
    }

    static func run(_ plan: Plan, _ reader: inout AvroBinaryReader, _ limits: AvroDecodingLimits, depth: Int) throws(AvroValueError) -> AvroValue {
        guard depth < limits.nestingDepthMax else {
            throw AvroValueError(kind: .limitExceeded, path: "", message: "value nesting deeper than \(limits.nestingDepthMax)")
        }
        switch plan {
        case .null: return .null
        case .boolean: return .boolean(try reader.readBoolean())
        case .int: return .int(try reader.readInt())
        case .long: return .long(try reader.readLong())
        case .float: return .float(try reader.readFloat())
        case .double: return .double(try reader.readDouble())
        case .bytes: return .bytes(try reader.readBytes())
        case .string: return .string(try reader.readString())
        case .intToLong: return .long(Int64(try reader.readInt()))
        case .intToFloat: return .float(Float(try reader.readInt()))
        case .intToDouble: return .double(Double(try reader.readInt()))
        case .longToFloat: return .float(Float(try reader.readLong()))
        case .longToDouble: return .double(Double(try reader.readLong()))
        case .floatToDouble: return .double(Double(try reader.readFloat()))
        case .stringToBytes: return .bytes(try reader.readBytes())
        case .bytesToString: return .string(try reader.readString())
        case .fixed(let size): return .fixed(try reader.readFixed(size))
        case .enumeration(let name, let symbols):
            let ordinal = try reader.readInt()
            guard ordinal >= 0, Int(ordinal) < symbols.count else {
                throw AvroValueError(kind: .unknownSymbol, path: "", message: "writer enum '\(name)' has no ordinal \(ordinal)")
            }
            guard let symbol = symbols[Int(ordinal)] else {
                throw AvroValueError(kind: .resolutionFailure, path: "", message: "writer symbol #\(ordinal) of enum '\(name)' is unknown to the reader, which has no default")
            }
            return .enumeration(symbol)
        case .array(let itemPlan):
            var values: [AvroValue] = []
            while true {
                let count = try reader.readBlockCount(itemsSoFar: values.count, limits: limits)
                if count == 0 { break }
                for _ in 0..<count { values.append(try run(itemPlan, &reader, limits, depth: depth + 1)) }
            }
            return .array(values)
        case .map(let valuePlan):
            var entries: [String: AvroValue] = [:]
            var itemCount = 0
            while true {
                let count = try reader.readBlockCount(itemsSoFar: itemCount, limits: limits)
                if count == 0 { break }
                itemCount += count
                for _ in 0..<count {
                    let key = try reader.readString()
                    entries[key] = try run(valuePlan, &reader, limits, depth: depth + 1)
                }
            }
            return .map(entries)
        case .record(let record):
            if let failure = record.failure {
                throw AvroValueError(kind: .resolutionFailure, path: "", message: failure)
            }
            var values = [AvroValue](repeating: .null, count: record.readerFieldCount)
            for step in record.steps {
                switch step {
                case .read(let index, let fieldPlan): values[index] = try run(fieldPlan, &reader, limits, depth: depth + 1)
                case .skip(let fieldPlan): _ = try run(fieldPlan, &reader, limits, depth: depth + 1)
                }
            }
            for (index, value) in record.defaults { values[index] = value }
            return .record(values)
        case .writerUnion(let branchPlans):
            let index = try reader.readLong()
            guard index >= 0, index < Int64(branchPlans.count) else {
                throw AvroValueError(kind: .unionBranchOutOfRange, path: "", message: "writer union has \(branchPlans.count) branches, data selects \(index)")
            }
            return try run(branchPlans[Int(index)], &reader, limits, depth: depth + 1)
        case .readerBranch(let branch, let inner):
            return .union(branch: branch, try run(inner, &reader, limits, depth: depth + 1))
        case .failure(let message):
            throw AvroValueError(kind: .resolutionFailure, path: "", message: message)
        }
    }
}

struct PlanCompiler {
    let writer: AvroSchema
    let reader: AvroSchema
    /// Record plans by writer and reader full name, so recursive records compile once.
    var records: [String: ResolvedRecord] = [:]

    init(writer: AvroSchema, reader: AvroSchema) {
        self.writer = writer
        self.reader = reader
    }

    /// Spec "match" for choosing a union branch: same kind, promotable, or names that match.
    func matches(_ writerType: AvroType, _ readerType: AvroType, promotions: Bool) -> Bool {
        switch (writer.resolve(writerType), reader.resolve(readerType)) {
        case let (.primitive(writerPrimitive, _), .primitive(readerPrimitive, _)):
            if writerPrimitive == readerPrimitive { return true }
            guard promotions else { return false }
            switch (writerPrimitive, readerPrimitive) {
            case (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double),
                 (.string, .bytes), (.bytes, .string): return true
            default: return false
            }
        case (.array, .array), (.map, .map): return true
        case let (.record(writerRecord), .record(readerRecord)):
            return readerRecord.name.name == writerRecord.name.name || readerRecord.aliases.contains(writerRecord.name.fullName)
        case let (.enumeration(writerEnum), .enumeration(readerEnum)):
            return readerEnum.name.name == writerEnum.name.name || readerEnum.aliases.contains(writerEnum.name.fullName)
        case let (.fixed(writerFixed), .fixed(readerFixed)):
            return readerFixed.size == writerFixed.size
                && (readerFixed.name.name == writerFixed.name.name || readerFixed.aliases.contains(writerFixed.name.fullName))
        default: return false
        }
    }

    mutating func compile(_ writerNode: AvroType, _ readerNode: AvroType) throws(AvroValueError) -> Plan {
        let writerType = writer.resolve(writerNode)
        let readerType = reader.resolve(readerNode)
        if case .union(let writerBranches) = writerType {
            var plans: [Plan] = []
            for branch in writerBranches { plans.append(try compile(branch, readerType)) }
            return .writerUnion(plans)
        }
        if case .union(let readerBranches) = readerType {
            let chosen = readerBranches.firstIndex(where: { matches(writerType, $0, promotions: false) })
                ?? readerBranches.firstIndex(where: { matches(writerType, $0, promotions: true) })
            guard let chosen else {
                return .failure("no branch of the reader union matches writer type \(Checker.describe(writerType))")
            }
            return .readerBranch(chosen, try compile(writerType, readerBranches[chosen]))
        }
        switch (writerType, readerType) {
        case let (.primitive(writerPrimitive, _), .primitive(readerPrimitive, _)):
            switch (writerPrimitive, readerPrimitive) {
            case (.null, .null): return .null
            case (.boolean, .boolean): return .boolean
            case (.int, .int): return .int
            case (.long, .long): return .long
            case (.float, .float): return .float
            case (.double, .double): return .double
            case (.bytes, .bytes): return .bytes
            case (.string, .string): return .string
            case (.int, .long): return .intToLong
            case (.int, .float): return .intToFloat
            case (.int, .double): return .intToDouble
            case (.long, .float): return .longToFloat
            case (.long, .double): return .longToDouble
            case (.float, .double): return .floatToDouble
            case (.string, .bytes): return .stringToBytes
            case (.bytes, .string): return .bytesToString
            default: return .failure("writer \(writerPrimitive.rawValue) cannot be read as \(readerPrimitive.rawValue)")
            }
        case let (.array(writerItems, _), .array(readerItems, _)):
            return .array(try compile(writerItems, readerItems))
        case let (.map(writerValues, _), .map(readerValues, _)):
            return .map(try compile(writerValues, readerValues))
        case let (.fixed(writerFixed), .fixed):
            guard matches(writerType, readerType, promotions: false) else {
                return .failure("writer fixed '\(writerFixed.name)' does not match the reader fixed by name and size")
            }
            return .fixed(size: writerFixed.size)
        case let (.enumeration(writerEnum), .enumeration(readerEnum)):
            guard matches(writerType, readerType, promotions: false) else {
                return .failure("writer enum '\(writerEnum.name)' does not match reader enum '\(readerEnum.name)'")
            }
            let symbols: [String?] = writerEnum.symbols.map { symbol in
                readerEnum.ordinals[symbol] != nil ? symbol : readerEnum.defaultSymbol
            }
            return .enumeration(name: writerEnum.name.fullName, symbols: symbols)
        case let (.record(writerRecord), .record(readerRecord)):
            guard matches(writerType, readerType, promotions: false) else {
                return .failure("writer record '\(writerRecord.name)' does not match reader record '\(readerRecord.name)'")
            }
            return .record(try compileRecord(writerRecord, readerRecord))
        default:
            return .failure("writer \(Checker.describe(writerType)) cannot be read as \(Checker.describe(readerType))")
        }
    }

    private mutating func compileRecord(_ writerRecord: AvroRecord, _ readerRecord: AvroRecord) throws(AvroValueError) -> ResolvedRecord {
        let key = writerRecord.name.fullName + "\u{0}" + readerRecord.name.fullName
        if let known = records[key] { return known }
        let resolved = ResolvedRecord()
        records[key] = resolved
        resolved.readerFieldCount = readerRecord.fields.count
        var filled = [Bool](repeating: false, count: readerRecord.fields.count)
        for writerField in writerRecord.fields {
            let readerIndex = readerRecord.fields.firstIndex(where: { $0.name == writerField.name })
                ?? readerRecord.fields.firstIndex(where: { $0.aliases.contains(writerField.name) })
            if let readerIndex, !filled[readerIndex] {
                filled[readerIndex] = true
                resolved.steps.append(.read(readerIndex: readerIndex, try compile(writerField.type, readerRecord.fields[readerIndex].type)))
            } else {
                var skipper = PlanCompiler(writer: writer, reader: writer)
                resolved.steps.append(.skip(try skipper.compile(writerField.type, writerField.type)))
            }
        }
        for (index, readerField) in readerRecord.fields.enumerated() where !filled[index] {
            if let defaultValue = try reader.defaultValue(of: readerField) {
                resolved.defaults.append((index, defaultValue))
            } else if case .enumeration(let enumeration) = reader.resolve(readerField.type), let symbol = enumeration.defaultSymbol {
                resolved.defaults.append((index, .enumeration(symbol)))
            } else {
                resolved.failure = "reader field '\(readerField.name)' of '\(readerRecord.name)' is missing from the writer and has no default"
            }
        }
        return resolved
    }
}
