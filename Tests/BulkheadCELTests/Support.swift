import BulkheadCEL

/// Compiles and evaluates `source` once.
func evaluate(_ source: String, _ activation: [String: CELValue] = [:], options: CELOptions = CELOptions()) throws -> CELValue {
    try CELProgram(source: source, options: options).evaluate(activation)
}

/// The evaluation error message of `source`, or nil when it evaluates to a value.
func evaluationError(_ source: String, _ activation: [String: CELValue] = [:]) throws -> CELError? {
    let program = try CELProgram(source: source)
    switch program.evaluateReportingCost(activation).result {
    case .success: return nil
    case .failure(let error): return error
    }
}
