// `brook codegen`: Swift types from the schema files of a folder (Avro .avsc, JSON Schema .json),
// one `<name>.generated.swift` per schema at the same relative path under --output. The same
// generator runs in the BrookCodegenPlugin (through brook-codegen) at build time.
import ArgumentParser
import BrookCodegen

struct CodegenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Generate Swift types from the .avsc and .json schema files of a folder.",
        discussion: "Each schema file defines one type named after the file (OrderPlaced.v2.avsc → OrderPlacedV2). Files are rewritten only when their content changes; --check writes nothing and exits 1 if any output is missing or differs.")

    @Option(help: "The folder of schema files (searched recursively).") var input: String
    @Option(help: "The folder the Swift files go to.") var output: String
    @Flag(help: "Write nothing; exit 1 when the files under --output are not what the schemas generate.") var check = false

    func run() throws {
        do {
            let generated = try CodeGenerator.generate(CodeGenerator.readSchemas(in: input))
            if check {
                let stale = try CodeGenerator.staleFiles(generated, in: output)
                guard stale.isEmpty else {
                    print("Out of date under \(output): \(stale.joined(separator: ", ")). Run brook codegen --input \(input) --output \(output).")
                    throw ExitCode(1)
                }
                print("\(generated.count) generated file(s) under \(output) are up to date.")
                return
            }
            let changed = try CodeGenerator.write(generated, to: output)
            print("Generated \(generated.count) file(s) from \(input) into \(output) (\(changed.count) changed).")
        } catch let error as CodegenError {
            throw CommandFailure("cannot generate Swift types: \(error)")
        }
    }
}
