/// Arithmetic, comparison, membership and `size`.
extension Library {
    mutating func addOperators() {
        global("_+_", linearCost: true) { arguments throws(EvalError) in try Self.add(arguments[0], arguments[1]) }
        global("_-_") { arguments throws(EvalError) in try Self.subtract(arguments[0], arguments[1]) }
        global("_*_") { arguments throws(EvalError) in
            switch (arguments[0], arguments[1]) {
            case (.int(let a), .int(let b)):
                let (result, overflow) = a.multipliedReportingOverflow(by: b)
                if overflow { throw EvalError.overflow }
                return .int(result)
            case (.uint(let a), .uint(let b)):
                let (result, overflow) = a.multipliedReportingOverflow(by: b)
                if overflow { throw EvalError.overflow }
                return .uint(result)
            case (.double(let a), .double(let b)): return .double(a * b)
            default: throw EvalError.noOverload("_*_", arguments)
            }
        }
        global("_/_") { arguments throws(EvalError) in
            switch (arguments[0], arguments[1]) {
            case (.int(let a), .int(let b)):
                if b == 0 { throw EvalError.divisionByZero }
                let (result, overflow) = a.dividedReportingOverflow(by: b)
                if overflow { throw EvalError.overflow }
                return .int(result)
            case (.uint(let a), .uint(let b)):
                if b == 0 { throw EvalError.divisionByZero }
                return .uint(a / b)
            case (.double(let a), .double(let b)): return .double(a / b)
            default: throw EvalError.noOverload("_/_", arguments)
            }
        }
        global("_%_") { arguments throws(EvalError) in
            switch (arguments[0], arguments[1]) {
            case (.int(let a), .int(let b)):
                if b == 0 { throw EvalError.moduloByZero }
                let (result, overflow) = a.remainderReportingOverflow(dividingBy: b)
                if overflow { throw EvalError.overflow }
                return .int(result)
            case (.uint(let a), .uint(let b)):
                if b == 0 { throw EvalError.moduloByZero }
                return .uint(a % b)
            default: throw EvalError.noOverload("_%_", arguments)
            }
        }
        global("-_") { arguments throws(EvalError) in
            switch arguments[0] {
            case .int(let a):
                if a == .min { throw EvalError.overflow }
                return .int(-a)
            case .double(let a): return .double(-a)
            case .duration(let a): return .duration(try CELDuration(checked: -a.nanoseconds))
            default: throw EvalError.noOverload("-_", arguments)
            }
        }
        global("_==_", linearCost: true) { arguments throws(EvalError) in .bool(arguments[0].celEquals(arguments[1])) }
        global("_!=_", linearCost: true) { arguments throws(EvalError) in .bool(!arguments[0].celEquals(arguments[1])) }
        let comparisons: [(String, @Sendable (Int) -> Bool)] = [
            ("_<_", { $0 < 0 }), ("_<=_", { $0 <= 0 }), ("_>_", { $0 > 0 }), ("_>=_", { $0 >= 0 }),
        ]
        for (name, test) in comparisons {
            global(name) { arguments throws(EvalError) in
                guard let order = try arguments[0].celCompare(arguments[1], name) else { return .bool(false) }
                return .bool(test(order))
            }
        }
        global("@in", linearCost: true) { arguments throws(EvalError) in
            switch arguments[1] {
            case .list(let list): return .bool(list.contains { $0.celEquals(arguments[0]) })
            case .map(let map): return .bool(map.contains(arguments[0]))
            default: throw EvalError.noOverload("@in", arguments)
            }
        }
        both("size") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("size", arguments) }
            switch arguments[0] {
            case .string(let text): return .int(Int64(text.unicodeScalars.count))
            case .bytes(let bytes): return .int(Int64(bytes.count))
            case .list(let list): return .int(Int64(list.count))
            case .map(let map): return .int(Int64(map.count))
            default: throw EvalError.noOverload("size", arguments)
            }
        }
        global("dyn") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("dyn", arguments) }
            return arguments[0]
        }
        global("type") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("type", arguments) }
            return .type(arguments[0].celType)
        }
    }

    static func add(_ left: CELValue, _ right: CELValue) throws(EvalError) -> CELValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let (result, overflow) = a.addingReportingOverflow(b)
            if overflow { throw EvalError.overflow }
            return .int(result)
        case (.uint(let a), .uint(let b)):
            let (result, overflow) = a.addingReportingOverflow(b)
            if overflow { throw EvalError.overflow }
            return .uint(result)
        case (.double(let a), .double(let b)): return .double(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.bytes(let a), .bytes(let b)): return .bytes(a + b)
        case (.list(let a), .list(let b)): return .list(a + b)
        case (.timestamp(let a), .duration(let b)), (.duration(let b), .timestamp(let a)):
            return .timestamp(try CELTimestamp(checked: a.nanoseconds + b.nanoseconds))
        case (.duration(let a), .duration(let b)):
            return .duration(try CELDuration(checked: a.nanoseconds + b.nanoseconds))
        default: throw EvalError.noOverload("_+_", [left, right])
        }
    }

    static func subtract(_ left: CELValue, _ right: CELValue) throws(EvalError) -> CELValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let (result, overflow) = a.subtractingReportingOverflow(b)
            if overflow { throw EvalError.overflow }
            return .int(result)
        case (.uint(let a), .uint(let b)):
            let (result, overflow) = a.subtractingReportingOverflow(b)
            if overflow { throw EvalError.overflow }
            return .uint(result)
        case (.double(let a), .double(let b)): return .double(a - b)
        case (.timestamp(let a), .duration(let b)):
            return .timestamp(try CELTimestamp(checked: a.nanoseconds - b.nanoseconds))
        case (.timestamp(let a), .timestamp(let b)):
            return .duration(try CELDuration(checked: a.nanoseconds - b.nanoseconds))
        case (.duration(let a), .duration(let b)):
            return .duration(try CELDuration(checked: a.nanoseconds - b.nanoseconds))
        default: throw EvalError.noOverload("_-_", [left, right])
        }
    }
}
