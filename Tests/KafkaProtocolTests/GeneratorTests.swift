// The committed generated Swift must be exactly what Tools/generate-protocol.py produces from the
// specs in ../shared, so nobody hand-edits generated files or forgets to regenerate.
import Foundation
import Testing

@Suite struct GeneratorTests {
    @Test func committedOutputMatchesTheGenerator() throws {
        let script = SharedData.packageRoot.appendingPathComponent("Tools/generate-protocol.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--check"]
        var environment = ProcessInfo.processInfo.environment
        environment["BROOK_SHARED"] = SharedData.sharedDirectory.path
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "generate-protocol.py --check failed: \(message)")
    }
}
