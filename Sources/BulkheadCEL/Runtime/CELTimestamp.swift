import Foundation

/// A point in time with nanosecond precision, between 0001-01-01 and 9999-12-31 UTC.
public struct CELTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public let nanoseconds: Int128

    static let minimumSeconds: Int128 = -62_135_596_800
    static let maximumSeconds: Int128 = 253_402_300_799
    static let nanosPerSecond: Int128 = 1_000_000_000

    /// A timestamp from nanoseconds since the epoch; nil outside the supported range.
    public init?(nanoseconds: Int128) {
        guard nanoseconds >= Self.minimumSeconds * Self.nanosPerSecond,
            nanoseconds <= Self.maximumSeconds * Self.nanosPerSecond + 999_999_999
        else { return nil }
        self.nanoseconds = nanoseconds
    }

    /// A timestamp from whole seconds since the epoch; nil outside the supported range.
    public init?(secondsSince1970 seconds: Int64) {
        self.init(nanoseconds: Int128(seconds) * Self.nanosPerSecond)
    }

    /// Parses an RFC 3339 timestamp such as `2009-02-13T23:31:30Z` or `2023-02-03T23:31:20.5+01:00`.
    public init?(rfc3339 text: String) {
        guard let nanos = Self.parse(Array(text.utf8)) else { return nil }
        self.init(nanoseconds: nanos)
    }

    init(checked nanoseconds: Int128) throws(EvalError) {
        guard let value = CELTimestamp(nanoseconds: nanoseconds) else {
            throw EvalError("timestamp out of range")
        }
        self = value
    }

    public static func < (lhs: CELTimestamp, rhs: CELTimestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Whole seconds since the epoch (rounded toward negative infinity).
    var seconds: Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: Self.nanosPerSecond)
        return Int64(remainder < 0 ? quotient - 1 : quotient)
    }

    var subsecondNanos: Int64 {
        let remainder = nanoseconds % Self.nanosPerSecond
        return Int64(remainder < 0 ? remainder + Self.nanosPerSecond : remainder)
    }

    /// RFC 3339 in UTC with trailing zeros of the fraction removed.
    public var description: String {
        let fields = CivilTime(seconds: seconds)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", fields.year, fields.month, fields.day,
                          fields.hour, fields.minute, fields.second)
        let nanos = subsecondNanos
        if nanos != 0 {
            var fraction = String(format: "%09lld", nanos)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    private static func parse(_ bytes: [UInt8]) -> Int128? {
        var position = 0
        func number(_ width: Int) -> Int? {
            guard position + width <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<width {
                let byte = bytes[position + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            position += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard position < bytes.count, characters.utf8.contains(bytes[position]) else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var nanos: Int128 = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            var digits = 0
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int128(bytes[position] - 48) }
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offsetSeconds = 0
        if expect("Zz") {
        } else if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
            let negative = bytes[position] == UInt8(ascii: "-")
            position += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2) else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (negative ? -1 : 1)
        } else {
            return nil
        }
        guard position == bytes.count else { return nil }
        let days = CivilTime.days(year: year, month: month, day: day)
        let seconds = Int128(days) * 86_400 + Int128(hour * 3600 + minute * 60 + second) - Int128(offsetSeconds)
        return seconds * nanosPerSecond + nanos
    }
}

/// Calendar fields of a moment in the proleptic Gregorian calendar.
struct CivilTime {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var dayOfYear: Int
    var dayOfWeek: Int

    init(seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        var z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYearFromMarch = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYearFromMarch + 2) / 153
        day = Int(dayOfYearFromMarch - (153 * monthFromMarch + 2) / 5 + 1)
        month = Int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        dayOfYear = Int(days - CivilTime.days(year: year, month: 1, day: 1))
        z = (days % 7 + 7 + 4) % 7
        dayOfWeek = Int(z)
    }

    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The offset from UTC in seconds of a time zone argument: `UTC`, `+11:00`, `-02:30`, `02:00`
    /// or an IANA name resolved through Foundation.
    static func offset(timeZone name: String, at seconds: Int64) throws(EvalError) -> Int64 {
        var text = Substring(name)
        var sign: Int64 = 1
        if text.first == "+" || text.first == "-" {
            sign = text.first == "-" ? -1 : 1
            text = text.dropFirst()
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, let hours = Int64(parts[0]), let minutes = Int64(parts[1]),
            parts[0].allSatisfy(\.isNumber), parts[1].allSatisfy(\.isNumber)
        {
            return sign * (hours * 3600 + minutes * 60)
        }
        guard let zone = TimeZone(identifier: name) else {
            throw EvalError("unknown time zone '\(name)'")
        }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }
}
