// Generated Avro types against independent encoders: every value a generated type writes must
// be byte-identical to what the generic AvroEncoder writes for its AvroValue and to what libavro
// rewrites after reading it; decoding must give the value back, directly and through the
// generic/resolution path. Covers every Avro type kind (schemas/tests/Everything.avsc) and
// schema evolution (OrderPlaced v1 ↔ v2).
import Avro
import Foundation
import Testing

private func randomAddress(_ random: inout SeededRandom) -> Everything.ComExampleHomeAddress {
    Everything.ComExampleHomeAddress(street: random.text(), zip: Bool.random(using: &random) ? random.text(maximumLength: 5) : nil)
}

private func randomTree(_ random: inout SeededRandom, depth: Int) -> [Everything.TreeNode] {
    guard depth > 0 else { return [] }
    return (0..<Int.random(in: 0...2, using: &random)).map { _ in
        Everything.TreeNode(name: random.text(), children: randomTree(&random, depth: depth - 1))
    }
}

/// A value with every field drawn from `seed`, including the union branches, empty and
/// non-empty collections, and extreme numbers.
func randomEverything(seed: UInt64) throws -> Everything {
    var random = SeededRandom(seed: seed)
    let identifier: Everything.IdentifierUnion
    switch Int.random(in: 0...2, using: &random) {
    case 0: identifier = .string(random.text())
    case 1: identifier = .long(Int64.random(in: .min ... .max, using: &random))
    default: identifier = .address(randomAddress(&random))
    }
    let maybeChoice: Everything.MaybeChoiceUnion?
    switch Int.random(in: 0...2, using: &random) {
    case 0: maybeChoice = nil
    case 1: maybeChoice = .string(random.text())
    default: maybeChoice = .int(Int32.random(in: .min ... .max, using: &random))
    }
    let keys = (0..<Int.random(in: 0...4, using: &random)).map { _ in random.text(maximumLength: 6) }
    return Everything(
        nothing: AvroNull(),
        flag: Bool.random(using: &random),
        count: Int32.random(in: .min ... .max, using: &random),
        total: [Int64.min, Int64.max, 0, -1, Int64.random(in: .min ... .max, using: &random)].randomElement(using: &random) ?? 0,
        ratio: Float.random(in: -1e6...1e6, using: &random),
        measure: Double.random(in: -1e300...1e300, using: &random),
        payload: random.bytes(count: Int.random(in: 0...20, using: &random)),
        label: random.text(maximumLength: 40),
        class: random.text(),
        default: Int32.random(in: -100...100, using: &random),
        homeAddress: randomAddress(&random),
        workAddress: Everything.ComExampleWorkAddress(building: random.text(), floor: Int32.random(in: -3...90, using: &random)),
        previousHome: Bool.random(using: &random) ? randomAddress(&random) : nil,
        suit: Everything.Suit.allCases.randomElement(using: &random) ?? .spades,
        hand: (0..<Int.random(in: 0...5, using: &random)).map { _ in Everything.Suit.allCases.randomElement(using: &random) ?? .clubs },
        scores: Dictionary(keys.map { ($0, Int64.random(in: -1000...1000, using: &random)) }, uniquingKeysWith: { first, _ in first }),
        matrix: (0..<Int.random(in: 0...3, using: &random)).map { _ in
            (0..<Int.random(in: 0...3, using: &random)).map { _ in Double.random(in: -10...10, using: &random) }
        },
        groups: Dictionary(keys.map { ($0, [random.text()]) }, uniquingKeysWith: { first, _ in first }),
        digest: try Everything.MD5(random.bytes(count: 16)),
        nickname: Bool.random(using: &random) ? random.text() : nil,
        rating: Bool.random(using: &random) ? Int32.random(in: 0...5, using: &random) : nil,
        identifier: identifier,
        maybeChoice: maybeChoice,
        optionalList: Bool.random(using: &random) ? (0..<3).map { Int32($0) } : nil,
        born: AvroDate(daysSinceEpoch: Int32.random(in: -30000...30000, using: &random)),
        alarm: AvroTimeMillis(millisecondsSinceMidnight: Int32.random(in: 0..<86_400_000, using: &random)),
        alarmPrecise: AvroTimeMicros(microsecondsSinceMidnight: Int64.random(in: 0..<86_400_000_000, using: &random)),
        createdAt: AvroTimestampMillis(millisecondsSinceEpoch: Int64.random(in: 0...4_000_000_000_000, using: &random)),
        createdAtMicros: AvroTimestampMicros(microsecondsSinceEpoch: Int64.random(in: -1...1 << 52, using: &random)),
        localCreatedAt: AvroLocalTimestampMillis(millisecondsSinceLocalEpoch: Int64.random(in: 0...1 << 42, using: &random)),
        traceId: AvroUUID(high: random.next(), low: random.next()),
        binaryId: AvroUUID(high: random.next(), low: random.next()),
        price: AvroDecimal(unscaled: Int64.random(in: -99_999_999...99_999_999, using: &random), scale: 2),
        fixedPrice: AvroDecimal(unscaledBytes: random.bytes(count: 8), scale: 4),
        validity: AvroDuration(months: UInt32.random(in: 0...UInt32.max, using: &random), days: 3, milliseconds: 1000),
        children: randomTree(&random, depth: 3))
}

@Test(arguments: 0..<40)
func everythingMatchesTheGenericCodecAndLibavro(seed: Int) throws {
    let value = try randomEverything(seed: UInt64(seed))
    let typedBytes = value.avroEncoded()
    let genericBytes = try AvroEncoder.encode(value.avroValue, schema: Everything.avroSchema)
    #expect(typedBytes == genericBytes)
    #expect(libavroRewrite(schemaText: Everything.avroSchemaText, bytes: typedBytes) == typedBytes)

    #expect(try Everything.avroDecode(typedBytes) == value)
    let generic = try AvroDecoder.decode(typedBytes, schema: Everything.avroSchema)
    #expect(generic == value.avroValue)
    #expect(try Everything(avroValue: generic) == value)
    // Same writer schema: the reader takes the direct path and still gives the value back.
    let reader = try AvroRecordReader<Everything>(writerSchema: Everything.avroSchema)
    #expect(!reader.isResolving)
    #expect(try reader.decode(typedBytes) == value)
}

@Test func everythingDefaultsComeFromTheSchema() throws {
    let value = try randomEverything(seed: 99)
    // Build with the defaulted parameters left out, then compare with the schema's defaults.
    let defaulted = Everything(
        nothing: AvroNull(), flag: true, count: 1, total: 2, ratio: 0.5, measure: 0.25, payload: [], label: "",
        class: "c", homeAddress: value.homeAddress, workAddress: value.workAddress, suit: .hearts, matrix: [], groups: [:],
        digest: value.digest, identifier: .long(1), born: value.born, alarm: value.alarm, alarmPrecise: value.alarmPrecise,
        createdAtMicros: value.createdAtMicros, localCreatedAt: value.localCreatedAt, binaryId: value.binaryId,
        price: value.price, fixedPrice: value.fixedPrice, validity: value.validity)
    let schema = Everything.avroSchema
    guard case .record(let record) = schema.root, case .record(let fields) = defaulted.avroValue else {
        Issue.record("Everything is not a record")
        return
    }
    var checked = 0
    for (index, field) in record.fields.enumerated() {
        guard let expected = try schema.defaultValue(of: field) else { continue }
        #expect(fields[index] == expected, "default of \(field.name)")
        checked += 1
    }
    #expect(checked == 11)
    #expect(defaulted.traceId.uuidString == "123e4567-e89b-12d3-a456-426614174000")
}

@Test func everythingSurvivesCodableJSON() throws {
    for seed in 0..<5 {
        let value = try randomEverything(seed: UInt64(seed))
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(Everything.self, from: data) == value)
    }
}

@Test func malformedBytesAreTypedErrors() throws {
    let bytes = try randomEverything(seed: 7).avroEncoded()
    // Every proper prefix is truncated input, never a crash.
    for length in stride(from: 0, to: bytes.count, by: 3) {
        #expect(throws: AvroValueError.self) { try Everything.avroDecode(Array(bytes.prefix(length))) }
    }
    do {
        _ = try Everything.avroDecode(bytes + [0])
        Issue.record("trailing byte accepted")
    } catch {
        #expect(error.kind == .trailingBytes)
    }
    // A union branch index past the end of the union.
    var writer = AvroBinaryWriter()
    writer.writeLong(9)
    do {
        let decoded = try withReader(writer.bytes) { reader throws(AvroValueError) in
            try Everything.IdentifierUnion(avroDecoding: &reader, limits: AvroDecodingLimits(), depth: 0)
        }
        Issue.record("branch 9 accepted: \(decoded)")
    } catch {
        #expect(error.kind == .unionBranchOutOfRange)
    }
    // A uuid string field that does not hold a UUID.
    var uuidWriter = AvroBinaryWriter()
    uuidWriter.writeString("not-a-uuid")
    #expect(throws: AvroValueError.self) {
        try withReader(uuidWriter.bytes) { reader throws(AvroValueError) in try AvroUUID.avroParse(reader.readString()) }
    }
}

@Test func nestingDeeperThanTheLimitIsRefused() throws {
    var node = Everything.TreeNode(name: "leaf", children: [])
    for level in 0..<20 { node = Everything.TreeNode(name: "level\(level)", children: [node]) }
    var writer = AvroBinaryWriter()
    node.avroEncode(to: &writer)
    let limits = AvroDecodingLimits(collectionItemsMax: 100, nestingDepthMax: 10)
    #expect(throws: AvroValueError.self) {
        try withReader(writer.bytes) { reader throws(AvroValueError) in
            try Everything.TreeNode(avroDecoding: &reader, limits: limits, depth: 0)
        }
    }
}

// MARK: Schema evolution

private func orderV1(_ index: Int) -> OrderPlacedV1 {
    OrderPlacedV1(
        orderId: "ord-\(index)", customerId: "cus-\(index % 7)",
        items: (0..<(index % 4)).map { OrderPlacedV1.LineItem(sku: "sku-\($0)", quantity: Int32($0 + 1), unitPriceCents: 250 * Int64($0 + 1)) },
        totalCents: Int64(index) * 1000, currency: index % 2 == 0 ? "EUR" : "USD",
        placedAt: AvroTimestampMillis(millisecondsSinceEpoch: 1_795_518_930_000 + Int64(index)))
}

@Test func version2ReadsVersion1Data() throws {
    let reader = try AvroRecordReader<OrderPlacedV2>(writerSchema: OrderPlacedV1.avroSchema)
    #expect(reader.isResolving)
    for index in 0..<10 {
        let old = orderV1(index)
        let bytes = old.avroEncoded()
        #expect(libavroRewrite(schemaText: OrderPlacedV1.avroSchemaText, bytes: bytes) == bytes)
        let upgraded = try reader.decode(bytes)
        #expect(upgraded.orderId == old.orderId)
        #expect(upgraded.customerId == old.customerId)
        #expect(upgraded.items.map(\.sku) == old.items.map(\.sku))
        #expect(upgraded.items.map(\.quantity) == old.items.map(\.quantity))
        #expect(upgraded.totalCents == old.totalCents)
        #expect(upgraded.currency == old.currency)
        #expect(upgraded.placedAt == old.placedAt)
        #expect(upgraded.channel == .web, "the v2 default fills the field v1 never wrote")
        #expect(try OrderPlacedV2.avroDecode(bytes, writerSchema: OrderPlacedV1.avroSchema) == upgraded)
    }
}

@Test func version1ReadsVersion2DataAndDropsTheNewField() throws {
    let reader = try AvroRecordReader<OrderPlacedV1>(writerSchema: OrderPlacedV2.avroSchema)
    let new = OrderPlacedV2(
        orderId: "ord-9", customerId: "cus-1", items: [.init(sku: "a", quantity: 2, unitPriceCents: 5)], totalCents: 10,
        placedAt: AvroTimestampMillis(millisecondsSinceEpoch: 5), channel: .inStore)
    let old = try reader.decode(new.avroEncoded())
    #expect(old.orderId == "ord-9" && old.totalCents == 10 && old.currency == "EUR" && old.items.count == 1)
    // Without the writer schema the v1 decoder must not silently accept v2 bytes.
    #expect(throws: AvroValueError.self) { try OrderPlacedV1.avroDecode(new.avroEncoded()) }
}

@Test func evolutionThroughGenericResolutionAgrees() throws {
    // The typed resolution path must equal the generic resolver's reader-shaped value.
    let resolver = try AvroResolver(writer: OrderPlacedV1.avroSchema, reader: OrderPlacedV2.avroSchema)
    for index in 0..<5 {
        let bytes = orderV1(index).avroEncoded()
        let generic = try resolver.decode(bytes)
        #expect(try OrderPlacedV2.avroDecode(bytes, writerSchema: OrderPlacedV1.avroSchema).avroValue == generic)
    }
}

@Test func pluginGeneratedTypeWorks() throws {
    // PluginProbe comes from PluginSchemas/PluginProbe.avsc through BrookCodegenPlugin at build time.
    let probe = PluginProbe(id: 42, note: "built by the plugin")
    #expect(try PluginProbe.avroDecode(probe.avroEncoded()) == probe)
    #expect(PluginProbe(id: 1).note == nil)
    #expect(PluginProbe.avroFingerprint == PluginProbe.avroSchema.fingerprint64)
}
