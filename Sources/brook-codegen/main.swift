// brook-codegen: the generator as a small stand-alone tool, for the BrookCodegenPlugin (it
// depends only on the schema cores, so a build that applies the plugin does not build the
// broker). `brook codegen` runs the same generator.
//
//   brook-codegen --input DIR --output DIR [FILE ...]
//
// With FILEs (paths under --input), only those are generated; otherwise every .avsc and .json
// file under --input. Exit 0 on success, 1 when a schema cannot be generated, 2 on bad usage.
import BrookCodegen
import Foundation

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data(("brook-codegen: " + message + "\n").utf8))
    exit(status)
}

var input: String?
var output: String?
var files: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--input": input = arguments.popFirst()
    case "--output": output = arguments.popFirst()
    case "--help", "-h":
        print("usage: brook-codegen --input DIR --output DIR [FILE ...]")
        exit(0)
    default:
        if argument.hasPrefix("-") { fail("unknown option \(argument)", status: 2) }
        files.append(argument)
    }
}
guard let input, let output else { fail("--input DIR and --output DIR are required", status: 2) }

do {
    let sources: [SchemaSource]
    if files.isEmpty {
        sources = try CodeGenerator.readSchemas(in: input)
    } else {
        let root = URL(fileURLWithPath: input).standardizedFileURL.path + "/"
        sources = try files.map { file throws(CodegenError) in
            let path = URL(fileURLWithPath: file).standardizedFileURL.path
            guard path.hasPrefix(root) else { throw CodegenError(file: file, message: "is not under --input \(input)") }
            return try CodeGenerator.readSchema(at: path, relativePath: String(path.dropFirst(root.count)))
        }
    }
    try CodeGenerator.write(try CodeGenerator.generate(sources), to: output)
} catch {
    fail("\(error)", status: 1)
}
