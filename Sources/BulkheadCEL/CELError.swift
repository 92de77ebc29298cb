/// An error from compiling or evaluating a CEL expression.
public struct CELError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The expression does not parse.
        case syntax
        /// The expression parses but the type checker rejects it.
        case check
        /// Evaluation failed (no such key, overflow, division by zero, no matching overload...).
        case evaluation
        /// Evaluation stopped because it exceeded the cost limit.
        case costLimitExceeded
    }

    public var code: Code
    public var message: String
    /// Where in the expression the problem is, when known.
    public var position: CELSourcePosition?

    public init(_ code: Code, _ message: String, at position: CELSourcePosition? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }

    public var description: String {
        if let position {
            return "\(code.rawValue) error at \(position): \(message)"
        }
        return "\(code.rawValue) error: \(message)"
    }
}
