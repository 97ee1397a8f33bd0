// Locates ../shared test data: environment BROOK_SHARED if set, else <package root>/../shared,
// where the package root is three levels above this file.
import Foundation
import JSONSchema

enum SharedData {
    static var root: URL {
        if let override = ProcessInfo.processInfo.environment["BROOK_SHARED"] {
            return URL(fileURLWithPath: override)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static var testSuite: URL { root.appendingPathComponent("json-schema-test-suite") }

    static func readJSON(_ url: URL) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: url)))
    }
}
