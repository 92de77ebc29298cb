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

    // The parts of the policy it reads, held instead of the whole policy (cheaper to copy).
    private let variables: [Policy.Variable]
    private let validations: [Policy.Validation]
    private let matchConditionList: [Policy.MatchCondition]
    private let auditAnnotationList: [Policy.AuditAnnotation]
    private let stopsAtFirstFailure: Bool
    private let ignoresFailures: Bool
    let costLimit: Int?
    /// The ids under which this policy's variables are shared with the other policies of a
    /// request (see ``SharedVariables``), one per variable.
    private let variableIDs: [Int]
    private var activation: CELActivation
    /// Whether this policy has asked for each variable yet.
    private var requested = SmallIntegerSet()
    private var stale = false

    /// `activation` must already hold a `variables` entry (an empty map), so that setting it per
    /// policy replaces a value instead of growing the activation.
    init(policy: borrowing Policy, variableIDs: [Int], activation: CELActivation, costLimit: Int?) {
        variables = policy.variables
        validations = policy.validations
        matchConditionList = policy.matchConditions
        auditAnnotationList = policy.auditAnnotations
        stopsAtFirstFailure = policy.sourceKind == .kyvernoValidatingPolicy
        ignoresFailures = policy.failurePolicy == .ignore
        self.variableIDs = variableIDs
        self.costLimit = costLimit
        self.activation = activation
    }

    /// Runs the policy. A Kyverno policy stops at the first failed validation; a
    /// `ValidatingAdmissionPolicy` evaluates every validation, as the API server does.
    mutating func run(sharing shared: inout SharedVariables) -> Verdict {
        if let skip = matchConditions(&shared) { return skip }
        var failures: [PolicyResult.Failure] = []
        var firstError: (index: Int, message: String)?
        for index in validations.indices {
            switch evaluate(validations[index].expression, &shared) {
            case .value(.bool(true)):
                continue
            case .value(.bool(false)):
                failures.append(PolicyResult.Failure(index: index, message: message(for: validations[index], &shared),
                                                     reason: validations[index].reason ?? "Invalid"))
            case .value(let other):
                if firstError == nil {
                    firstError = (index, "validation \(index) must evaluate to bool, got \(other.celType.runtimeName)")
                }
            case .failure(let error):
                if firstError == nil { firstError = (index, "validation \(index): \(error)") }
            }
            if stopsAtFirstFailure && (!failures.isEmpty || firstError != nil) { break }
        }
        var verdict: Verdict
        if let first = failures.first {
            verdict = Verdict(outcome: .fail, validationIndex: first.index, message: first.message, failures: failures)
        } else if let firstError {
            verdict = Verdict(outcome: .error, validationIndex: firstError.index, message: firstError.message)
        } else {
            verdict = Verdict(outcome: .pass, message: "")
        }
        verdict.auditAnnotations = auditAnnotations(&shared)
        return verdict
    }

    /// Nil when every match condition holds; else a skip (false) or an error.
    private mutating func matchConditions(_ shared: inout SharedVariables) -> Verdict? {
        var errors: [String] = []
        for condition in matchConditionList {
            switch evaluate(condition.expression, &shared) {
            case .value(.bool(true)): continue
            case .value(.bool(false)):
                let name = condition.name.isEmpty ? "" : " '\(condition.name)'"
                return Verdict(outcome: .skip, message: "match condition\(name) is false")
            case .value(let other): errors.append("match condition '\(condition.name)' must evaluate to bool, got \(other.celType.runtimeName)")
            case .failure(let error): errors.append("match condition '\(condition.name)': \(error)")
            }
        }
        guard !errors.isEmpty else { return nil }
        if ignoresFailures {
            return Verdict(outcome: .skip, message: "match conditions failed and failurePolicy is Ignore: \(errors.joined(separator: "; "))")
        }
        return Verdict(outcome: .error, message: errors.joined(separator: "; "))
    }

    private mutating func message(for validation: Policy.Validation, _ shared: inout SharedVariables) -> String {
        if let messageExpression = validation.messageExpression,
           case .value(.string(let text)) = evaluate(messageExpression, &shared), !text.trimmingWhitespace.isEmpty {
            return text
        }
        if let message = validation.message, !message.isEmpty { return message }
        return "failed expression: \(validation.expression.source.trimmingWhitespace)"
    }

    private mutating func auditAnnotations(_ shared: inout SharedVariables) -> [String: String] {
        var result: [String: String] = [:]
        for annotation in auditAnnotationList {
            if case .value(.string(let value)) = evaluate(annotation.valueExpression, &shared), !value.isEmpty {
                result[annotation.key] = value
            }
        }
        return result
    }

    // MARK: Expressions and variables

    private mutating func evaluate(_ expression: PolicyExpression, _ shared: inout SharedVariables, before limit: Int? = nil) -> Evaluated {
        guard let program = expression.program else { return .failure("the expression did not compile") }
        if !variables.isEmpty { prepareVariables(for: expression, before: limit, &shared) }
        do throws(CELError) {
            return .value(try program.evaluate(activation, costLimit: costLimit))
        } catch {
            if let failed = failedDependency(of: expression, before: limit, shared) { return .failure(failed) }
            return .failure(error.code == .costLimitExceeded ? "cost limit exceeded: \(error.message)" : error.message)
        }
    }

    /// Positions of the variables `expression` reads (only those declared before `limit`), as a
    /// set: it is built for every expression evaluated and allocates nothing.
    private func dependencies(of expression: PolicyExpression, before limit: Int?) -> SmallIntegerSet {
        let bound = min(limit ?? variables.count, variables.count)
        var result = SmallIntegerSet()
        if expression.referencesAllVariables {
            for index in 0..<bound { result.insert(index) }
            return result
        }
        let references = expression.variableReferences
        guard !references.isEmpty else { return result }
        // A name or two against a few variables: comparing costs less than hashing each name.
        for index in 0..<bound where references.contains(where: { $0 == variables[index].name }) {
            result.insert(index)
        }
        return result
    }

    /// Computes the variables `expression` reads and, when that adds a value, sets `variables` to
    /// the map of every value this policy has so far (built once per request for the same ids).
    private mutating func prepareVariables(for expression: PolicyExpression, before limit: Int?, _ shared: inout SharedVariables) {
        let needed = dependencies(of: expression, before: limit)
        for index in variables.indices where needed.contains(index) { compute(index, &shared) }
        guard stale else { return }
        stale = false
        var held = SmallIntegerSet()
        for index in variables.indices where requested.contains(index) {
            if case .value = shared.values[variableIDs[index]] { held.insert(variableIDs[index]) }
        }
        if let map = shared.maps[held] {
            activation["variables"] = map
            return
        }
        var entries: [(String, CELValue)] = []
        for index in variables.indices where requested.contains(index) {
            if case .value(let value)? = shared.values[variableIDs[index]] { entries.append((variables[index].name, value)) }
        }
        let map = CELValue.map(CELMap(stringKeyed: entries))
        shared.maps[held] = map
        activation["variables"] = map
    }

    private mutating func compute(_ index: Int, _ shared: inout SharedVariables) {
        guard !requested.contains(index) else { return }
        requested.insert(index)
        let id = variableIDs[index]
        if shared.values[id] == nil { shared.values[id] = evaluate(variables[index].expression, &shared, before: index) }
        // Set after evaluating: evaluating the variable clears it for the map of what came before.
        stale = true
    }

    private func failedDependency(of expression: PolicyExpression, before limit: Int?, _ shared: SharedVariables) -> String? {
        let needed = dependencies(of: expression, before: limit)
        for index in variables.indices where needed.contains(index) {
            if case .failure(let error)? = shared.values[variableIDs[index]] { return "variables.\(variables[index].name): \(error)" }
        }
        return nil
    }
}

/// Variable values that the policies of one request share. Two policies that declare the same
/// variables (names and expressions) in the same order, up to and including a variable, get the
/// same id for it: its value depends only on those and on the request, so it is computed once per
/// request instead of once per policy (the built-in guardrails all start with `podSpec` and
/// `containers`). A request's pod-controller views each have their own.
struct SharedVariables {
    /// Values (or failures) by variable id.
    var values = Values()
    /// `variables` maps by the ids of the values they hold.
    var maps: [SmallIntegerSet: CELValue] = [:]

    /// Values by id, in arrays: ids are small and dense (negative for a policy evaluated alone).
    struct Values {
        private var shared: [PolicyEvaluator.Evaluated?] = []
        private var own: [PolicyEvaluator.Evaluated?] = []

        subscript(id: Int) -> PolicyEvaluator.Evaluated? {
            get {
                let position = id >= 0 ? id : -1 - id
                let storage = id >= 0 ? shared : own
                return position < storage.count ? storage[position] : nil
            }
            set {
                if id >= 0 { Self.set(&shared, id, newValue) } else { Self.set(&own, -1 - id, newValue) }
            }
        }

        private static func set(_ storage: inout [PolicyEvaluator.Evaluated?], _ position: Int, _ value: PolicyEvaluator.Evaluated?) {
            if position >= storage.count { storage.append(contentsOf: repeatElement(nil, count: position + 1 - storage.count)) }
            storage[position] = value
        }
    }

    /// The id of each variable of each policy (same length as `policy.variables`).
    static func ids(for policies: [Policy]) -> [[Int]] {
        var idsByPrefix: [String: Int] = [:]
        return policies.map { policy in
            // The policy's shape decides the functions its expressions compile with.
            var prefix = "\(policy.sourceKind.rawValue) \(policy.evaluationMode.rawValue)"
            return policy.variables.map { variable in
                prefix += "\u{0}\(variable.name)\u{1}\(variable.expression.source)"
                if let id = idsByPrefix[prefix] { return id }
                let id = idsByPrefix.count
                idsByPrefix[prefix] = id
                return id
            }
        }
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
