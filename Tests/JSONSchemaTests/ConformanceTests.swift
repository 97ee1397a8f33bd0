// Runs the official JSON-Schema-Test-Suite (draft-07 and 2020-12) against JSONSchemaValidator.
// Required tests must all pass (or at least the recorded floor, with every failure printed);
// optional tests are reported, not asserted beyond a floor.
import Foundation
import JSONSchema
import Testing

struct SuiteResult {
    var passed = 0
    var failed: [String] = []
    var total: Int { passed + failed.count }
}

enum Suite {
    static let remotePrefix = "http://localhost:1234/"

    /// Serves http://localhost:1234/... from the suite's remotes/ folder, never from the network.
    static func remote(_ uri: String) throws -> JSONValue? {
        guard uri.hasPrefix(remotePrefix) else { return nil }
        let relative = String(uri.dropFirst(remotePrefix.count))
        let url = SharedData.testSuite.appendingPathComponent("remotes").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try SharedData.readJSON(url)
    }

    static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func run(files: [URL], draft: Draft, formatAssertion: Bool = false) throws -> SuiteResult {
        var result = SuiteResult()
        for file in files {
            guard case .array(let groups) = try SharedData.readJSON(file) else { continue }
            for group in groups {
                let groupName = "\(file.lastPathComponent): \(group["description"]?.stringValue ?? "?")"
                guard let schema = group["schema"], case .array(let cases)? = group["tests"] else { continue }
                var validator: JSONSchemaValidator?
                var compileError = ""
                do {
                    validator = try JSONSchemaValidator(
                        schema: schema, draft: draft, formatAssertion: formatAssertion, remotes: remote)
                } catch {
                    compileError = " (schema error: \(error))"
                }
                for testCase in cases {
                    let name = "\(groupName) / \(testCase["description"]?.stringValue ?? "?")"
                    guard let data = testCase["data"], case .bool(let expected)? = testCase["valid"] else { continue }
                    if let validator {
                        let errors = validator.validate(data)
                        let quick = validator.isValid(data)
                        if errors.isEmpty == expected && quick == expected {
                            result.passed += 1
                        } else {
                            result.failed.append("\(name): expected \(expected ? "valid" : "invalid")"
                                + (quick != errors.isEmpty ? " (isValid and validate disagree)" : ""))
                        }
                    } else {
                        result.failed.append(name + compileError)
                    }
                }
            }
        }
        return result
    }

    static func report(_ label: String, _ result: SuiteResult) {
        print("JSON-Schema-Test-Suite \(label): \(result.passed)/\(result.total) passed")
        for failure in result.failed { print("  FAIL \(label): \(failure)") }
    }
}

@Suite struct ConformanceTests {
    @Test(arguments: [("draft7", Draft.draft7), ("draft2020-12", Draft.draft2020_12)])
    func requiredTests(folder: String, draft: Draft) throws {
        let directory = SharedData.testSuite.appendingPathComponent("tests").appendingPathComponent(folder)
        let files = Suite.files(in: directory)
        #expect(!files.isEmpty, "test suite not found at \(directory.path)")
        let result = try Suite.run(files: files, draft: draft)
        Suite.report(folder, result)
        #expect(result.failed.isEmpty, "\(result.failed.count) required cases fail")
    }

    /// Optional (non-format) tests all pass today; format tests (run with format assertion on)
    /// pass at least these counts. The misses are internationalized host names (IDNA/punycode
    /// rules) and one ES2018 variable-width lookbehind that Swift's Regex does not support.
    static let formatPassFloor: [String: Int] = ["draft7": 598, "draft2020-12": 686]

    @Test(arguments: [("draft7", Draft.draft7), ("draft2020-12", Draft.draft2020_12)])
    func optionalTests(folder: String, draft: Draft) throws {
        let directory = SharedData.testSuite.appendingPathComponent("tests").appendingPathComponent(folder)
            .appendingPathComponent("optional")
        let general = try Suite.run(files: Suite.files(in: directory), draft: draft)
        Suite.report(folder + "/optional", general)
        #expect(general.total > 0 && general.failed.isEmpty, "\(general.failed.count) optional cases fail")
        let formats = try Suite.run(
            files: Suite.files(in: directory.appendingPathComponent("format")), draft: draft, formatAssertion: true)
        Suite.report(folder + "/optional/format (assertion on)", formats)
        #expect(formats.passed >= ConformanceTests.formatPassFloor[folder, default: Int.max])
    }
}
