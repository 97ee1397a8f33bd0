// Parses and prints the ISO-8601 timestamps the CLI accepts (`--from`, `--to`) and prints.
//
// Written out rather than delegated to a date formatter so the accepted forms are exact and the
// same on every platform: `YYYY-MM-DD`, optionally `THH:MM`, `:SS`, a fraction of up to nine
// digits (kept to the millisecond, as Kafka timestamps are), then `Z` or `±HH:MM` / `±HHMM`.
// A time without a zone is read as UTC, and a date alone is its UTC midnight.
enum ISO8601Timestamp {
    struct ParseError: Error, CustomStringConvertible {
        var input: String
        var reason: String
        var description: String {
            "\"\(input)\" is not an ISO-8601 time (\(reason)); write it like 2024-05-01T12:30:00Z or 2024-05-01T14:30:00+02:00"
        }
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    static func parseMilliseconds(_ text: String) throws(ParseError) -> Int64 {
        var scanner = Scanner(bytes: Array(text.utf8))
        func fail(_ reason: String) -> ParseError { ParseError(input: text, reason: reason) }

        guard let year = scanner.digits(4) else { throw fail("expected a four-digit year") }
        guard scanner.take(UInt8(ascii: "-")), let month = scanner.digits(2) else { throw fail("expected -MM after the year") }
        guard scanner.take(UInt8(ascii: "-")), let day = scanner.digits(2) else { throw fail("expected -DD after the month") }
        guard (1...12).contains(month) else { throw fail("month \(month) is not 1-12") }
        guard (1...daysInMonth(year: year, month: month)).contains(day) else { throw fail("day \(day) does not exist in that month") }

        var hour = 0, minute = 0, second = 0, milliseconds = 0
        var offsetMinutes = 0
        if scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")) {
            guard let parsedHour = scanner.digits(2) else { throw fail("expected HH after T") }
            guard scanner.take(UInt8(ascii: ":")), let parsedMinute = scanner.digits(2) else { throw fail("expected :MM after the hour") }
            hour = parsedHour
            minute = parsedMinute
            if scanner.take(UInt8(ascii: ":")) {
                guard let parsedSecond = scanner.digits(2) else { throw fail("expected two-digit seconds") }
                second = parsedSecond
                if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                    let fractionDigits = scanner.digitRun()
                    guard !fractionDigits.isEmpty, fractionDigits.count <= 9 else { throw fail("expected 1 to 9 fraction digits") }
                    let padded = (fractionDigits + [UInt8](repeating: UInt8(ascii: "0"), count: 3)).prefix(3)
                    milliseconds = padded.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                }
            }
            guard hour <= 23, minute <= 59, second <= 59 else { throw fail("time of day out of range") }
            if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
                offsetMinutes = 0
            } else if let sign = scanner.takeSign() {
                guard let offsetHours = scanner.digits(2) else { throw fail("expected HH in the zone offset") }
                _ = scanner.take(UInt8(ascii: ":"))
                guard let offsetMinute = scanner.digits(2) else { throw fail("expected MM in the zone offset") }
                guard offsetHours <= 23, offsetMinute <= 59 else { throw fail("zone offset out of range") }
                offsetMinutes = sign * (offsetHours * 60 + offsetMinute)
            }
        }
        guard scanner.isAtEnd else { throw fail("unexpected text after the time") }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let secondsOfDay = hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return (Int64(days) * 86_400 + Int64(secondsOfDay)) * 1000 + Int64(milliseconds)
    }

    /// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func format(milliseconds: Int64) -> String {
        let totalSeconds = milliseconds.floorDivided(by: 1000)
        let millisecondPart = Int(milliseconds - totalSeconds * 1000)
        let days = totalSeconds.floorDivided(by: 86_400)
        let secondsOfDay = Int(totalSeconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):"
            + "\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2)).\(pad(millisecondPart, 3))Z"
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (the civil-from-days method).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = Int(days) + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private struct Scanner {
        var bytes: [UInt8]
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func takeSign() -> Int? {
            if take(UInt8(ascii: "+")) { return 1 }
            if take(UInt8(ascii: "-")) { return -1 }
            return nil
        }

        mutating func digits(_ count: Int) -> Int? {
            guard position + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<position + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }

        mutating func digitRun() -> [UInt8] {
            let start = position
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                position += 1
            }
            return Array(bytes[start..<position])
        }
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (times before 1970 stay on the right day).
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
