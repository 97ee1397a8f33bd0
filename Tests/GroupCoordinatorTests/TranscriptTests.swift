// Runs every transcript in testdata/ (see TranscriptRunner.swift for the format).
// BROOK_REWRITE=1 rewrites the expected outputs in place; review the diff before committing.

import Foundation
import Testing

enum Transcripts {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")

    static func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".txt") }.sorted()
    }
}

@Test func transcriptsExist() {
    #expect(Transcripts.names().count >= 10)
}

@Test(arguments: Transcripts.names())
func transcript(_ name: String) throws {
    let url = Transcripts.directory.appendingPathComponent(name)
    let text = try String(contentsOf: url, encoding: .utf8)
    var (blocks, trailing) = TranscriptParser.parse(text)
    var runner = TranscriptRunner()
    let rewrite = ProcessInfo.processInfo.environment["BROOK_REWRITE"] == "1"
    for index in blocks.indices {
        let actual = runner.execute(blocks[index].command)
        if rewrite {
            blocks[index].expected = actual
        } else {
            #expect(actual == blocks[index].expected, "\(name): `\(blocks[index].command)`")
        }
    }
    if rewrite {
        try TranscriptParser.render(blocks, trailingComments: trailing).write(to: url, atomically: true, encoding: .utf8)
    }
}
