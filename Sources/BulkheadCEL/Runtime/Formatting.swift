/// Text renderings of values: `string(x)` conversions and the `%s` rendering of `format`.
enum Formatting {
    /// Decimal digits and decimal-point position of the shortest round-tripping form of `value`
    /// (positive, finite): value = 0.d1d2d3... × 10^point.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], point: Int) {
        let text = "\(value)"
        let parts = text.split(separator: "e")
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let integer = mantissa[0]
        let fraction = mantissa.count > 1 ? mantissa[1] : ""
        var digits = Array((integer + fraction).utf8).map { $0 - 48 }
        var point = integer.count + exponent
        while let first = digits.first, first == 0 {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        return (digits, point)
    }

    /// Go's `%g` with the shortest precision, as CEL's `string(double)` prints.
    static func shortestG(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let sign = value < 0 ? "-" : ""
        let (digits, point) = shortestDigits(abs(value))
        let text = digits.map { String($0) }.joined()
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(text.prefix(1))
            if digits.count > 1 { mantissa += "." + text.dropFirst() }
            let magnitude = abs(exponent)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        return sign + plain(text, point: point)
    }

    /// Digits placed around a decimal point without an exponent.
    static func plain(_ digits: String, point: Int) -> String {
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) }
        return String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
    }

    /// The `%s` rendering: strings bare, lists and maps bracketed, map keys sorted.
    static func display(_ value: CELValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .uint(let number): return String(number)
        case .double(let number):
            if number.isNaN { return "NaN" }
            if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
            if number == 0 { return number.sign == .minus ? "-0" : "0" }
            let (digits, point) = shortestDigits(abs(number))
            return (number < 0 ? "-" : "") + plain(digits.map { String($0) }.joined(), point: point)
        case .string(let text): return text
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .list(let list): return "[" + list.map(display).joined(separator: ", ") + "]"
        case .map(let map):
            let entries = map.entries.map { (display($0.key), display($0.value)) }.sorted { $0.0 < $1.0 }
            return "{" + entries.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        case .type(let type): return type.runtimeName
        case .timestamp(let timestamp): return timestamp.description
        case .duration(let duration): return duration.description
        case .optional(let wrapped): return wrapped.map { "optional(\(display($0)))" } ?? "optional.none()"
        case .quantity(let quantity): return quantity.description
        case .url(let url): return url.description
        case .ip(let address): return address.description
        case .cidr(let prefix): return prefix.description
        }
    }
}
