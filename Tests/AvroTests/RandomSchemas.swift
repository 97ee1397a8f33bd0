// Seeded random schemas and datums for property tests. Names carry no namespace so avro-c's
// JSON output (which tags union branches by unqualified name) can be compared with ours.
@testable import Avro

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }
}

struct RandomSchemaGenerator {
    var random: SplitMix64
    var nameCounter = 0
    let depthMax = 3
    /// avro-c 1.11 fails to read zero-size fixed types and empty records nested in
    /// collections, and its JSON rendering cuts bytes/fixed at a zero byte, so schemas and
    /// datums meant for it avoid all three.
    let avoidEmptyTypes: Bool

    init(seed: UInt64, avoidEmptyTypes: Bool = false) {
        random = SplitMix64(state: seed)
        self.avoidEmptyTypes = avoidEmptyTypes
    }

    private mutating func freshName(_ prefix: String) -> String {
        nameCounter += 1
        return "\(prefix)\(nameCounter)"
    }

    private static let primitives = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    /// A schema JSON text; `allowUnion` is false directly inside a union.
    mutating func schemaText(depth: Int = 0, allowUnion: Bool = true) -> String {
        let choice = depth >= depthMax ? 0 : Int.random(in: 0..<10, using: &random)
        switch choice {
        case 0, 1, 2:
            return "\"" + Self.primitives.randomElement(using: &random)! + "\""
        case 3:
            return #"{"type":"array","items":\#(schemaText(depth: depth + 1))}"#
        case 4:
            return #"{"type":"map","values":\#(schemaText(depth: depth + 1))}"#
        case 5:
            let count = Int.random(in: 1...4, using: &random)
            let symbols = (0..<count).map { "\"S\($0)\"" }.joined(separator: ",")
            return #"{"type":"enum","name":"\#(freshName("E"))","symbols":[\#(symbols)]}"#
        case 6:
            return #"{"type":"fixed","name":"\#(freshName("F"))","size":\#(Int.random(in: (avoidEmptyTypes ? 1 : 0)...6, using: &random))}"#
        case 7 where allowUnion:
            // Distinct branch kinds: null, one primitive, one complex.
            let primitive = ["int", "string", "double", "boolean"].randomElement(using: &random)!
            let complex = #"{"type":"array","items":\#(schemaText(depth: depth + 1))}"#
            return #"["null","\#(primitive)",\#(complex)]"#
        default:
            let name = freshName("R")
            let count = Int.random(in: (avoidEmptyTypes ? 1 : 0)...4, using: &random)
            let fields = (0..<count).map { index in
                #"{"name":"f\#(index)","type":\#(schemaText(depth: depth + 1))}"#
            }.joined(separator: ",")
            return #"{"type":"record","name":"\#(name)","fields":[\#(fields)]}"#
        }
    }

    mutating func value(for type: AvroType, in schema: AvroSchema, depth: Int = 0) -> AvroValue {
        switch schema.resolve(type) {
        case .primitive(let primitive, _):
            switch primitive {
            case .null: return .null
            case .boolean: return .boolean(Bool.random(using: &random))
            case .int: return .int(Int32.random(in: Int32.min...Int32.max, using: &random))
            case .long: return .long(Int64.random(in: Int64.min...Int64.max, using: &random))
            case .float: return .float(Float.random(in: -1e6...1e6, using: &random))
            case .double: return .double(Double.random(in: -1e12...1e12, using: &random))
            case .bytes: return .bytes((0..<Int.random(in: 0...5, using: &random)).map { _ in UInt8.random(in: (avoidEmptyTypes ? 1 : 0)...255, using: &random) })
            case .string:
                let alphabet = Array("abcé\"\\\n€𝄞 z")
                return .string(String((0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
            }
        case .record(let record):
            return .record(record.fields.map { value(for: $0.type, in: schema, depth: depth + 1) })
        case .enumeration(let enumeration):
            return .enumeration(enumeration.symbols.randomElement(using: &random)!)
        case .array(let items, _):
            let count = depth > 4 ? 0 : Int.random(in: 0...3, using: &random)
            return .array((0..<count).map { _ in value(for: items, in: schema, depth: depth + 1) })
        case .map(let values, _):
            let count = depth > 4 ? 0 : Int.random(in: 0...3, using: &random)
            var entries: [String: AvroValue] = [:]
            for index in 0..<count { entries["k\(index)"] = value(for: values, in: schema, depth: depth + 1) }
            return .map(entries)
        case .union(let branches):
            let branch = depth > 4 ? 0 : Int.random(in: 0..<branches.count, using: &random)
            return .union(branch: branch, value(for: branches[branch], in: schema, depth: depth + 1))
        case .fixed(let fixed):
            return .fixed((0..<fixed.size).map { _ in UInt8.random(in: (avoidEmptyTypes ? 1 : 0)...255, using: &random) })
        case .reference:
            return .null
        }
    }
}
