/// A callable implementation bound at compile time. Receiver-style functions get the receiver as
/// their first argument.
struct Function: Sendable {
    typealias Implementation = @Sendable ([CELValue]) throws(EvalError) -> CELValue

    let name: String
    let implementation: Implementation
    /// Whether the cost grows with the size of the arguments (string scans, list operations).
    let linearCost: Bool
}
