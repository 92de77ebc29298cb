/// A Kubernetes resource quantity ("500m", "2Gi", "1.5", "1e3"), held exactly in thousandths.
///
/// Kubernetes rounds anything finer than a thousandth up to the next thousandth (`MilliValue`);
/// Bulkhead does the same. Values beyond ±9.2e15 units are rejected rather than wrapped.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in thousandths of the unit (cores, bytes, pods).
    public var millis: Int64

    public init(millis: Int64) { self.millis = millis }

    public init(units: Int64) { self.millis = units * 1000 }

    /// The suffixes a quantity may carry, as Kubernetes defines them.
    public static let allowedSuffixes = "n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent like e3"

    /// Parses the Kubernetes quantity syntax; `nil` when the text is not a quantity or too large.
    public init?(_ text: String) {
        // Whole numbers without a suffix ("4", "100") are most quotas: read without arrays.
        if !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy({ (48...57).contains($0) }) {
            millis = text.utf8.reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) } * 1000
            return
        }
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var whole: [UInt8] = []
        var fraction: [UInt8] = []
        while index < bytes.count, (48...57).contains(bytes[index]) { whole.append(bytes[index]); index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, (48...57).contains(bytes[index]) { fraction.append(bytes[index]); index += 1 }
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
        let suffix = String(decoding: bytes[index...], as: UTF8.self)
        guard let scale = Quantity.scale(of: suffix) else { return nil }
        // digits × 10^(decimalExponent) × 1024^(binaryPower), then × 1000 for millis.
        let digits = whole + fraction
        var exponent = scale.decimalExponent - fraction.count + 3
        var mantissa: [UInt8] = Array(digits.drop(while: { $0 == 48 }))
        if mantissa.isEmpty { self.millis = 0; return }
        var value: Int64 = 0
        // Round up what falls below a thousandth.
        var roundUp = false
        if exponent < 0 {
            let cut = min(-exponent, mantissa.count)
            roundUp = mantissa.suffix(cut).contains(where: { $0 != 48 })
            mantissa.removeLast(cut)
            exponent = 0
        }
        for digit in mantissa {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(digit - 48))
            if o1 || o2 { return nil }
            value = plus
        }
        for _ in 0..<exponent {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = times
        }
        for _ in 0..<scale.binaryPower {
            let (times, overflow) = value.multipliedReportingOverflow(by: 1024)
            if overflow { return nil }
            value = times
        }
        if roundUp { value += 1 }
        self.millis = negative ? -value : value
    }

    private static func scale(of suffix: String) -> (decimalExponent: Int, binaryPower: Int)? {
        switch suffix {
        case "": return (0, 0)
        case "n": return (-9, 0)
        case "u": return (-6, 0)
        case "m": return (-3, 0)
        case "k": return (3, 0)
        case "M": return (6, 0)
        case "G": return (9, 0)
        case "T": return (12, 0)
        case "P": return (15, 0)
        case "E": return (18, 0)
        case "Ki": return (0, 1)
        case "Mi": return (0, 2)
        case "Gi": return (0, 3)
        case "Ti": return (0, 4)
        case "Pi": return (0, 5)
        case "Ei": return (0, 6)
        default:
            let chars = Array(suffix)
            guard chars.count >= 2, chars[0] == "e" || chars[0] == "E",
                  let exponent = Int(String(chars[1...])), abs(exponent) <= 30 else { return nil }
            return (exponent, 0)
        }
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.millis < rhs.millis }
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(millis: lhs.millis &+ rhs.millis) }
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(millis: lhs.millis &- rhs.millis) }
    public static let zero = Quantity(millis: 0)

    /// Scales by a factor such as an overcommit ratio, rounding down to a thousandth.
    public func scaled(by factor: Double) -> Quantity {
        Quantity(millis: Int64((Double(millis) * factor).rounded(.down)))
    }

    /// A plain decimal reading of the value ("12", "0.5").
    public var description: String { Quantity.decimal(millis) }

    /// A reading for memory-like values: whole bytes shown in the largest binary unit that keeps
    /// the figure readable ("16Gi", "1.5Ti").
    public var binaryDescription: String {
        let bytes = Double(millis) / 1000
        for (suffix, size) in [("Ti", 1024.0 * 1024 * 1024 * 1024), ("Gi", 1024.0 * 1024 * 1024), ("Mi", 1024.0 * 1024), ("Ki", 1024.0)]
        where abs(bytes) >= size {
            let value = (bytes / size * 100).rounded() / 100
            return Quantity.trim(value) + suffix
        }
        return Quantity.trim(bytes)
    }

    private static func decimal(_ millis: Int64) -> String {
        let sign = millis < 0 ? "-" : ""
        let magnitude = millis.magnitude
        let whole = magnitude / 1000
        let fraction = magnitude % 1000
        if fraction == 0 { return "\(sign)\(whole)" }
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)"
    }

    private static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }
}

/// Encoded exactly, as thousandths (used for fingerprints of what a render depends on).
extension Quantity: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millis)
    }
}
