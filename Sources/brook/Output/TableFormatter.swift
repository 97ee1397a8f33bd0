// Plain-text tables and JSON documents for the CLI's `--output text|json`.
//
// Tables pad each column to its widest cell (counted in characters) and separate columns by
// two spaces; numbers are right-aligned. JSON goes through Foundation's serializer with sorted
// keys so the output is stable for scripts and tests.
import ArgumentParser
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}

struct TextTable {
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? Array(repeating: .left, count: headers.count)
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines joined by newlines, without a trailing newline.
    func render() -> String {
        let columnCount = headers.count
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.prefix(columnCount).enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for index in 0..<columnCount {
                let cell = index < cells.count ? cells[index] : ""
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                let isLast = index == columnCount - 1
                switch alignments[index] {
                case .left: parts.append(isLast ? cell : cell + padding)
                case .right: parts.append(padding + cell)
                }
            }
            return parts.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

enum JSONOutput {
    /// Serializes a JSON-compatible value (dictionaries, arrays, strings, numbers, Bool, NSNull)
    /// on one line, keys sorted, slashes not escaped.
    static func line(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value) || value is String || value is NSNumber,
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Same, indented for people.
    static func pretty(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted, .fragmentsAllowed])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func nullable(_ value: Any?) -> Any {
        value ?? NSNull()
    }
}
