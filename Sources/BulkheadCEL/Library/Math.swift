/// cel-go's math extension: `math.greatest`, `math.least`, rounding, `abs`, `sign`, NaN and
/// infinity tests, and bit operations.
extension Library {
    mutating func addMath() {
        for (name, wanted) in [("math.greatest", 1), ("math.least", -1)] {
            global(name, linearCost: true) { arguments throws(EvalError) in
                var values = arguments
                if arguments.count == 1, case .list(let list) = arguments[0] { values = list }
                guard var best = values.first else { throw EvalError("\(name)(): list must not be empty") }
                for value in values {
                    guard let order = Numeric.compare(value, best) else {
                        if Numeric.asDouble(value) == nil { throw EvalError.noOverload(name, arguments) }
                        continue
                    }
                    if order == wanted { best = value }
                }
                return best
            }
        }
        let rounding: [(String, @Sendable (Double) -> Double)] = [
            ("math.ceil", { $0.rounded(.up) }), ("math.floor", { $0.rounded(.down) }),
            ("math.round", { $0.rounded(.toNearestOrAwayFromZero) }), ("math.trunc", { $0.rounded(.towardZero) }),
            ("math.sqrt", { $0.squareRoot() }),
        ]
        for (name, operation) in rounding {
            global(name) { arguments throws(EvalError) in
                guard arguments.count == 1, case .double(let number) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
                return .double(operation(number))
            }
        }
        let tests: [(String, @Sendable (Double) -> Bool)] = [
            ("math.isNaN", { $0.isNaN }), ("math.isInf", { $0.isInfinite }), ("math.isFinite", { $0.isFinite }),
        ]
        for (name, test) in tests {
            global(name) { arguments throws(EvalError) in
                guard arguments.count == 1, case .double(let number) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
                return .bool(test(number))
            }
        }
        global("math.abs") { arguments throws(EvalError) in
            switch (arguments.count, arguments.first) {
            case (1, .int(let number)):
                guard number != .min else { throw EvalError.overflow }
                return .int(abs(number))
            case (1, .uint): return arguments[0]
            case (1, .double(let number)): return .double(abs(number))
            default: throw EvalError.noOverload("math.abs", arguments)
            }
        }
        global("math.sign") { arguments throws(EvalError) in
            switch (arguments.count, arguments.first) {
            case (1, .int(let number)): return .int(number.signum())
            case (1, .uint(let number)): return .uint(number == 0 ? 0 : 1)
            case (1, .double(let number)): return .double(number.isNaN ? number : number > 0 ? 1 : number < 0 ? -1 : 0)
            default: throw EvalError.noOverload("math.sign", arguments)
            }
        }
        let bitwise: [(String, @Sendable (UInt64, UInt64) -> UInt64)] = [
            ("math.bitAnd", { $0 & $1 }), ("math.bitOr", { $0 | $1 }), ("math.bitXor", { $0 ^ $1 }),
        ]
        for (name, operation) in bitwise {
            global(name) { arguments throws(EvalError) in
                switch (arguments.count, arguments.first, arguments.last) {
                case (2, .int(let a), .int(let b)):
                    return .int(Int64(bitPattern: operation(UInt64(bitPattern: a), UInt64(bitPattern: b))))
                case (2, .uint(let a), .uint(let b)): return .uint(operation(a, b))
                default: throw EvalError.noOverload(name, arguments)
                }
            }
        }
        global("math.bitNot") { arguments throws(EvalError) in
            switch (arguments.count, arguments.first) {
            case (1, .int(let number)): return .int(~number)
            case (1, .uint(let number)): return .uint(~number)
            default: throw EvalError.noOverload("math.bitNot", arguments)
            }
        }
        for name in ["math.bitShiftLeft", "math.bitShiftRight"] {
            let left = name == "math.bitShiftLeft"
            global(name) { arguments throws(EvalError) in
                guard arguments.count == 2, case .int(let shift) = arguments[1] else { throw EvalError.noOverload(name, arguments) }
                guard shift >= 0 else { throw EvalError("\(name)() negative offset: \(shift)") }
                func apply(_ bits: UInt64) -> UInt64 {
                    guard shift < 64 else { return 0 }
                    return left ? bits << UInt64(shift) : bits >> UInt64(shift)
                }
                switch arguments[0] {
                case .int(let number): return .int(Int64(bitPattern: apply(UInt64(bitPattern: number))))
                case .uint(let number): return .uint(apply(number))
                default: throw EvalError.noOverload(name, arguments)
                }
            }
        }
    }
}
