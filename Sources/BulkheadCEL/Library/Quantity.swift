import Foundation

/// A Kubernetes resource quantity such as `500m`, `1.5Gi` or `2e3`, held as an exact decimal.
public struct CELQuantity: Sendable, Hashable, CustomStringConvertible {
    let value: Decimal
    private let text: String?

    init(value: Decimal, text: String? = nil) {
        self.value = value
        self.text = text
    }

    /// Parses the Kubernetes quantity syntax: a signed decimal number followed by a binary suffix
    /// (`Ki`...`Ei`), a decimal suffix (`n`, `u`, `m`, `k`, `M`...`E`) or an exponent (`e3`).
    public init?(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var position = 0
        var number = ""
        if position < scalars.count, scalars[position] == "+" || scalars[position] == "-" {
            if scalars[position] == "-" { number = "-" }
            position += 1
        }
        var digits = 0
        while position < scalars.count, ("0"..."9").contains(scalars[position]) || scalars[position] == "." {
            if scalars[position] != "." { digits += 1 } else if number.contains(".") { return nil }
            number.unicodeScalars.append(scalars[position])
            position += 1
        }
        guard digits > 0 else { return nil }
        if number.hasSuffix(".") { number.removeLast() }
        if number.hasPrefix(".") || number.hasPrefix("-.") { number = number.replacingOccurrences(of: ".", with: "0.") }
        guard var value = Decimal(string: number, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let suffix = String(String.UnicodeScalarView(scalars[position...]))
        let binary: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]
        let decimal: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
        if let power = binary[suffix] {
            for _ in 0..<power { value *= 1024 }
        } else if let exponent = decimal[suffix] {
            value *= Decimal(sign: .plus, exponent: exponent, significand: 1)
        } else if let first = suffix.first, first == "e" || first == "E", let exponent = Int(suffix.dropFirst()),
            abs(exponent) <= 100
        {
            value *= Decimal(sign: .plus, exponent: exponent, significand: 1)
        } else {
            return nil
        }
        self.init(value: value, text: text)
    }

    public var description: String { text ?? "\(value)" }

    var isInteger: Bool {
        var source = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &source, 0, .plain)
        return rounded == value
    }

    public static func == (lhs: CELQuantity, rhs: CELQuantity) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// The Kubernetes quantity library: `quantity`, `isQuantity`, `sign`, `isInteger`, `asInteger`,
/// `asApproximateFloat`, `add`, `sub`, `isLessThan`, `isGreaterThan`, `compareTo`.
extension Library {
    mutating func addQuantity() {
        global("quantity") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("quantity", arguments) }
            guard let quantity = CELQuantity(text) else {
                throw EvalError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': '\(text)'")
            }
            return .quantity(quantity)
        }
        global("isQuantity") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("isQuantity", arguments) }
            return .bool(CELQuantity(text) != nil)
        }
        member("sign") { arguments throws(EvalError) in
            guard arguments.count == 1, case .quantity(let quantity) = arguments[0] else { throw EvalError.noOverload("sign", arguments) }
            return .int(quantity.value < 0 ? -1 : quantity.value == 0 ? 0 : 1)
        }
        member("isInteger") { arguments throws(EvalError) in
            guard arguments.count == 1, case .quantity(let quantity) = arguments[0] else { throw EvalError.noOverload("isInteger", arguments) }
            return .bool(quantity.isInteger && quantity.value >= Decimal(Int64.min) && quantity.value <= Decimal(Int64.max))
        }
        member("asInteger") { arguments throws(EvalError) in
            guard arguments.count == 1, case .quantity(let quantity) = arguments[0] else { throw EvalError.noOverload("asInteger", arguments) }
            guard quantity.isInteger, quantity.value >= Decimal(Int64.min), quantity.value <= Decimal(Int64.max),
                let number = Int64("\(quantity.value)")
            else { throw EvalError("cannot convert value to integer: \(quantity) is not an integer or out of range") }
            return .int(number)
        }
        member("asApproximateFloat") { arguments throws(EvalError) in
            guard arguments.count == 1, case .quantity(let quantity) = arguments[0] else {
                throw EvalError.noOverload("asApproximateFloat", arguments)
            }
            return .double(Double("\(quantity.value)") ?? .nan)
        }
        for name in ["add", "sub"] {
            member(name) { arguments throws(EvalError) in
                guard arguments.count == 2, case .quantity(let left) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
                let right: Decimal
                switch arguments[1] {
                case .quantity(let quantity): right = quantity.value
                case .int(let number): right = Decimal(number)
                default: throw EvalError.noOverload(name, arguments)
                }
                return .quantity(CELQuantity(value: name == "add" ? left.value + right : left.value - right))
            }
        }
        for name in ["isLessThan", "isGreaterThan", "compareTo"] {
            member(name) { arguments throws(EvalError) in
                guard arguments.count == 2, case .quantity(let left) = arguments[0], case .quantity(let right) = arguments[1] else {
                    throw EvalError.noOverload(name, arguments)
                }
                let order: Int64 = left.value < right.value ? -1 : left.value == right.value ? 0 : 1
                switch name {
                case "isLessThan": return .bool(order < 0)
                case "isGreaterThan": return .bool(order > 0)
                default: return .int(order)
                }
            }
        }
    }
}
