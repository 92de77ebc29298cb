public import BulkheadCEL

/// Admission decisions for a set of loaded policies: a pure function from a request to one
/// result per applicable policy (and binding). Policies are compiled when loaded and reused for
/// every request; per request only the activation (the objects, the `request` value and any
/// variables actually used) is built.
public struct PolicyEngine: Sendable {
    public struct Options: Sendable {
        /// Cost units one expression evaluation may use (the API server's per-expression limit).
        public var costLimit: Int?
        /// Evaluate a `ValidatingAdmissionPolicy` that no binding names, with `unboundActions`
        /// (as `kyverno test` does). Off by default: in a cluster an unbound policy does nothing.
        public var evaluatesUnboundAdmissionPolicies: Bool
        public var unboundActions: [ValidationAction]

        public init(costLimit: Int? = 1_000_000, evaluatesUnboundAdmissionPolicies: Bool = false,
                    unboundActions: [ValidationAction] = [.deny]) {
            self.costLimit = costLimit
            self.evaluatesUnboundAdmissionPolicies = evaluatesUnboundAdmissionPolicies
            self.unboundActions = unboundActions
        }
    }

    public let policies: [Policy]
    public let bindings: [PolicyBinding]
    public let options: Options
    private let bindingsByPolicy: [String: [PolicyBinding]]
    /// The bindings of each policy, by its position in `policies`.
    private let bindingsByIndex: [[PolicyBinding]]
    /// What each policy needs checked per request, worked out once, by position in `policies`.
    private let facts: [Facts]
    /// The policies (indexes into `policies`) whose rules name a resource, or pod controllers it
    /// applies to by autogen, by plural resource name; those naming every resource (`*`) are in
    /// `everyResourcePolicies`. No other policy can match a request for that resource.
    private let policiesByResource: [String: [Int]]
    /// Whether any expression reads the `request` variable; it is built per request only then.
    private let readsRequest: Bool
    private let everyResourcePolicies: [Int]
    /// The distinct match sets of the policies and bindings, each checked once per request.
    private let matchSets: [MatchSet]
    /// The match set of each binding's `matchResources`, by policy position and binding position.
    private let bindingMatchSets: [[Int?]]

    private struct Facts: Sendable {
        var clusterCalls: [String]
        var isCompiled: Bool
        var variableIDs: [Int]
        /// The match set of the policy's `matchConstraints`.
        var constraintsMatchSet: Int?
    }

    public init(policies: [Policy], bindings: [PolicyBinding] = [], options: Options = Options()) {
        self.policies = policies
        self.bindings = bindings
        self.options = options
        let bindingsByPolicy = Dictionary(grouping: bindings, by: \.policyName)
        self.bindingsByPolicy = bindingsByPolicy
        self.bindingsByIndex = policies.map { bindingsByPolicy[$0.name] ?? [] }
        var matchSets = MatchSet.Numbering()
        self.facts = zip(policies, SharedVariables.ids(for: policies)).map { policy, variableIDs in
            Facts(clusterCalls: policy.clusterCalls, isCompiled: policy.isCompiled, variableIDs: variableIDs,
                  constraintsMatchSet: policy.matchConstraints.map { matchSets.id(of: MatchSet(match: $0, emptyRulesMatchAll: false)) })
        }
        self.bindingMatchSets = bindingsByIndex.map { bindings in
            bindings.map { binding in binding.matchResources.map { matchSets.id(of: MatchSet(match: $0, emptyRulesMatchAll: true)) } }
        }
        self.matchSets = matchSets.sets
        var byResource: [String: [Int]] = [:], everyResource: [Int] = []
        for (index, policy) in policies.enumerated() {
            guard let constraints = policy.matchConstraints else { continue }
            var names = Set(constraints.resourceRules.flatMap { $0.resources.map { String($0.split(separator: "/", omittingEmptySubsequences: false)[0]) } })
            for controller in policy.autogen.controllers { names.insert(controller.rawValue) }
            if names.contains("*") { everyResource.append(index) } else { for name in names { byResource[name, default: []].append(index) } }
        }
        self.policiesByResource = byResource
        self.readsRequest = policies.contains { $0.expressions.contains { $0.program?.variableNames.contains("request") ?? false } }
        self.everyResourcePolicies = everyResource
    }

    /// The indexes of the policies that could match a request for `resource`, in policy order.
    func candidates(for resource: String) -> [Int] {
        let named = policiesByResource[resource] ?? []
        if everyResourcePolicies.isEmpty { return named }
        if named.isEmpty { return everyResourcePolicies }
        return (named + everyResourcePolicies).sorted()
    }

    /// The result of every policy that matches `request` (a skip when a match condition is false);
    /// policies that do not match are left out, and those whose rules name other resources are
    /// not looked at.
    /// `namespaceObject` is the request namespace's Namespace object (null when cluster-scoped);
    /// `namespaceLabels`, its labels when the caller has them already.
    public func evaluate(_ request: AdmissionRequest, namespaceObject: CELValue = .null,
                         namespaceLabels: [String: String]? = nil) -> [PolicyResult] {
        var context = RequestContext(request: request, namespaceObject: namespaceObject, namespaceLabels: namespaceLabels)
        context.matches = MatchSet.Answers(matchSets)
        context.buildsRequestValue = readsRequest
        // Results of policies that do not match are dropped below: no need to say why.
        context.explainsSkips = false
        var results: [PolicyResult] = []
        for index in candidates(for: request.resource.resource) {
            evaluate(policies[index], at: index, context: &context, into: &results)
        }
        return results
    }

    /// The results of one policy for `request`, including a skip (with the reason) when it does
    /// not apply.
    public func evaluate(_ policy: Policy, request: AdmissionRequest, namespaceObject: CELValue = .null) -> [PolicyResult] {
        var context = RequestContext(request: request, namespaceObject: namespaceObject)
        var results: [PolicyResult] = []
        evaluate(policy, at: nil, context: &context, into: &results)
        return results
    }

    /// Appends the policy's results to `results`; when the context does not explain skips (a
    /// whole request), only those of policies that apply. `index` is the policy's position in
    /// `policies`; nil for a policy asked about on its own.
    private func evaluate(_ policy: borrowing Policy, at index: Int?, context: inout RequestContext, into results: inout [PolicyResult]) {
        let known = index.map { facts[$0] }
        func keep(_ result: consuming PolicyResult) {
            if context.explainsSkips || result.skipReason == nil || result.skipReason == .matchCondition { results.append(result) }
        }
        switch policy.sourceKind {
        case .kyvernoValidatingPolicy:
            keep(evaluate(policy, known, binding: nil, actions: policy.validationActions, extraMatch: nil, extraMatchSet: nil, context: &context))
        case .validatingAdmissionPolicy:
            let bound = index.map { bindingsByIndex[$0] } ?? bindingsByPolicy[policy.name] ?? []
            if bound.isEmpty {
                guard options.evaluatesUnboundAdmissionPolicies else {
                    var result = PolicyResult(policy: policy.name, outcome: .skip, message: "no binding puts this policy into effect")
                    result.skipReason = .unbound
                    return keep(result)
                }
                return keep(evaluate(policy, known, binding: nil, actions: options.unboundActions, extraMatch: nil, extraMatchSet: nil, context: &context))
            }
            for position in bound.indices {
                keep(evaluate(policy, known, binding: bound[position].name, actions: bound[position].validationActions,
                              extraMatch: bound[position].matchResources, extraMatchSet: index.flatMap { bindingMatchSets[$0][position] },
                              context: &context))
            }
        }
    }

    private func evaluate(_ policy: borrowing Policy, _ known: Facts?, binding: String?, actions: [ValidationAction], extraMatch: MatchResources?,
                          extraMatchSet: Int?, context: inout RequestContext) -> PolicyResult {
        var result = PolicyResult(policy: policy.name, binding: binding, outcome: .skip, actions: actions,
                                  failurePolicy: policy.failurePolicy)
        result.skipReason = .notMatched
        var controller: PodController?
        guard let constraints = policy.matchConstraints else {
            result.message = "the policy has no matchConstraints"
            return result
        }
        if let mismatch = context.mismatch(MatchSet(match: constraints, emptyRulesMatchAll: false), known?.constraintsMatchSet) {
            controller = PodTemplateView.controller(for: context.request, autogen: policy.autogen,
                                                    operations: constraints.resourceRules.first?.operations ?? [],
                                                    matchPolicy: constraints.matchPolicy)
            guard controller != nil else {
                if context.explainsSkips { result.message = mismatch.description(of: context.request) }
                return result
            }
        }
        if let extraMatch, let mismatch = context.mismatch(MatchSet(match: extraMatch, emptyRulesMatchAll: true), extraMatchSet) {
            if context.explainsSkips { result.message = "binding: \(mismatch.description(of: context.request))" }
            return result
        }
        result.autogenController = controller
        result.skipReason = nil
        let calls = known?.clusterCalls ?? policy.clusterCalls
        guard calls.isEmpty else {
            result.outcome = .error
            result.message = "cannot be evaluated without a live cluster or network: calls \(calls.joined(separator: ", "))"
            return result
        }
        guard known?.isCompiled ?? policy.isCompiled else {
            result.outcome = .error
            result.message = "the policy has expressions that did not compile"
            return result
        }
        let activation = context.activation(for: controller)
        // A policy not in this engine (a single-policy query) shares nothing.
        let variableIDs = known?.variableIDs ?? policy.variables.indices.map { -1 - $0 }
        var evaluator = PolicyEvaluator(policy: policy, variableIDs: variableIDs, activation: activation, costLimit: options.costLimit)
        let verdict = context.withSharedVariables(for: controller) { evaluator.run(sharing: &$0) }
        result.outcome = verdict.outcome
        if verdict.outcome == .skip { result.skipReason = .matchCondition }
        result.validationIndex = verdict.validationIndex
        result.message = verdict.message
        result.failures = verdict.failures
        result.auditAnnotations = verdict.auditAnnotations
        return result
    }
}

/// Per-request values shared by every policy: the activation, built once, the pod-shaped views
/// of a pod controller, built when a policy first needs them, and the variables policies share.
struct RequestContext {
    let request: AdmissionRequest
    let namespaceLabels: [String: String]
    /// Whether a result for a policy that does not match says why (for single-policy queries).
    var explainsSkips = true
    /// Whether the `request` variable is built (false when no expression reads it).
    var buildsRequestValue = true
    /// The answers of the engine's match sets so far (none for a single-policy query).
    var matches = MatchSet.Answers([])
    private let namespaceObject: CELValue
    /// Built when the first matching policy needs it: most objects match no policy at all.
    private var base: CELActivation?
    private var views: [PodController: CELActivation] = [:]
    /// The variables shared on the request's own objects, and on each pod-controller view.
    private var shared = SharedVariables()
    private var sharedByView: [PodController: SharedVariables] = [:]

    static let noExceptions = CELValue.map(CELMap(["allowedImages": .list([]), "allowedValues": .list([])]))

    init(request: AdmissionRequest, namespaceObject: CELValue, namespaceLabels: [String: String]? = nil) {
        self.request = request
        self.namespaceObject = namespaceObject
        self.namespaceLabels = namespaceLabels ?? RequestMatcher.labels(of: namespaceObject)
    }

    /// The variables of every policy evaluation: the request's objects (or a pod controller's
    /// pod-shaped view of them), and an empty `variables` map for each policy to replace.
    mutating func activation(for controller: PodController?) -> CELActivation {
        let base = self.base ?? {
            // The names most expressions read first: an activation finds a name by comparing.
            var base = CELActivation()
            base["object"] = request.object
            base["variables"] = .map(CELMap())
            base["namespaceObject"] = namespaceObject
            base["oldObject"] = request.oldObject
            base["request"] = buildsRequestValue ? request.celValue : .null
            base["params"] = .null
            base["exceptions"] = Self.noExceptions
            return base
        }()
        self.base = base
        guard let controller else { return base }
        if let view = views[controller] { return view }
        var view = base
        view["object"] = RequestMatcher.isNull(request.object) ? .null : PodTemplateView.view(of: request.object, controller: controller)
        view["oldObject"] = RequestMatcher.isNull(request.oldObject) ? .null : PodTemplateView.view(of: request.oldObject, controller: controller)
        views[controller] = view
        return view
    }

    /// Why the request falls outside `set`, or nil when it matches; answered once per request for
    /// each numbered set.
    mutating func mismatch(_ set: MatchSet, _ id: Int?) -> RequestMatcher.Mismatch? {
        guard let id else { return set.mismatch(request, namespaceLabels: namespaceLabels) }
        return matches.mismatch(id, request, namespaceLabels: namespaceLabels)
    }

    /// Runs `body` with the shared variables of `controller`'s activation, kept for the next policy.
    mutating func withSharedVariables<Result>(for controller: PodController?, _ body: (inout SharedVariables) -> Result) -> Result {
        guard let controller else { return body(&shared) }
        var variables = sharedByView.removeValue(forKey: controller) ?? SharedVariables()
        defer { sharedByView[controller] = variables }
        return body(&variables)
    }
}
