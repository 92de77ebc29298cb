/// The decision of one policy (through one binding, for a `ValidatingAdmissionPolicy`) on one
/// request.
public struct PolicyResult: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Every validation held.
        case pass
        /// A validation was false.
        case fail
        /// The policy does not apply: no match, excluded, or a match condition was false.
        case skip
        /// An expression could not be evaluated (error, cost limit, cluster-only function).
        case error
    }

    /// Why a policy was skipped.
    public enum SkipReason: String, Sendable, Hashable, Codable {
        /// The request is outside matchConstraints (or the binding's matchResources).
        case notMatched
        /// The request matched but a match condition was false.
        case matchCondition
        /// A ValidatingAdmissionPolicy no binding puts into effect.
        case unbound
    }

    /// One failed validation.
    public struct Failure: Sendable, Hashable {
        public var index: Int
        public var message: String
        public var reason: String
    }

    public var policy: String
    /// The binding for a `ValidatingAdmissionPolicy`; nil for Kyverno policies.
    public var binding: String?
    public var outcome: Outcome
    /// The index of the first failed (or erroring) validation.
    public var validationIndex: Int?
    /// Why: the first failure's message, the error, or why the policy was skipped.
    public var message: String
    /// Every failed validation: a `ValidatingAdmissionPolicy` evaluates them all, a Kyverno policy
    /// stops at the first.
    public var failures: [Failure]
    /// What the failure does to the request.
    public var actions: [ValidationAction]
    public var failurePolicy: FailurePolicy
    public var auditAnnotations: [String: String]
    /// Set when the policy applied to a pod controller through auto-generation.
    public var autogenController: PodController?
    /// Set for a skip.
    public var skipReason: SkipReason?

    public init(policy: String, binding: String? = nil, outcome: Outcome, validationIndex: Int? = nil, message: String = "",
                failures: [Failure] = [], actions: [ValidationAction] = [], failurePolicy: FailurePolicy = .fail,
                auditAnnotations: [String: String] = [:], autogenController: PodController? = nil) {
        self.policy = policy
        self.binding = binding
        self.outcome = outcome
        self.validationIndex = validationIndex
        self.message = message
        self.failures = failures
        self.actions = actions
        self.failurePolicy = failurePolicy
        self.auditAnnotations = auditAnnotations
        self.autogenController = autogenController
    }

    /// Whether this result rejects the request: a failure (or an error under `failurePolicy:
    /// Fail`) with the Deny action.
    public var denies: Bool {
        guard actions.contains(.deny) else { return false }
        return outcome == .fail || (outcome == .error && failurePolicy == .fail)
    }

    /// The warnings returned to the client: failure messages under the Warn action.
    public var warnings: [String] {
        guard actions.contains(.warn) else { return [] }
        switch outcome {
        case .fail: return failures.map(\.message)
        case .error where failurePolicy == .fail: return [message]
        default: return []
        }
    }
}
