// Statement and expression emitters for one Avro type node: binary encode (AvroBinaryWriter),
// binary decode (AvroBinaryReader), and conversion to and from AvroValue (the schema-resolution
// path). Collections and optionals need loops and branches, so they become statements that
// declare a local; everything else is a single expression.

struct AvroCodeEmitter {
    private var counter = 0

    /// A local name no other emitted statement in the same function uses.
    mutating func fresh(_ base: String) -> String {
        counter += 1
        return base + String(counter)
    }

    // MARK: Binary encoding

    mutating func encode(_ type: AvroSwiftType, _ value: String, into output: inout SourceWriter) {
        switch type {
        case .null:
            return
        case .primitive(let primitive):
            switch primitive {
            case .null: return
            case .boolean: output.line("writer.writeBoolean(\(value))")
            case .int: output.line("writer.writeInt(\(value))")
            case .long: output.line("writer.writeLong(\(value))")
            case .float: output.line("writer.writeFloat(\(value))")
            case .double: output.line("writer.writeDouble(\(value))")
            case .bytes: output.line("writer.writeBytes(\(value))")
            case .string: output.line("writer.writeString(\(value))")
            }
        case .logical(let mapping):
            switch mapping {
            case .date, .timeMillis: output.line("writer.writeInt(\(value).rawValue)")
            case .timeMicros, .timestampMillis, .timestampMicros, .timestampNanos,
                 .localTimestampMillis, .localTimestampMicros, .localTimestampNanos:
                output.line("writer.writeLong(\(value).rawValue)")
            case .uuidString: output.line("writer.writeString(\(value).uuidString)")
            case .uuidFixed, .duration: output.line("writer.writeFixed(\(value).bytes)")
            case .decimalBytes: output.line("writer.writeBytes(\(value).unscaledBytes)")
            case .decimalFixed(let size, _): output.line("writer.writeFixed(\(value).avroFixedBytes(size: \(size)))")
            }
        case .named, .union:
            output.line("\(value).avroEncode(to: &writer)")
        case .array(let items):
            let item = fresh("item")
            output.open("if !\(value).isEmpty")
            output.line("writer.writeLong(Int64(\(value).count))")
            output.open("for \(item) in \(value)")
            encode(items, item, into: &output)
            output.close()
            output.close()
            output.line("writer.writeLong(0)")
        case .map(let values):
            let key = fresh("key")
            let entry = fresh("entry")
            output.open("if !\(value).isEmpty")
            output.line("writer.writeLong(Int64(\(value).count))")
            // Sorted keys: equal maps give equal bytes, as the generic encoder writes them.
            output.open("for (\(key), \(entry)) in \(value).sorted(by: { $0.key < $1.key })")
            output.line("writer.writeString(\(key))")
            encode(values, entry, into: &output)
            output.close()
            output.close()
            output.line("writer.writeLong(0)")
        case .optional(let wrapped, let nullBranch, let valueBranch, _):
            let present = fresh("present")
            output.open("if let \(present) = \(value)")
            if let valueBranch {
                output.line("writer.writeLong(\(valueBranch))")
                encode(wrapped, present, into: &output)
            } else {
                output.line("\(present).avroEncode(to: &writer)")
            }
            output.reopen("} else {")
            output.line("writer.writeLong(\(nullBranch))")
            output.close()
        }
    }

    // MARK: Binary decoding

    private func decodeExpression(_ type: AvroSwiftType) -> String? {
        switch type {
        case .null: return "AvroNull()"
        case .primitive(let primitive):
            switch primitive {
            case .null: return "AvroNull()"
            case .boolean: return "try reader.readBoolean()"
            case .int: return "try reader.readInt()"
            case .long: return "try reader.readLong()"
            case .float: return "try reader.readFloat()"
            case .double: return "try reader.readDouble()"
            case .bytes: return "try reader.readBytes()"
            case .string: return "try reader.readString()"
            }
        case .logical(let mapping):
            switch mapping {
            case .date, .timeMillis: return "\(mapping.spelling)(rawValue: try reader.readInt())"
            case .timeMicros, .timestampMillis, .timestampMicros, .timestampNanos,
                 .localTimestampMillis, .localTimestampMicros, .localTimestampNanos:
                return "\(mapping.spelling)(rawValue: try reader.readLong())"
            case .uuidString: return "try AvroUUID.avroParse(reader.readString())"
            case .uuidFixed: return "try AvroUUID.avroFixed(reader.readFixed(16))"
            case .duration: return "try AvroDuration.avroFixed(reader.readFixed(12))"
            case .decimalBytes(let scale): return "AvroDecimal(unscaledBytes: try reader.readBytes(), scale: \(scale))"
            case .decimalFixed(let size, let scale): return "AvroDecimal(unscaledBytes: try reader.readFixed(\(size)), scale: \(scale))"
            }
        case .named(let name): return "try \(name)(avroDecoding: &reader, limits: limits, depth: depth + 1)"
        case .union(let model): return "try \(model.swiftName)(avroDecoding: &reader, limits: limits, depth: depth + 1)"
        case .array, .map, .optional: return nil
        }
    }

    /// Statements that read one value and leave it in a new local; returns the local's name
    /// (or an expression when no statements were needed).
    mutating func decode(_ type: AvroSwiftType, into output: inout SourceWriter) -> String {
        if let expression = decodeExpression(type) { return expression }
        let name = fresh("decoded")
        switch type {
        case .array(let items):
            let count = fresh("count")
            output.line("var \(name): \(type.spelling) = []")
            output.open("while true")
            output.line("let \(count) = try reader.readCollectionBlockCount(itemsSoFar: \(name).count, limits: limits)")
            output.line("if \(count) == 0 { break }")
            // Each item takes at least one byte in nearly every schema; bound the reservation by
            // the input left so a hostile count cannot allocate more than the input justifies.
            output.line("\(name).reserveCapacity(\(name).count + min(\(count), reader.remaining))")
            output.open("for _ in 0..<\(count)")
            let item = decode(items, into: &output)
            output.line("\(name).append(\(item))")
            output.close()
            output.close()
        case .map(let values):
            let count = fresh("count")
            let items = fresh("items")
            output.line("var \(name): \(type.spelling) = [:]")
            output.line("var \(items) = 0")
            output.open("while true")
            output.line("let \(count) = try reader.readCollectionBlockCount(itemsSoFar: \(items), limits: limits)")
            output.line("if \(count) == 0 { break }")
            output.line("\(items) += \(count)")
            output.open("for _ in 0..<\(count)")
            let key = fresh("key")
            output.line("let \(key) = try reader.readString()")
            let value = decode(values, into: &output)
            output.line("\(name)[\(key)] = \(value)")
            output.close()
            output.close()
        case .optional(let wrapped, let nullBranch, let valueBranch, let branchCount):
            let branch = fresh("branch")
            output.line("let \(branch) = try reader.readUnionBranch(count: \(branchCount))")
            output.line("let \(name): \(type.spelling)")
            output.open("if \(branch) == \(nullBranch)")
            output.line("\(name) = nil")
            output.reopen("} else {")
            if valueBranch != nil {
                let inner = decode(wrapped, into: &output)
                output.line("\(name) = \(inner)")
            } else {
                output.line("\(name) = try \(wrapped.spelling)(avroBranch: \(branch), reader: &reader, limits: limits, depth: depth + 1)")
            }
            output.close()
        default:
            break
        }
        return name
    }

    // MARK: AvroValue

    /// An expression giving the AvroValue of `value`.
    mutating func valueExpression(_ type: AvroSwiftType, _ value: String) -> String {
        switch type {
        case .null: return "AvroValue.null"
        case .primitive(let primitive):
            switch primitive {
            case .null: return "AvroValue.null"
            case .boolean: return "AvroValue.boolean(\(value))"
            case .int: return "AvroValue.int(\(value))"
            case .long: return "AvroValue.long(\(value))"
            case .float: return "AvroValue.float(\(value))"
            case .double: return "AvroValue.double(\(value))"
            case .bytes: return "AvroValue.bytes(\(value))"
            case .string: return "AvroValue.string(\(value))"
            }
        case .logical(let mapping):
            switch mapping {
            case .date, .timeMillis: return "AvroValue.int(\(value).rawValue)"
            case .timeMicros, .timestampMillis, .timestampMicros, .timestampNanos,
                 .localTimestampMillis, .localTimestampMicros, .localTimestampNanos:
                return "AvroValue.long(\(value).rawValue)"
            case .uuidString: return "AvroValue.string(\(value).uuidString)"
            case .uuidFixed, .duration: return "AvroValue.fixed(\(value).bytes)"
            case .decimalBytes: return "AvroValue.bytes(\(value).unscaledBytes)"
            case .decimalFixed(let size, _): return "AvroValue.fixed(\(value).avroFixedBytes(size: \(size)))"
            }
        case .named, .union:
            return "\(value).avroValue"
        case .array(let items):
            let item = fresh("item")
            return "AvroValue.array(\(value).map { (\(item): \(items.spelling)) -> AvroValue in \(valueExpression(items, item)) })"
        case .map(let values):
            let entry = fresh("entry")
            return "AvroValue.map(\(value).mapValues { (\(entry): \(values.spelling)) -> AvroValue in \(valueExpression(values, entry)) })"
        case .optional(let wrapped, let nullBranch, let valueBranch, _):
            let present = fresh("present")
            let inner = valueBranch.map { "AvroValue.union(branch: \($0), \(valueExpression(wrapped, present)))" } ?? "\(present).avroValue"
            return "(\(value).map { (\(present): \(wrapped.spelling)) -> AvroValue in \(inner) } ?? AvroValue.union(branch: \(nullBranch), .null))"
        }
    }

    private func fromValueExpression(_ type: AvroSwiftType, _ source: String) -> String? {
        switch type {
        case .null: return nil
        case .primitive(let primitive):
            switch primitive {
            case .null: return nil
            case .boolean: return "try \(source).decodeBoolean()"
            case .int: return "try \(source).decodeInt()"
            case .long: return "try \(source).decodeLong()"
            case .float: return "try \(source).decodeFloat()"
            case .double: return "try \(source).decodeDouble()"
            case .bytes: return "try \(source).decodeBytes()"
            case .string: return "try \(source).decodeString()"
            }
        case .logical(let mapping):
            switch mapping {
            case .date, .timeMillis: return "\(mapping.spelling)(rawValue: try \(source).decodeInt())"
            case .timeMicros, .timestampMillis, .timestampMicros, .timestampNanos,
                 .localTimestampMillis, .localTimestampMicros, .localTimestampNanos:
                return "\(mapping.spelling)(rawValue: try \(source).decodeLong())"
            case .uuidString: return "try AvroUUID.avroParse(\(source).decodeString())"
            case .uuidFixed: return "try AvroUUID.avroFixed(\(source).decodeFixed(size: 16))"
            case .duration: return "try AvroDuration.avroFixed(\(source).decodeFixed(size: 12))"
            case .decimalBytes(let scale): return "AvroDecimal(unscaledBytes: try \(source).decodeBytes(), scale: \(scale))"
            case .decimalFixed(let size, let scale):
                return "AvroDecimal(unscaledBytes: try \(source).decodeFixed(size: \(size)), scale: \(scale))"
            }
        case .named(let name): return "try \(name)(avroValue: \(source))"
        case .union(let model): return "try \(model.swiftName)(avroValue: \(source))"
        case .array, .map, .optional: return nil
        }
    }

    /// Statements that convert the AvroValue `source` (shaped by this type) into a Swift value;
    /// returns the local's name or an expression.
    mutating func fromValue(_ type: AvroSwiftType, _ source: String, into output: inout SourceWriter) -> String {
        if let expression = fromValueExpression(type, source) { return expression }
        let name = fresh("converted")
        switch type {
        case .null, .primitive(.null):
            output.line("try \(source).decodeNull()")
            return "AvroNull()"
        case .array(let items):
            let element = fresh("element")
            output.line("var \(name): \(type.spelling) = []")
            output.open("for \(element) in try \(source).decodeArray()")
            let item = fromValue(items, element, into: &output)
            output.line("\(name).append(\(item))")
            output.close()
        case .map(let values):
            let key = fresh("key")
            let element = fresh("element")
            output.line("var \(name): \(type.spelling) = [:]")
            output.open("for (\(key), \(element)) in try \(source).decodeMap()")
            let value = fromValue(values, element, into: &output)
            output.line("\(name)[\(key)] = \(value)")
            output.close()
        case .optional(let wrapped, let nullBranch, let valueBranch, _):
            let branch = fresh("branch")
            let inner = fresh("inner")
            output.line("let (\(branch), \(inner)) = try \(source).decodeUnion()")
            output.line("let \(name): \(type.spelling)")
            output.open("if \(branch) == \(nullBranch)")
            output.line("\(name) = nil")
            if let valueBranch {
                output.reopen("} else if \(branch) == \(valueBranch) {")
                let value = fromValue(wrapped, inner, into: &output)
                output.line("\(name) = \(value)")
                output.reopen("} else {")
                output.line("throw AvroValueError(kind: .unionBranchOutOfRange, message: \"optional value uses union branch \\(\(branch))\")")
                output.close()
            } else {
                output.reopen("} else {")
                output.line("\(name) = try \(wrapped.spelling)(avroBranch: \(branch), value: \(inner))")
                output.close()
            }
        default:
            break
        }
        return name
    }
}
