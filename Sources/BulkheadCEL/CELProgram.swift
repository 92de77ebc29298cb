/// Options for compiling a CEL expression.
public struct CELOptions: Sendable {
    /// Namespace used to resolve identifiers: with container `a.b`, `x` may mean `a.b.x`, `a.x` or `x`.
    public var container: String
    /// Expand macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`, `cel.bind`...).
    public var macros: Bool
    /// Declared variables. When set, the type checker runs: undeclared identifiers and calls no
    /// overload accepts are compile errors, and ``CELProgram/resultType`` is known.
    public var variables: [String: CELType]?
    /// Extra function signatures for the type checker (the engine cannot run them).
    public var functions: [CELFunctionDeclaration]

    public init(container: String = "", macros: Bool = true, variables: [String: CELType]? = nil,
                functions: [CELFunctionDeclaration] = []) {
        self.container = container
        self.macros = macros
        self.variables = variables
        self.functions = functions
    }
}

/// The outcome of one evaluation with the cost it consumed.
public struct CELEvaluation: Sendable {
    public var result: Result<CELValue, CELError>
    /// Cost units consumed: one per evaluation step, plus per element for comprehensions and
    /// per eight bytes or elements for string and list functions.
    public var cost: Int
}

/// A compiled CEL expression: parse (and optionally check) once, evaluate many times.
///
/// ```swift
/// let program = try CELProgram(source: "object.spec.replicas <= 5")
/// let allowed = try program.evaluate(["object": try CELValue(json: podJSON)])
/// ```
public struct CELProgram: Sendable {
    /// The source text.
    public let source: String
    /// The static type of the result when the program was type checked, else nil.
    public let resultType: CELType?
    /// The compiled tree with source positions: read by analyses, and evaluated only to place an
    /// error that ``evaluationRoot`` raised.
    let root: Node
    /// The same tree without positions, which evaluates faster.
    private let evaluationRoot: Node
    private let slots: Int

    /// Compiles `source`. Throws a ``CELError`` with the line:column of a syntax or check error.
    public init(source: String, options: CELOptions = CELOptions()) throws(CELError) {
        self.source = source
        let expression = try Parser.parse(source, macros: options.macros)
        if let variables = options.variables {
            var checker = Checker(variables: variables, functions: options.functions, container: options.container)
            resultType = try checker.check(expression)
        } else {
            resultType = nil
        }
        var compiler = Compiler(library: .standard, container: options.container, declarations: options.variables)
        root = try compiler.compile(expression)
        slots = compiler.slotCount
        var unpositioned = Compiler(library: .standard, container: options.container, declarations: options.variables, positions: false)
        evaluationRoot = try unpositioned.compile(expression)
    }

    /// Evaluates against variable values. Throws a ``CELError`` with code `.evaluation` for a
    /// CEL error result (no such key, overflow, no matching overload...) or `.costLimitExceeded`.
    public func evaluate(_ activation: [String: CELValue] = [:], costLimit: Int? = nil) throws(CELError) -> CELValue {
        try evaluateReportingCost(CELActivation(activation), costLimit: costLimit).result.get()
    }

    /// Evaluates against an activation built once for many programs (see ``evaluate(_:costLimit:)``).
    public func evaluate(_ activation: CELActivation, costLimit: Int? = nil) throws(CELError) -> CELValue {
        try evaluateReportingCost(activation, costLimit: costLimit).result.get()
    }

    /// Evaluates and reports the cost consumed, whatever the outcome.
    public func evaluateReportingCost(_ activation: [String: CELValue] = [:], costLimit: Int? = nil) -> CELEvaluation {
        evaluateReportingCost(CELActivation(activation), costLimit: costLimit)
    }

    /// Evaluates against an activation and reports the cost consumed, whatever the outcome.
    public func evaluateReportingCost(_ activation: CELActivation, costLimit: Int? = nil) -> CELEvaluation {
        var evaluator = Evaluator(activation: activation, slots: slots, costLimit: costLimit)
        let error: EvalError
        do throws(EvalError) {
            let value = try evaluator.evaluate(evaluationRoot)
            return CELEvaluation(result: .success(value), cost: evaluator.cost)
        } catch let unplaced {
            error = unplaced
        }
        // Evaluation is deterministic: the positioned tree fails the same way, at the same cost,
        // and says where.
        var placing = Evaluator(activation: activation, slots: slots, costLimit: costLimit)
        do throws(EvalError) {
            _ = try placing.evaluate(root)
        } catch let placed {
            return CELEvaluation(result: .failure(Self.failure(placed)), cost: placing.cost)
        }
        return CELEvaluation(result: .failure(Self.failure(error)), cost: evaluator.cost)
    }

    private static func failure(_ error: EvalError) -> CELError {
        CELError(error.isCostLimit ? .costLimitExceeded : .evaluation, error.message, at: error.position)
    }
}
