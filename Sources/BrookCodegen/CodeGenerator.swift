// The generator's entry point: a set of schema files (`.avsc` Avro, `.json` JSON Schema) in,
// one Swift file per schema out, at the same relative path with `.generated.swift` in place of
// the extension. Output depends only on the input files (sorted), so regenerating is
// reproducible; files are rewritten only when their content changes, so build systems see
// unchanged outputs as up to date.
import Foundation

public struct SchemaSource: Sendable, Hashable {
    /// Path relative to the input folder, with `/` separators ("orders/OrderPlaced.v1.avsc").
    public var relativePath: String
    public var text: String

    public init(relativePath: String, text: String) {
        self.relativePath = relativePath
        self.text = text
    }
}

public struct GeneratedSource: Sendable, Hashable {
    /// Path relative to the output folder ("orders/OrderPlaced.v1.generated.swift").
    public var relativePath: String
    public var typeName: String
    public var text: String
}

public enum CodeGenerator {
    /// Schema files larger than this are refused rather than turned into a huge source file.
    public static let schemaFileBytesMax = 1 << 20
    /// Extensions the generator reads, and the kind of schema each holds.
    public static let schemaExtensions = ["avsc", "json"]

    /// Where the source generated from `schemaPath` goes, relative to the output folder.
    public static func outputPath(forSchema schemaPath: String) -> String {
        SwiftNames.baseName(ofSchemaFile: schemaPath) + ".generated.swift"
    }

    /// The Swift type a schema file defines.
    public static func typeName(forSchema schemaPath: String) -> String {
        SwiftNames.typeName(forSchemaFile: schemaPath.split(separator: "/").last.map(String.init) ?? schemaPath)
    }

    public static func generate(_ sources: [SchemaSource]) throws(CodegenError) -> [GeneratedSource] {
        var results: [GeneratedSource] = []
        var owners: [String: String] = [:]
        for source in sources.sorted(by: { $0.relativePath < $1.relativePath }) {
            let typeName = typeName(forSchema: source.relativePath)
            if let other = owners[typeName] {
                throw CodegenError(file: source.relativePath, message: "defines type \(typeName), as \(other) does; rename one of the files")
            }
            owners[typeName] = source.relativePath
            let text: String
            if source.relativePath.hasSuffix(".avsc") {
                text = try AvroCodegen.generate(schemaText: source.text, typeName: typeName, sourceFile: source.relativePath)
            } else if source.relativePath.hasSuffix(".json") {
                text = try JSONSchemaCodegen.generate(schemaText: source.text, typeName: typeName, sourceFile: source.relativePath)
            } else {
                throw CodegenError(file: source.relativePath, message: "is neither .avsc (Avro) nor .json (JSON Schema)")
            }
            results.append(GeneratedSource(relativePath: outputPath(forSchema: source.relativePath), typeName: typeName, text: text))
        }
        return results
    }

    /// Every schema file under `directory` (hidden entries skipped), sorted by relative path.
    public static func readSchemas(in directory: String) throws(CodegenError) -> [SchemaSource] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CodegenError(message: "\(directory) is not a folder")
        }
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else {
            throw CodegenError(message: "cannot list \(directory)")
        }
        var paths: [String] = []
        for case let url as URL in enumerator where schemaExtensions.contains(url.pathExtension) {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(root.path + "/") else { continue }
            paths.append(String(path.dropFirst(root.path.count + 1)))
        }
        var sources: [SchemaSource] = []
        for relativePath in paths.sorted() {
            sources.append(try readSchema(at: root.appendingPathComponent(relativePath).path, relativePath: relativePath))
        }
        return sources
    }

    public static func readSchema(at path: String, relativePath: String) throws(CodegenError) -> SchemaSource {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CodegenError(file: relativePath, message: "cannot be read")
        }
        guard data.count <= schemaFileBytesMax else {
            throw CodegenError(file: relativePath, message: "is \(data.count) bytes; schema files are limited to \(schemaFileBytesMax)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CodegenError(file: relativePath, message: "is not UTF-8 text")
        }
        return SchemaSource(relativePath: relativePath, text: text)
    }

    /// Relative paths under `directory` whose content is not the generated text (missing included).
    public static func staleFiles(_ generated: [GeneratedSource], in directory: String) throws(CodegenError) -> [String] {
        let root = URL(fileURLWithPath: directory)
        return generated.filter { file in
            FileManager.default.contents(atPath: root.appendingPathComponent(file.relativePath).path) != Data(file.text.utf8)
        }.map(\.relativePath)
    }

    /// Writes the generated files under `directory`; returns the paths whose content changed.
    @discardableResult
    public static func write(_ generated: [GeneratedSource], to directory: String) throws(CodegenError) -> [String] {
        var changed: [String] = []
        let root = URL(fileURLWithPath: directory)
        for file in generated {
            let url = root.appendingPathComponent(file.relativePath)
            let data = Data(file.text.utf8)
            if FileManager.default.contents(atPath: url.path) == data { continue }
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url, options: .atomic)
            } catch {
                throw CodegenError(file: file.relativePath, message: "cannot be written to \(directory): \(error.localizedDescription)")
            }
            changed.append(file.relativePath)
        }
        return changed
    }
}
