public import BulkheadCEL

/// A CEL expression from a policy file, compiled once when the policy is loaded and evaluated
/// many times.
public struct PolicyExpression: Sendable {
    /// The expression text as the YAML scalar holds it.
    public let source: String
    /// Where the YAML scalar starts.
    public let location: SourceLocation
    /// The compiled program; nil when compiling failed (the loader reported a problem).
    public let program: CELProgram?
    /// Names used as `variables.<name>`, so a policy's variables can be computed only when used.
    public let variableReferences: Set<String>
    /// True when the expression indexes `variables[...]`, which may use any variable.
    public let referencesAllVariables: Bool
    /// Functions called that need a live cluster or the network (`resource.Get`, `http.Get`...).
    public let clusterCalls: [String]

    public init(source: String, location: SourceLocation, program: CELProgram?) {
        self.source = source
        self.location = location
        self.program = program
        let scan = ExpressionScan(source)
        self.variableReferences = scan.variableReferences
        self.referencesAllVariables = scan.indexesVariables
        self.clusterCalls = scan.clusterCalls
    }
}
