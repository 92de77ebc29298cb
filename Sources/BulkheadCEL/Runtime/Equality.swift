/// CEL equality and ordering across kinds.
extension CELValue {
    /// The CEL `==` operator: numbers compare by value across int, uint and double; values of
    /// different kinds are unequal; lists and maps compare element-wise.
    public func celEquals(_ other: CELValue) -> Bool {
        switch (self, other) {
        case (.int, _), (.uint, _), (.double, _):
            guard let order = Numeric.compare(self, other) else { return false }
            return order == 0
        case (.string(let a), .string(let b)): return sameCodePoints(a, b)
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (left, right) in zip(a, b) where !left.celEquals(right) { return false }
            return true
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a.entries {
                guard let found = b[key], found.celEquals(value) else { return false }
            }
            return true
        case (.optional(let a), .optional(let b)):
            switch (a, b) {
            case (nil, nil): return true
            case (let left?, let right?): return left.celEquals(right)
            default: return false
            }
        case (.quantity(let a), .quantity(let b)): return a.value == b.value
        default: return self == other
        }
    }

    /// Orders two values, or nil when they are unordered (NaN). Throws when the kinds cannot be
    /// compared.
    func celCompare(_ other: CELValue, _ function: String) throws(EvalError) -> Int? {
        switch (self, other) {
        case (.int, .int), (.int, .uint), (.int, .double), (.uint, .int), (.uint, .uint), (.uint, .double),
            (.double, .int), (.double, .uint), (.double, .double):
            return Numeric.compare(self, other)
        case (.string(let a), .string(let b)): return Self.order(a.utf8, b.utf8)
        case (.bytes(let a), .bytes(let b)): return Self.order(a, b)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        case (.timestamp(let a), .timestamp(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.duration(let a), .duration(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        default: throw EvalError.noOverload(function, [self, other])
        }
    }

    private static func order<S: Sequence>(_ a: S, _ b: S) -> Int where S.Element == UInt8 {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }
}

/// Numeric helpers shared by operators and library functions.
enum Numeric {
    /// Compares two numbers of any numeric kind; nil when not both numbers or a NaN is involved.
    /// Integers compare exactly with each other and through conversion to double with doubles.
    static func compare(_ a: CELValue, _ b: CELValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.uint(let x), .uint(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.int(let x), .uint(let y)): return x < 0 ? -1 : compareUnsigned(UInt64(x), y)
        case (.uint(let x), .int(let y)): return y < 0 ? 1 : compareUnsigned(x, UInt64(y))
        case (.double(let x), .double(let y)): return compareDoubles(x, y)
        case (.int(let x), .double(let y)): return compareDoubles(Double(x), y)
        case (.double(let x), .int(let y)): return compareDoubles(x, Double(y))
        case (.uint(let x), .double(let y)): return compareDoubles(Double(x), y)
        case (.double(let x), .uint(let y)): return compareDoubles(x, Double(y))
        default: return nil
        }
    }

    private static func compareUnsigned(_ x: UInt64, _ y: UInt64) -> Int { x == y ? 0 : (x < y ? -1 : 1) }

    private static func compareDoubles(_ x: Double, _ y: Double) -> Int? {
        if x.isNaN || y.isNaN { return nil }
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    static func asDouble(_ value: CELValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .uint(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// Converts a double to int, failing outside (-2^63, 2^63).
    static func int(from value: Double) throws(EvalError) -> Int64 {
        guard value.isFinite, value > -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0 else {
            throw EvalError("range error converting \(value) to int")
        }
        return Int64(value.rounded(.towardZero))
    }

    /// Converts a double to uint, failing outside [0, 2^64).
    static func uint(from value: Double) throws(EvalError) -> UInt64 {
        guard value.isFinite, value > -1, value < 18_446_744_073_709_551_616.0 else {
            throw EvalError("range error converting \(value) to uint")
        }
        return UInt64(value.rounded(.towardZero))
    }
}
