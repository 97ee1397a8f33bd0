// SchemaDiff: compares an original schema with an update and lists typed changes, each at a JSON
// pointer ("#/properties/name/maxLength"), following the rules of Confluent's json-schema-provider
// diff. Pairs of schemas are memoized (recursive schemas become cycles); a cycle met while still
// being compared is assumed compatible, and the whole comparison is repeated with the pairs found
// incompatible fed back in until the answer no longer changes, so that assumption cannot hide a
// real incompatibility.

/// One change between two schemas.
public struct JSONSchemaChange: Sendable, Hashable, CustomStringConvertible {
    public let type: JSONSchemaChangeType
    /// Where the change is, as Confluent writes it: "#/properties/name".
    public let path: String

    public init(type: JSONSchemaChangeType, path: String) {
        self.type = type
        self.path = path
    }

    public var description: String { "\(type.rawValue) at \(path)" }
}

struct RelativeChange: Hashable {
    var type: JSONSchemaChangeType
    var path: [String]
}

private struct Pair: Hashable {
    let original: ObjectIdentifier
    let update: ObjectIdentifier
    init(_ original: DiffSchema, _ update: DiffSchema) {
        self.original = ObjectIdentifier(original)
        self.update = ObjectIdentifier(update)
    }
}

/// State shared by every branch of one comparison pass.
final class DiffSession {
    let compatible: Set<JSONSchemaChangeType>
    fileprivate var memo: [Pair: [RelativeChange]] = [:]
    fileprivate var inProgress: Set<Pair> = []
    fileprivate let incompatibleSeed: [Pair: [RelativeChange]]
    var optimismUsed = false
    /// Pairs compared per pass before giving up (combined schemas compare all subschema pairs).
    static let pairComparisonsMax = 200_000
    var comparisons = 0

    fileprivate init(compatible: Set<JSONSchemaChangeType>, seed: [Pair: [RelativeChange]]) {
        self.compatible = compatible
        self.incompatibleSeed = seed
    }

    fileprivate func incompatiblePairs() -> [Pair: [RelativeChange]] {
        memo.filter { $0.value.contains { !compatible.contains($0.type) } }
    }
}

/// A path and the changes found under it; `subcontext()` starts a branch at the same path.
struct DiffContext {
    let session: DiffSession
    var path: [String] = []
    var changes: [RelativeChange] = []

    func subcontext() -> DiffContext { DiffContext(session: session, path: path) }

    var isCompatible: Bool { changes.allSatisfy { session.compatible.contains($0.type) } }

    mutating func add(_ type: JSONSchemaChangeType) { changes.append(RelativeChange(type: type, path: path)) }
    mutating func add(_ keyword: String, _ type: JSONSchemaChangeType) {
        changes.append(RelativeChange(type: type, path: path + [keyword]))
    }
    mutating func add(contentsOf other: [RelativeChange]) { changes.append(contentsOf: other) }

    mutating func within(_ components: String..., body: (inout DiffContext) throws -> Void) rethrows {
        let saved = path.count
        path.append(contentsOf: components)
        defer { path.removeLast(path.count - saved) }
        try body(&self)
    }
}

enum SchemaDiff {
    /// Compares `original` with `update`; changes are classified by the caller.
    static func compare(
        _ original: DiffSchema, _ update: DiffSchema, compatible: Set<JSONSchemaChangeType>
    ) throws -> [JSONSchemaChange] {
        var seed: [Pair: [RelativeChange]] = [:]
        while true {
            let session = DiffSession(compatible: compatible, seed: seed)
            var context = DiffContext(session: session)
            try compare(&context, original, update)
            let incompatible = session.incompatiblePairs()
            if !session.optimismUsed || Set(incompatible.keys) == Set(seed.keys) {
                return context.changes.map { JSONSchemaChange(type: $0.type, path: "#/" + $0.path.joined(separator: "/")) }
            }
            seed = incompatible
        }
    }

    static func compare(_ context: inout DiffContext, _ original: DiffSchema?, _ update: DiffSchema?) throws {
        guard let original, let update else {
            if original == nil && update != nil { context.add(.schemaAdded) }
            if original != nil && update == nil { context.add(.schemaRemoved) }
            return
        }
        let left = original.resolved
        let right = update.resolved
        let session = context.session
        session.comparisons += 1
        guard session.comparisons <= DiffSession.pairComparisonsMax else {
            throw SchemaError.tooDeep(location: "compatibility check compared more than \(DiffSession.pairComparisonsMax) schema pairs")
        }
        let pair = Pair(left, right)
        let relative: [RelativeChange]
        if let cached = session.memo[pair] {
            relative = cached
        } else if session.inProgress.contains(pair) {
            if let seeded = session.incompatibleSeed[pair] {
                relative = seeded
            } else {
                session.optimismUsed = true
                relative = []
            }
        } else {
            session.inProgress.insert(pair)
            defer { session.inProgress.remove(pair) }
            var fresh = DiffContext(session: session)
            try compareTypes(&fresh, left, right)
            session.memo[pair] = fresh.changes
            relative = fresh.changes
        }
        for change in relative {
            context.changes.append(RelativeChange(type: change.type, path: context.path + change.path))
        }
    }

    private static func compareTypes(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) throws {
        if original.kind != .combined && update.kind == .combined {
            if update.subschemas.count == 1 {
                var branch = context.subcontext()
                try compare(&branch, original, update.subschemas[0])
                if branch.isCompatible { context.add(contentsOf: branch.changes); return }
            } else if update.criterion == .anyOf || update.criterion == .oneOf {
                for subschema in update.subschemas {
                    var branch = context.subcontext()
                    try compare(&branch, original, subschema)
                    if branch.isCompatible {
                        context.add(contentsOf: branch.changes)
                        context.add(.sumTypeExtended)
                        return
                    }
                }
            }
        } else if original.kind == .combined && update.kind != .combined {
            if original.subschemas.count == 1 {
                var branch = context.subcontext()
                try compare(&branch, original.subschemas[0], update)
                if branch.isCompatible { context.add(contentsOf: branch.changes); return }
            } else if original.criterion == .allOf {
                for subschema in original.subschemas {
                    var branch = context.subcontext()
                    try compare(&branch, subschema, update)
                    if branch.isCompatible {
                        context.add(contentsOf: branch.changes)
                        context.add(.productTypeNarrowed)
                        return
                    }
                }
            }
        }

        if original.kind != update.kind {
            // Anything may become the empty schema, and nothing was valid under `false`.
            if original.kind == .falseSchema || update.kind == .empty { return }
            context.add(.typeChanged)
            return
        }
        if original.id != update.id { context.add(.idChanged) }
        if original.title != update.title { context.add(.titleChanged) }
        if original.schemaDescription != update.schemaDescription { context.add(.descriptionChanged) }
        if original.defaultValue != update.defaultValue { context.add(.defaultChanged) }

        switch original.kind {
        case .string: compareString(&context, original, update)
        case .number: compareNumber(&context, original, update)
        case .constant:
            if original.values != update.values { context.add("const", .enumArrayChanged) }
        case .enumeration: compareEnumeration(&context, original, update)
        case .combined: try compareCombined(&context, original, update)
        case .not:
            try context.within("not") { context in
                var branch = context.subcontext()
                // Reversed: the update's `not` must exclude no less than the original's.
                try compare(&branch, update.subschemas.first, original.subschemas.first)
                context.add(branch.isCompatible ? .notTypeNarrowed : .notTypeExtended)
            }
        case .object: try compareObject(&context, original, update)
        case .array: try compareArray(&context, original, update)
        default: break
        }
    }

    /// Reports added/removed/increased/decreased for an optional numeric keyword.
    static func compareLimit<Value: Comparable>(
        _ context: inout DiffContext, _ keyword: String, _ original: Value?, _ update: Value?,
        added: JSONSchemaChangeType, removed: JSONSchemaChangeType,
        increased: JSONSchemaChangeType, decreased: JSONSchemaChangeType
    ) {
        switch (original, update) {
        case (nil, _?): context.add(keyword, added)
        case (_?, nil): context.add(keyword, removed)
        case (let old?, let new?) where old < new: context.add(keyword, increased)
        case (let old?, let new?) where old > new: context.add(keyword, decreased)
        default: break
        }
    }

    private static func compareString(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) {
        compareLimit(&context, "maxLength", original.maxLength, update.maxLength, added: .maxLengthAdded,
                     removed: .maxLengthRemoved, increased: .maxLengthIncreased, decreased: .maxLengthDecreased)
        compareLimit(&context, "minLength", original.minLength, update.minLength, added: .minLengthAdded,
                     removed: .minLengthRemoved, increased: .minLengthIncreased, decreased: .minLengthDecreased)
        switch (original.pattern, update.pattern) {
        case (nil, _?): context.add("pattern", .patternAdded)
        case (_?, nil): context.add("pattern", .patternRemoved)
        case (let old?, let new?) where old != new: context.add("pattern", .patternChanged)
        default: break
        }
    }

    private static func compareNumber(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) {
        compareLimit(&context, "maximum", original.maximum, update.maximum, added: .maximumAdded,
                     removed: .maximumRemoved, increased: .maximumIncreased, decreased: .maximumDecreased)
        compareLimit(&context, "minimum", original.minimum, update.minimum, added: .minimumAdded,
                     removed: .minimumRemoved, increased: .minimumIncreased, decreased: .minimumDecreased)
        compareLimit(&context, "exclusiveMaximum", original.exclusiveMaximum, update.exclusiveMaximum,
                     added: .exclusiveMaximumAdded, removed: .exclusiveMaximumRemoved,
                     increased: .exclusiveMaximumIncreased, decreased: .exclusiveMaximumDecreased)
        compareLimit(&context, "exclusiveMinimum", original.exclusiveMinimum, update.exclusiveMinimum,
                     added: .exclusiveMinimumAdded, removed: .exclusiveMinimumRemoved,
                     increased: .exclusiveMinimumIncreased, decreased: .exclusiveMinimumDecreased)
        switch (original.multipleOf, update.multipleOf) {
        case (nil, _?): context.add("multipleOf", .multipleOfAdded)
        case (_?, nil): context.add("multipleOf", .multipleOfRemoved)
        case (let old?, let new?) where old != new:
            if isMultiple(new, of: old) {
                context.add("multipleOf", .multipleOfExpanded)
            } else if isMultiple(old, of: new) {
                context.add("multipleOf", .multipleOfReduced)
            } else {
                context.add("multipleOf", .multipleOfChanged)
            }
        default: break
        }
        if original.requiresInteger != update.requiresInteger {
            context.add(original.requiresInteger ? .typeExtended : .typeNarrowed)
        }
    }

    private static func isMultiple(_ value: Double, of step: Double) -> Bool {
        guard step != 0 else { return false }
        let quotient = value / step
        return quotient.isFinite && abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    private static func compareEnumeration(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) {
        let originalCoveredByUpdate = original.values.allSatisfy { update.values.contains($0) }
        let updateCoveredByOriginal = update.values.allSatisfy { original.values.contains($0) }
        if originalCoveredByUpdate && updateCoveredByOriginal { return }
        if originalCoveredByUpdate {
            context.add("enum", .enumArrayExtended)
        } else if updateCoveredByOriginal {
            context.add("enum", .enumArrayNarrowed)
        } else {
            context.add("enum", .enumArrayChanged)
        }
    }
}
