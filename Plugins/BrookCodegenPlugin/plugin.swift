// BrookCodegenPlugin: a build-tool plugin. A target that applies it gets Swift types for the
// schema files (.avsc Avro, .json JSON Schema) among its sources, generated at build time by
// brook-codegen into the plugin's work directory: one `<name>.generated.swift` per schema, at
// the schema's path relative to the folder that holds all of them (the naming
// CodeGenerator.outputPath uses).
import Foundation
import PackagePlugin

@main
struct BrookCodegenPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let sourceTarget = target as? SourceModuleTarget else { return [] }
        let schemas = sourceTarget.sourceFiles
            .map { $0.url.standardizedFileURL }
            .filter { ["avsc", "json"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
        guard !schemas.isEmpty else { return [] }
        let inputRoot = commonDirectory(of: schemas)
        let outputDirectory = context.pluginWorkDirectoryURL.appendingPathComponent("GeneratedSchemas")
        let outputs = schemas.map { schema -> URL in
            let relative = String(schema.path.dropFirst(inputRoot.count + 1))
            // ".avsc" and ".json" are both five characters.
            return outputDirectory.appendingPathComponent(String(relative.dropLast(5)) + ".generated.swift")
        }
        let tool = try context.tool(named: "brook-codegen")
        return [
            .buildCommand(
                displayName: "Generating Swift types for \(schemas.count) schema file(s) in \(target.name)",
                executable: tool.url,
                arguments: ["--input", inputRoot, "--output", outputDirectory.path] + schemas.map(\.path),
                inputFiles: schemas,
                outputFiles: outputs),
        ]
    }

    /// The deepest folder that contains every file.
    private func commonDirectory(of files: [URL]) -> String {
        var common = files[0].deletingLastPathComponent().pathComponents
        for file in files.dropFirst() {
            let components = file.deletingLastPathComponent().pathComponents
            var shared = 0
            while shared < min(common.count, components.count), common[shared] == components[shared] { shared += 1 }
            common = Array(common.prefix(shared))
        }
        let joined = common.joined(separator: "/")
        return joined.hasPrefix("//") ? String(joined.dropFirst()) : joined
    }
}
