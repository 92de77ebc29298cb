import Foundation

/// `string.format(list)`: `%s %d %f %e %b %o %x %X` and `%%`, with `.N` precision for `%f`/`%e`.
extension Library {
    mutating func addFormat() {
        member("format", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let template) = arguments[0], case .list(let values) = arguments[1] else {
                throw EvalError.noOverload("format", arguments)
            }
            return .string(try Self.format(template, values))
        }
    }

    static func format(_ template: String, _ values: [CELValue]) throws(EvalError) -> String {
        var result = ""
        var scalars = template.unicodeScalars.makeIterator()
        var next = 0
        while let scalar = scalars.next() {
            guard scalar == "%" else {
                result.unicodeScalars.append(scalar)
                continue
            }
            guard var verb = scalars.next() else { throw EvalError("could not parse formatting clause: unexpected end of string") }
            if verb == "%" {
                result += "%"
                continue
            }
            var precision: Int?
            if verb == "." {
                var digits = 0
                var sawDigit = false
                while let digit = scalars.next() {
                    if ("0"..."9").contains(digit) {
                        digits = digits * 10 + Int(digit.value - 48)
                        sawDigit = true
                    } else {
                        verb = digit
                        break
                    }
                }
                guard sawDigit else { throw EvalError("could not parse formatting clause: missing precision") }
                precision = digits
            }
            guard "sdfeboxX".unicodeScalars.contains(verb) else {
                throw EvalError("could not parse formatting clause: unrecognized formatting clause \"\(verb)\"")
            }
            guard next < values.count else { throw EvalError("index \(next) out of range") }
            let value = values[next]
            next += 1
            result += try clause(verb, precision, value)
        }
        return result
    }

    private static func typeName(_ value: CELValue) -> String { value.celType.runtimeName }

    private static func special(_ number: Double) -> String? {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return nil
    }

    private static func clause(_ verb: Unicode.Scalar, _ precision: Int?, _ value: CELValue) throws(EvalError) -> String {
        switch verb {
        case "s":
            try checkDisplayable(value)
            return Formatting.display(value)
        case "d":
            switch value {
            case .int(let number): return String(number)
            case .uint(let number): return String(number)
            case .double(let number) where special(number) != nil: return special(number)!
            default: throw EvalError("error during formatting: decimal clause can only be used on integers, was given \(typeName(value))")
            }
        case "f", "e":
            let name = verb == "f" ? "fixed-point" : "scientific"
            guard let number = Numeric.asDouble(value) else {
                throw EvalError("error during formatting: \(name) clause can only be used on doubles, was given \(typeName(value))")
            }
            if let text = special(number) { return text }
            return String(format: "%.\(precision ?? 6)\(verb)", number)
        case "b":
            switch value {
            case .int(let number): return String(number, radix: 2)
            case .uint(let number): return String(number, radix: 2)
            case .bool(let flag): return flag ? "1" : "0"
            default: throw EvalError("error during formatting: only integers and bools can be formatted as binary, was given \(typeName(value))")
            }
        case "o":
            switch value {
            case .int(let number): return String(number, radix: 8)
            case .uint(let number): return String(number, radix: 8)
            default: throw EvalError("error during formatting: octal clause can only be used on integers, was given \(typeName(value))")
            }
        default:
            let uppercase = verb == "X"
            let text: String
            switch value {
            case .int(let number): text = String(number, radix: 16)
            case .uint(let number): text = String(number, radix: 16)
            case .string(let string): text = hex(Array(string.utf8))
            case .bytes(let bytes): text = hex(bytes)
            default:
                throw EvalError("error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given \(typeName(value))")
            }
            return uppercase ? text.uppercased() : text
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return text
    }

    private static func checkDisplayable(_ value: CELValue) throws(EvalError) {
        switch value {
        case .list(let list): for element in list { try checkDisplayable(element) }
        case .map(let map): for (key, element) in map.entries { try checkDisplayable(key); try checkDisplayable(element) }
        case .optional:
            throw EvalError("error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given \(typeName(value))")
        default: break
        }
    }
}
