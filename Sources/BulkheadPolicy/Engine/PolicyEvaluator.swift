import BulkheadCEL

/// Evaluates one policy's compiled expressions against one activation: match conditions, then
/// variables (each computed at most once, and only when an expression uses it), validations and
/// audit annotations.
struct PolicyEvaluator {
    /// The outcome before actions and bindings are attached.
    struct Verdict {
        var outcome: PolicyResult.Outcome
        var validationIndex: Int?
        var message: String
        var failures: [PolicyResult.Failure] = []
        var auditAnnotations: [String: String] = [:]
    }

    /// An expression's value, or why there is none.
    enum Evaluated {
        case value(CELValue)
        case failure(String)
    }

    let policy: Policy
    let costLimit: Int?
    private var activation: [String: CELValue]
    private var values: [CELValue?]
    private var errors: [String?]
    private var computed: [Bool]
    private var stale = false

    init(policy: Policy, activation: [String: CELValue], costLimit: Int?) {
        self.policy = policy
        self.costLimit = costLimit
        self.activation = activation
        let count = policy.variables.count
        values = Array(repeating: nil, count: count)
        errors = Array(repeating: nil, count: count)
        computed = Array(repeating: false, count: count)
        self.activation["variables"] = .map(CELMap())
    }

    /// Runs the policy. A Kyverno policy stops at the first failed validation; a
    /// `ValidatingAdmissionPolicy` evaluates every validation, as the API server does.
    mutating func run() -> Verdict {
        if let skip = matchConditions() { return skip }
        let stopAtFirst = policy.sourceKind == .kyvernoValidatingPolicy
        var failures: [PolicyResult.Failure] = []
        var firstError: (index: Int, message: String)?
        for (index, validation) in policy.validations.enumerated() {
            switch evaluate(validation.expression) {
            case .value(.bool(true)):
                continue
            case .value(.bool(false)):
                failures.append(PolicyResult.Failure(index: index, message: message(for: validation), reason: validation.reason ?? "Invalid"))
            case .value(let other):
                if firstError == nil {
                    firstError = (index, "validation \(index) must evaluate to bool, got \(other.celType.runtimeName)")
                }
            case .failure(let error):
                if firstError == nil { firstError = (index, "validation \(index): \(error)") }
            }
            if stopAtFirst && (!failures.isEmpty || firstError != nil) { break }
        }
        var verdict: Verdict
        if let first = failures.first {
            verdict = Verdict(outcome: .fail, validationIndex: first.index, message: first.message, failures: failures)
        } else if let firstError {
            verdict = Verdict(outcome: .error, validationIndex: firstError.index, message: firstError.message)
        } else {
            verdict = Verdict(outcome: .pass, message: "")
        }
        verdict.auditAnnotations = auditAnnotations()
        return verdict
    }

    /// Nil when every match condition holds; else a skip (false) or an error.
    private mutating func matchConditions() -> Verdict? {
        var errors: [String] = []
        for condition in policy.matchConditions {
            switch evaluate(condition.expression) {
            case .value(.bool(true)): continue
            case .value(.bool(false)):
                let name = condition.name.isEmpty ? "" : " '\(condition.name)'"
                return Verdict(outcome: .skip, message: "match condition\(name) is false")
            case .value(let other): errors.append("match condition '\(condition.name)' must evaluate to bool, got \(other.celType.runtimeName)")
            case .failure(let error): errors.append("match condition '\(condition.name)': \(error)")
            }
        }
        guard !errors.isEmpty else { return nil }
        if policy.failurePolicy == .ignore {
            return Verdict(outcome: .skip, message: "match conditions failed and failurePolicy is Ignore: \(errors.joined(separator: "; "))")
        }
        return Verdict(outcome: .error, message: errors.joined(separator: "; "))
    }

    private mutating func message(for validation: Policy.Validation) -> String {
        if let messageExpression = validation.messageExpression,
           case .value(.string(let text)) = evaluate(messageExpression), !text.trimmingWhitespace.isEmpty {
            return text
        }
        if let message = validation.message, !message.isEmpty { return message }
        return "failed expression: \(validation.expression.source.trimmingWhitespace)"
    }

    private mutating func auditAnnotations() -> [String: String] {
        var result: [String: String] = [:]
        for annotation in policy.auditAnnotations {
            if case .value(.string(let value)) = evaluate(annotation.valueExpression), !value.isEmpty {
                result[annotation.key] = value
            }
        }
        return result
    }

    // MARK: Expressions and variables

    private mutating func evaluate(_ expression: PolicyExpression, before limit: Int? = nil) -> Evaluated {
        guard let program = expression.program else { return .failure("the expression did not compile") }
        if !policy.variables.isEmpty { prepareVariables(for: expression, before: limit) }
        do throws(CELError) {
            return .value(try program.evaluate(activation, costLimit: costLimit))
        } catch {
            if let failed = failedDependency(of: expression, before: limit) { return .failure(failed) }
            return .failure(error.code == .costLimitExceeded ? "cost limit exceeded: \(error.message)" : error.message)
        }
    }

    /// Indices of the variables `expression` reads (only those declared before `limit`).
    private func dependencies(of expression: PolicyExpression, before limit: Int?) -> [Int] {
        let bound = min(limit ?? policy.variables.count, policy.variables.count)
        if expression.referencesAllVariables { return Array(0..<bound) }
        var result: [Int] = []
        for index in 0..<bound where expression.variableReferences.contains(policy.variables[index].name) {
            result.append(index)
        }
        return result
    }

    private mutating func prepareVariables(for expression: PolicyExpression, before limit: Int?) {
        for index in dependencies(of: expression, before: limit) { compute(index) }
        if stale {
            var entries: [(CELValue, CELValue)] = []
            for (index, variable) in policy.variables.enumerated() {
                if let value = values[index] { entries.append((.string(variable.name), value)) }
            }
            activation["variables"] = .map(CELMap(entries))
            stale = false
        }
    }

    private mutating func compute(_ index: Int) {
        guard !computed[index] else { return }
        computed[index] = true
        switch evaluate(policy.variables[index].expression, before: index) {
        case .value(let value):
            values[index] = value
            stale = true
        case .failure(let error):
            errors[index] = error
        }
    }

    private func failedDependency(of expression: PolicyExpression, before limit: Int?) -> String? {
        for index in dependencies(of: expression, before: limit) {
            if let error = errors[index] { return "variables.\(policy.variables[index].name): \(error)" }
        }
        return nil
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
