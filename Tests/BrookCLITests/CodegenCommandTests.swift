// `brook codegen`, parsed as the binary parses it and run in-process: it writes one file per
// schema in schemas/, reports up-to-date output with --check, and names the file at fault.
import ArgumentParser
import Foundation
import Testing

@testable import brook

private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

private func codegen(_ arguments: [String]) throws -> CodegenCommand {
    try #require(try Brook.parseAsRoot(["codegen"] + arguments) as? CodegenCommand)
}

@Test func codegenWritesThenChecksTheSchemasFolder() throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("brook-codegen-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: output) }
    let schemas = packageRoot + "/schemas"
    #expect(throws: ExitCode.self) { try codegen(["--input", schemas, "--output", output, "--check"]).run() }
    try codegen(["--input", schemas, "--output", output]).run()
    let written = try String(contentsOfFile: output + "/orders/OrderPlaced.v2.generated.swift", encoding: .utf8)
    #expect(written.contains("public struct OrderPlacedV2: AvroGeneratedRecord"))
    try codegen(["--input", schemas, "--output", output, "--check"]).run()
    // The committed copy used by the generator tests is what the command writes.
    let committed = try String(
        contentsOfFile: packageRoot + "/Tests/BrookCodegenTests/Generated/orders/OrderPlaced.v2.generated.swift", encoding: .utf8)
    #expect(written == committed)
}

@Test func codegenNamesTheBrokenSchema() throws {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("brook-codegen-in-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: input) }
    try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
    try Data(#"{"type":"record","name":"R","fields":[{"name":"x","type":"missing.Type"}]}"#.utf8)
        .write(to: input.appendingPathComponent("Broken.avsc"))
    do {
        try codegen(["--input", input.path, "--output", input.path + "/out"]).run()
        Issue.record("a broken schema generated code")
    } catch {
        #expect("\(error)".contains("Broken.avsc"), "\(error)")
    }
}
