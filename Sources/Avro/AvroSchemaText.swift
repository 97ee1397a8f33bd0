// Schema text forms: Parsing Canonical Form (spec §Parsing Canonical Form) and its CRC-64-AVRO
// fingerprint; the "canonical storage string" Avro-Java's Schema.toString() produces and
// Confluent stores (compact, keeps doc/aliases/defaults/properties, namespaces written relative
// to the enclosing one); and the normalized form used for normalize=true (the storage string
// with every name written as a full name and no namespace attributes).
import JSON

extension AvroSchema {
    /// Parsing Canonical Form: full names, only name/type/fields/symbols/items/values/size.
    public var canonicalForm: String {
        var output = ""
        Self.writeCanonical(root, to: &output)
        return output
    }

    /// CRC-64-AVRO (Rabin) fingerprint of the Parsing Canonical Form.
    public var fingerprint64: UInt64 {
        AvroFingerprint.crc64Avro(Array(canonicalForm.utf8))
    }

    /// The text Avro-Java's `Schema.toString()` writes: what Confluent stores and returns.
    public var canonicalString: String {
        var output = ""
        Self.writeStorage(root, enclosingNamespace: nil, fullNames: false, to: &output)
        return output
    }

    /// The storage string with all names fully qualified (no `namespace` attributes), so two
    /// spellings of the same schema that differ only in namespace placement compare equal.
    public var normalizedString: String {
        var output = ""
        Self.writeStorage(root, enclosingNamespace: nil, fullNames: true, to: &output)
        return output
    }

    private static func writeCanonical(_ type: AvroType, to output: inout String) {
        switch type {
        case .primitive(let primitive, _):
            output += "\"" + primitive.rawValue + "\""
        case .reference(let fullName):
            JSONValue.writeString(fullName, to: &output)
        case .union(let branches):
            output += "["
            for (index, branch) in branches.enumerated() {
                if index > 0 { output += "," }
                writeCanonical(branch, to: &output)
            }
            output += "]"
        case .array(let items, _):
            output += "{\"type\":\"array\",\"items\":"
            writeCanonical(items, to: &output)
            output += "}"
        case .map(let values, _):
            output += "{\"type\":\"map\",\"values\":"
            writeCanonical(values, to: &output)
            output += "}"
        case .record(let record):
            output += "{\"name\":"
            JSONValue.writeString(record.name.fullName, to: &output)
            output += ",\"type\":\"record\",\"fields\":["
            for (index, field) in record.fields.enumerated() {
                if index > 0 { output += "," }
                output += "{\"name\":"
                JSONValue.writeString(field.name, to: &output)
                output += ",\"type\":"
                writeCanonical(field.type, to: &output)
                output += "}"
            }
            output += "]}"
        case .enumeration(let enumeration):
            output += "{\"name\":"
            JSONValue.writeString(enumeration.name.fullName, to: &output)
            output += ",\"type\":\"enum\",\"symbols\":["
            for (index, symbol) in enumeration.symbols.enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(symbol, to: &output)
            }
            output += "]}"
        case .fixed(let fixed):
            output += "{\"name\":"
            JSONValue.writeString(fixed.name.fullName, to: &output)
            output += ",\"type\":\"fixed\",\"size\":\(fixed.size)}"
        }
    }

    // MARK: Storage string (Avro-Java Schema.toString layout)

    private static func writeMember(_ key: String, _ output: inout String, first: Bool = false) {
        if !first { output += "," }
        JSONValue.writeString(key, to: &output)
        output += ":"
    }

    private static func writeProperties(_ properties: [(String, JSONValue)], to output: inout String) {
        for (key, value) in properties {
            writeMember(key, &output)
            value.write(to: &output)
        }
    }

    private static func writeAliases(_ aliases: [String], to output: inout String) {
        guard !aliases.isEmpty else { return }
        writeMember("aliases", &output)
        JSONValue.array(aliases.map { .string($0) }).write(to: &output)
    }

    /// Writes `"type":…,"name":…` and `"namespace"` when it differs from the enclosing one
    /// (Avro-Java writes `""` when a null namespace sits inside a non-null one).
    private static func writeNameHeader(_ typeName: String, _ name: AvroName, enclosingNamespace: String?, fullNames: Bool, to output: inout String) {
        output += "{\"type\":\"" + typeName + "\""
        writeMember("name", &output)
        JSONValue.writeString(fullNames ? name.fullName : name.name, to: &output)
        guard !fullNames else { return }
        if let namespace = name.namespace {
            if namespace != enclosingNamespace {
                writeMember("namespace", &output)
                JSONValue.writeString(namespace, to: &output)
            }
        } else if enclosingNamespace != nil {
            writeMember("namespace", &output)
            output += "\"\""
        }
    }

    private static func writeDoc(_ doc: String?, to output: inout String) {
        guard let doc else { return }
        writeMember("doc", &output)
        JSONValue.writeString(doc, to: &output)
    }

    private static func writeStorage(_ type: AvroType, enclosingNamespace: String?, fullNames: Bool, to output: inout String) {
        switch type {
        case .primitive(let primitive, let annotations):
            if annotations.properties.isEmpty {
                output += "\"" + primitive.rawValue + "\""
            } else {
                output += "{\"type\":\"" + primitive.rawValue + "\""
                writeProperties(annotations.properties, to: &output)
                output += "}"
            }
        case .reference(let fullName):
            // Avro-Java writes the short name when the namespace equals the enclosing one.
            var written = fullName
            if !fullNames, let enclosingNamespace, fullName.hasPrefix(enclosingNamespace + "."),
               !fullName.dropFirst(enclosingNamespace.count + 1).contains(".") {
                written = String(fullName.dropFirst(enclosingNamespace.count + 1))
            }
            JSONValue.writeString(written, to: &output)
        case .union(let branches):
            output += "["
            for (index, branch) in branches.enumerated() {
                if index > 0 { output += "," }
                writeStorage(branch, enclosingNamespace: enclosingNamespace, fullNames: fullNames, to: &output)
            }
            output += "]"
        case .array(let items, let annotations):
            output += "{\"type\":\"array\",\"items\":"
            writeStorage(items, enclosingNamespace: enclosingNamespace, fullNames: fullNames, to: &output)
            writeProperties(annotations.properties, to: &output)
            output += "}"
        case .map(let values, let annotations):
            output += "{\"type\":\"map\",\"values\":"
            writeStorage(values, enclosingNamespace: enclosingNamespace, fullNames: fullNames, to: &output)
            writeProperties(annotations.properties, to: &output)
            output += "}"
        case .record(let record):
            writeNameHeader(record.isError ? "error" : "record", record.name, enclosingNamespace: enclosingNamespace, fullNames: fullNames, to: &output)
            writeDoc(record.doc, to: &output)
            writeMember("fields", &output)
            output += "["
            for (index, field) in record.fields.enumerated() {
                if index > 0 { output += "," }
                output += "{\"name\":"
                JSONValue.writeString(field.name, to: &output)
                writeMember("type", &output)
                writeStorage(field.type, enclosingNamespace: record.name.namespace, fullNames: fullNames, to: &output)
                writeDoc(field.doc, to: &output)
                if let defaultJSON = field.defaultJSON {
                    writeMember("default", &output)
                    defaultJSON.write(to: &output)
                }
                if field.order != .ascending {
                    writeMember("order", &output)
                    output += "\"" + field.order.rawValue + "\""
                }
                writeAliases(field.aliases, to: &output)
                writeProperties(field.properties, to: &output)
                output += "}"
            }
            output += "]"
            writeProperties(record.properties, to: &output)
            writeAliases(relativeAliases(record.aliases, record.name.namespace, fullNames), to: &output)
            output += "}"
        case .enumeration(let enumeration):
            writeNameHeader("enum", enumeration.name, enclosingNamespace: enclosingNamespace, fullNames: fullNames, to: &output)
            writeDoc(enumeration.doc, to: &output)
            writeMember("symbols", &output)
            JSONValue.array(enumeration.symbols.map { .string($0) }).write(to: &output)
            if let defaultSymbol = enumeration.defaultSymbol {
                writeMember("default", &output)
                JSONValue.writeString(defaultSymbol, to: &output)
            }
            writeProperties(enumeration.properties, to: &output)
            writeAliases(relativeAliases(enumeration.aliases, enumeration.name.namespace, fullNames), to: &output)
            output += "}"
        case .fixed(let fixed):
            writeNameHeader("fixed", fixed.name, enclosingNamespace: enclosingNamespace, fullNames: fullNames, to: &output)
            writeDoc(fixed.doc, to: &output)
            writeMember("size", &output)
            output += String(fixed.size)
            writeProperties(fixed.properties, to: &output)
            writeAliases(relativeAliases(fixed.aliases, fixed.name.namespace, fullNames), to: &output)
            output += "}"
        }
    }

    /// Avro-Java prints aliases relative to the type's namespace (short when they share it).
    private static func relativeAliases(_ aliases: [String], _ namespace: String?, _ fullNames: Bool) -> [String] {
        guard !fullNames, let namespace else { return aliases }
        return aliases.map { alias in
            let prefix = namespace + "."
            if alias.hasPrefix(prefix), !alias.dropFirst(prefix.count).contains(".") {
                return String(alias.dropFirst(prefix.count))
            }
            return alias
        }
    }
}

/// CRC-64-AVRO, the 64-bit Rabin fingerprint of spec §Schema Fingerprints.
public enum AvroFingerprint {
    /// The fingerprint of the empty input; also the polynomial seed of the table.
    public static let empty: UInt64 = 0xc15d_213a_a4d7_a795

    private static let table: [UInt64] = (0..<256).map { index in
        var fingerprint = UInt64(index)
        for _ in 0..<8 {
            fingerprint = (fingerprint >> 1) ^ (empty & (0 &- (fingerprint & 1)))
        }
        return fingerprint
    }

    public static func crc64Avro(_ bytes: [UInt8]) -> UInt64 {
        var fingerprint = empty
        for byte in bytes {
            fingerprint = (fingerprint >> 8) ^ table[Int((fingerprint ^ UInt64(byte)) & 0xff)]
        }
        return fingerprint
    }
}
