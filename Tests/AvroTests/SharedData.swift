// Locates ../shared test data: BROOK_SHARED if set, else <package root>/../shared.
import Foundation

enum SharedData {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["BROOK_SHARED"] {
            return URL(fileURLWithPath: override)
        }
        // Tests/AvroTests/<File>.swift → up three levels is the package root.
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relativePath), encoding: .utf8)
    }
}
