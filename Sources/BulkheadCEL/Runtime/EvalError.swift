/// An evaluation error. Errors are values in CEL: `&&`, `||`, `all` and `exists` absorb them when
/// the other side decides the result. Exceeding the cost limit is not absorbable.
struct EvalError: Error, Sendable {
    var message: String
    var isCostLimit = false
    var position: CELSourcePosition?

    init(_ message: String, isCostLimit: Bool = false) {
        self.message = message
        self.isCostLimit = isCostLimit
    }

    static func noOverload(_ function: String, _ arguments: [CELValue]) -> EvalError {
        let types = arguments.map { $0.celType.runtimeName }.joined(separator: ", ")
        return EvalError("found no matching overload for '\(function)' applied to '(\(types))'")
    }

    static func noSuchKey(_ key: CELValue) -> EvalError {
        if case .string(let text) = key { return EvalError("no such key: '\(text)'") }
        return EvalError("no such key: \(key)")
    }

    static let overflow = EvalError("return error for overflow")
    static let divisionByZero = EvalError("division by zero")
    static let moduloByZero = EvalError("modulus by zero")
}
