// Writes the Swift file for one Avro schema: the root record (conforming to
// AvroGeneratedRecord, carrying the schema text, parsed schema and fingerprint) and, nested in
// it, every other named type and union enum, each with direct binary encode/decode and the
// AvroValue conversions used when data was written with another schema version.
import Avro

public enum AvroCodegen {
    /// Generates the source for the schema text of one file; `typeName` names the root record.
    public static func generate(schemaText: String, typeName: String, sourceFile: String) throws(CodegenError) -> String {
        let schema: AvroSchema
        do {
            schema = try AvroSchema.parse(schemaText)
        } catch {
            throw CodegenError(file: sourceFile, path: error.path, message: error.message)
        }
        do {
            let model = try AvroSwiftModel(schema: schema, rootName: typeName)
            var output = SourceWriter()
            output.lines(GeneratedFile.banner(sourceFile: sourceFile))
            output.line("import Avro")
            try model.emitFile(into: &output)
            return output.text
        } catch {
            throw error.inFile(sourceFile)
        }
    }
}

extension AvroSwiftModel {
    func emitFile(into output: inout SourceWriter) throws(CodegenError) {
        for (index, declaration) in declarations.enumerated() {
            output.line()
            if index == 1 { output.open("extension \(rootName)") }
            switch declaration {
            case .record(let model): try emitRecord(model, isRoot: index == 0, into: &output)
            case .enumeration(let enumeration, let swiftName, let caseNames):
                emitEnum(enumeration, swiftName: swiftName, caseNames: caseNames, into: &output)
            case .fixed(let fixed, let swiftName): emitFixed(fixed, swiftName: swiftName, into: &output)
            }
        }
        if declarations.count > 1 { output.close() }
    }

    private func emitRecord(_ model: AvroRecordModel, isRoot: Bool, into output: inout SourceWriter) throws(CodegenError) {
        let record = model.record
        output.lines(SwiftNames.docComment(record.doc, indent: ""))
        output.open("public struct \(model.swiftName): \(isRoot ? "AvroGeneratedRecord" : "AvroGeneratedType")")
        output.line("public static let avroFullName = \(SwiftNames.stringLiteral(record.name.fullName))")
        if isRoot {
            let text = schema.canonicalString
            output.line("public static let avroSchemaText = \(SwiftNames.rawStringLiteral(text))")
            output.line("/// The generator parsed this exact text; a test re-parses every generated schema.")
            output.line("public static let avroSchema: AvroSchema = try! AvroSchema.parse(avroSchemaText)")
            output.line("public static let avroFingerprint: UInt64 = \(SwiftNames.hexLiteral(schema.fingerprint64))")
        }
        output.line()
        for field in model.fields {
            output.lines(SwiftNames.docComment(field.field.doc, indent: ""))
            output.line("public var \(field.swiftName): \(field.type.spelling)")
        }
        output.line()
        var parameters: [String] = []
        for field in model.fields {
            var parameter = "\(field.swiftName): \(field.type.spelling)"
            if let defaultValue = field.defaultValue {
                parameter += " = " + (try defaultLiteral(defaultValue, field.type, path: "/" + record.name.fullName + "/" + field.field.name))
            }
            parameters.append(parameter)
        }
        output.open("public init(\(parameters.joined(separator: ", ")))")
        for field in model.fields { output.line("self.\(field.swiftName) = \(field.swiftName)") }
        output.close()

        var emitter = AvroCodeEmitter()
        output.line()
        output.open("public func avroEncode(to writer: inout AvroBinaryWriter)")
        for field in model.fields { emitter.encode(field.type, "self.\(field.swiftName)", into: &output) }
        output.close()

        output.line()
        output.open("public init(avroDecoding reader: inout AvroBinaryReader, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError)")
        output.line("try limits.checkDepth(depth)")
        for field in model.fields {
            let value = emitter.decode(field.type, into: &output)
            output.line("self.\(field.swiftName) = \(value)")
        }
        output.close()

        output.line()
        output.open("public init(avroValue: AvroValue) throws(AvroValueError)")
        output.line("let fields = try avroValue.decodeRecord(fieldCount: \(model.fields.count))")
        for (index, field) in model.fields.enumerated() {
            let value = emitter.fromValue(field.type, "fields[\(index)]", into: &output)
            output.line("self.\(field.swiftName) = \(value)")
        }
        output.close()

        output.line()
        output.open("public var avroValue: AvroValue")
        output.line("AvroValue.record([")
        for field in model.fields {
            output.line("    " + emitter.valueExpression(field.type, "self.\(field.swiftName)") + ",")
        }
        output.line("])")
        output.close()

        for union in model.unions {
            output.line()
            emitUnion(union, into: &output)
        }
        output.close()
    }

    private func emitUnion(_ model: AvroUnionModel, into output: inout SourceWriter) {
        var emitter = AvroCodeEmitter()
        output.open("public enum \(model.swiftName): AvroGeneratedType")
        for branch in model.branches { output.line("case \(branch.caseName)(\(branch.type.spelling))") }

        output.line()
        output.open("public func avroEncode(to writer: inout AvroBinaryWriter)")
        output.open("switch self")
        for branch in model.branches {
            output.caseLine("case .\(branch.caseName)(let value):")
            output.line("writer.writeLong(\(branch.index))")
            emitter.encode(branch.type, "value", into: &output)
        }
        output.close()
        output.close()

        output.line()
        output.open("public init(avroDecoding reader: inout AvroBinaryReader, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError)")
        output.line("let branch = try reader.readUnionBranch(count: \(model.branchCount))")
        output.line("try self.init(avroBranch: branch, reader: &reader, limits: limits, depth: depth)")
        output.close()

        output.line()
        output.line("/// Reads the value of union branch `branch` (its index already read).")
        output.open("public init(avroBranch branch: Int, reader: inout AvroBinaryReader, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError)")
        output.line("try limits.checkDepth(depth)")
        output.open("switch branch")
        for branch in model.branches {
            output.caseLine("case \(branch.index):")
            let value = emitter.decode(branch.type, into: &output)
            output.line("self = .\(branch.caseName)(\(value))")
        }
        output.caseLine("default:")
        output.line("throw AvroValueError(kind: .unionBranchOutOfRange, message: \"union \(model.swiftName) has no branch \\(branch)\")")
        output.close()
        output.close()

        output.line()
        output.open("public init(avroValue: AvroValue) throws(AvroValueError)")
        output.line("let (branch, value) = try avroValue.decodeUnion()")
        output.line("try self.init(avroBranch: branch, value: value)")
        output.close()

        output.line()
        output.open("public init(avroBranch branch: Int, value: AvroValue) throws(AvroValueError)")
        output.open("switch branch")
        for branch in model.branches {
            output.caseLine("case \(branch.index):")
            let converted = emitter.fromValue(branch.type, "value", into: &output)
            output.line("self = .\(branch.caseName)(\(converted))")
        }
        output.caseLine("default:")
        output.line("throw AvroValueError(kind: .unionBranchOutOfRange, message: \"union \(model.swiftName) has no branch \\(branch)\")")
        output.close()
        output.close()

        output.line()
        output.open("public var avroValue: AvroValue")
        output.open("switch self")
        for branch in model.branches {
            output.caseLine("case .\(branch.caseName)(let value):")
            output.line("return AvroValue.union(branch: \(branch.index), \(emitter.valueExpression(branch.type, "value")))")
        }
        output.close()
        output.close()
        output.close()
    }

    private func emitEnum(_ enumeration: AvroEnum, swiftName: String, caseNames: [String], into output: inout SourceWriter) {
        output.lines(SwiftNames.docComment(enumeration.doc, indent: ""))
        output.open("public enum \(swiftName): String, AvroGeneratedType, CaseIterable")
        for (caseName, symbol) in zip(caseNames, enumeration.symbols) {
            output.line("case \(caseName) = \(SwiftNames.stringLiteral(symbol))")
        }
        output.line()
        output.line("public static let avroFullName = \(SwiftNames.stringLiteral(enumeration.name.fullName))")
        output.line()
        output.open("public func avroEncode(to writer: inout AvroBinaryWriter)")
        output.open("switch self")
        for (ordinal, caseName) in caseNames.enumerated() { output.caseLine("case .\(caseName): writer.writeInt(\(ordinal))") }
        output.close()
        output.close()
        output.line()
        output.open("public init(avroDecoding reader: inout AvroBinaryReader, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError)")
        output.open("switch try reader.readEnumOrdinal(count: \(caseNames.count), enumName: Self.avroFullName)")
        for (ordinal, caseName) in caseNames.enumerated().dropLast() { output.caseLine("case \(ordinal): self = .\(caseName)") }
        // readEnumOrdinal has checked the range, so the last ordinal is the only one left.
        output.caseLine("default: self = .\(caseNames[caseNames.count - 1])")
        output.close()
        output.close()
        output.line()
        output.open("public init(avroValue: AvroValue) throws(AvroValueError)")
        output.line("let symbol = try avroValue.decodeEnumSymbol()")
        output.line("guard let value = Self(rawValue: symbol) else { throw AvroValueError.unknownSymbol(symbol, enumName: Self.avroFullName) }")
        output.line("self = value")
        output.close()
        output.line()
        output.line("public var avroValue: AvroValue { AvroValue.enumeration(rawValue) }")
        output.close()
    }

    private func emitFixed(_ fixed: AvroFixed, swiftName: String, into output: inout SourceWriter) {
        output.lines(SwiftNames.docComment(fixed.doc, indent: ""))
        output.open("public struct \(swiftName): AvroGeneratedType")
        output.line("public static let avroFullName = \(SwiftNames.stringLiteral(fixed.name.fullName))")
        output.line("public static let size = \(fixed.size)")
        output.line("public let bytes: [UInt8]")
        output.line()
        output.line("/// Throws unless `bytes` holds exactly `size` bytes.")
        output.open("public init(_ bytes: [UInt8]) throws(AvroValueError)")
        output.open("guard bytes.count == Self.size else")
        output.line("throw AvroValueError(kind: .fixedSizeMismatch, message: \"\\(Self.avroFullName) needs \\(Self.size) bytes, value has \\(bytes.count)\")")
        output.close()
        output.line("self.bytes = bytes")
        output.close()
        output.line()
        output.line("@usableFromInline init(validatedBytes: [UInt8]) { bytes = validatedBytes }")
        output.line()
        output.open("public init(from decoder: any Decoder) throws")
        output.line("let bytes = try [UInt8](from: decoder)")
        output.open("guard bytes.count == Self.size else")
        output.line("throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: \"\\(Self.avroFullName) needs \\(Self.size) bytes, found \\(bytes.count)\"))")
        output.close()
        output.line("self.bytes = bytes")
        output.close()
        output.line()
        output.line("public func encode(to encoder: any Encoder) throws { try bytes.encode(to: encoder) }")
        output.line()
        output.line("public func avroEncode(to writer: inout AvroBinaryWriter) { writer.writeFixed(bytes) }")
        output.line()
        output.open("public init(avroDecoding reader: inout AvroBinaryReader, limits: AvroDecodingLimits, depth: Int) throws(AvroValueError)")
        output.line("bytes = try reader.readFixed(Self.size)")
        output.close()
        output.line()
        output.open("public init(avroValue: AvroValue) throws(AvroValueError)")
        output.line("bytes = try avroValue.decodeFixed(size: Self.size)")
        output.close()
        output.line()
        output.line("public var avroValue: AvroValue { AvroValue.fixed(bytes) }")
        output.close()
    }
}

enum GeneratedFile {
    static let generatorName = "brook codegen"

    static func banner(sourceFile: String) -> [String] {
        [
            "// DO NOT EDIT. Generated by \(generatorName) from \(sourceFile).",
            "// Regenerate with `brook codegen --input <schemas folder> --output <folder>` (or the BrookCodegenPlugin).",
            "",
        ]
    }
}
