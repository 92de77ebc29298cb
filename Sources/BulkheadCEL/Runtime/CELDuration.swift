/// A signed span of time with nanosecond precision, within the range of 64-bit nanoseconds
/// (about 292 years either way), as in cel-go.
public struct CELDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds.
    public let nanoseconds: Int128

    /// A duration of the given nanoseconds; nil outside the supported range.
    public init?(nanoseconds: Int128) {
        guard nanoseconds >= Int128(Int64.min), nanoseconds <= Int128(Int64.max) else { return nil }
        self.nanoseconds = nanoseconds
    }

    /// A duration of whole seconds.
    public init?(seconds: Int64) { self.init(nanoseconds: Int128(seconds) * 1_000_000_000) }

    /// Parses a Go-style duration such as `1h45m47s`, `-1.5s`, `300ms` or `0`.
    public init?(parsing text: String) {
        guard let nanos = Self.parse(Array(text.unicodeScalars)) else { return nil }
        self.init(nanoseconds: nanos)
    }

    init(checked nanoseconds: Int128) throws(EvalError) {
        guard let value = CELDuration(nanoseconds: nanoseconds) else { throw EvalError("duration out of range") }
        self = value
    }

    public static func < (lhs: CELDuration, rhs: CELDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Seconds with a fraction and an `s` suffix, as CEL prints durations (`6347s`, `1.5s`).
    public var description: String {
        let negative = nanoseconds < 0
        let magnitude = negative ? -nanoseconds : nanoseconds
        var text = (negative ? "-" : "") + String(magnitude / 1_000_000_000)
        let fraction = magnitude % 1_000_000_000
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "s"
    }

    private static func digit(_ scalar: Unicode.Scalar) -> Int128? {
        scalar.value >= 48 && scalar.value <= 57 ? Int128(scalar.value - 48) : nil
    }

    private static func parse(_ scalars: [Unicode.Scalar]) -> Int128? {
        var position = 0
        var negative = false
        if position < scalars.count, scalars[position] == "-" || scalars[position] == "+" {
            negative = scalars[position] == "-"
            position += 1
        }
        if position == scalars.count - 1, scalars[position] == "0" { return 0 }
        guard position < scalars.count else { return nil }
        var total: Int128 = 0
        while position < scalars.count {
            var whole: Int128 = 0
            var fraction: Int128 = 0
            var fractionScale: Int128 = 1
            var digits = 0
            while position < scalars.count, let digit = Self.digit(scalars[position]) {
                whole = whole * 10 + digit
                guard whole < 1_000_000_000_000_000_000 else { return nil }
                digits += 1
                position += 1
            }
            if position < scalars.count, scalars[position] == "." {
                position += 1
                while position < scalars.count, let digit = Self.digit(scalars[position]) {
                    if fractionScale < 1_000_000_000_000_000 {
                        fraction = fraction * 10 + digit
                        fractionScale *= 10
                    }
                    digits += 1
                    position += 1
                }
            }
            guard digits > 0 else { return nil }
            var unitText = ""
            while position < scalars.count, scalars[position] != ".", Self.digit(scalars[position]) == nil {
                unitText.unicodeScalars.append(scalars[position])
                position += 1
            }
            let unit: Int128
            switch unitText {
            case "ns": unit = 1
            case "us", "µs", "μs": unit = 1_000
            case "ms": unit = 1_000_000
            case "s": unit = 1_000_000_000
            case "m": unit = 60_000_000_000
            case "h": unit = 3_600_000_000_000
            default: return nil
            }
            total += whole * unit + fraction * unit / fractionScale
            guard total < 1_000_000_000_000_000_000_000_000 else { return nil }
        }
        return negative ? -total : total
    }
}
