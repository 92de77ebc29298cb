/// A validating policy in one normalized form, whichever of the two accepted shapes it was
/// written in: a Kubernetes `ValidatingAdmissionPolicy` or a Kyverno `ValidatingPolicy`.
public struct Policy: Sendable {
    /// The shape the policy was written in.
    public enum SourceKind: String, Sendable, Hashable, Codable {
        /// `admissionregistration.k8s.io/v1` `ValidatingAdmissionPolicy`: enforced through bindings,
        /// every validation evaluated.
        case validatingAdmissionPolicy = "ValidatingAdmissionPolicy"
        /// `policies.kyverno.io` `ValidatingPolicy`: actions in the policy, evaluation stops at the
        /// first failed validation, pod policies auto-generated for pod controllers.
        case kyvernoValidatingPolicy = "ValidatingPolicy"
    }

    /// A named value computed once per evaluation and read as `variables.<name>`.
    public struct Variable: Sendable {
        public var name: String
        public var expression: PolicyExpression
    }

    /// A precondition: every one must be true for the policy to apply.
    public struct MatchCondition: Sendable {
        public var name: String
        public var expression: PolicyExpression
    }

    /// One rule: the expression must be true.
    public struct Validation: Sendable {
        public var expression: PolicyExpression
        public var message: String?
        public var messageExpression: PolicyExpression?
        /// `Unauthorized`, `Forbidden`, `Invalid` (the default) or `RequestEntityTooLarge`.
        public var reason: String?
    }

    /// An audit annotation whose value is computed by an expression.
    public struct AuditAnnotation: Sendable {
        public var key: String
        public var valueExpression: PolicyExpression
    }

    /// Kyverno `spec.evaluation.mode`.
    public enum EvaluationMode: String, Sendable, Hashable {
        case kubernetes = "Kubernetes"
        case json = "JSON"
    }

    public var name: String
    public var apiVersion: String
    public var sourceKind: SourceKind
    /// Where the policy document starts.
    public var location: SourceLocation
    /// Nil matches nothing (Kubernetes requires the field; Kyverno policies without it never apply).
    public var matchConstraints: MatchResources?
    public var matchConditions: [MatchCondition]
    public var variables: [Variable]
    public var validations: [Validation]
    public var auditAnnotations: [AuditAnnotation]
    /// Kyverno's own actions; empty for a `ValidatingAdmissionPolicy` (its bindings carry them).
    public var validationActions: [ValidationAction]
    public var failurePolicy: FailurePolicy
    /// Pod controllers the policy also applies to (Kyverno auto-generation); empty when off.
    public var autogen: PodControllerAutogen
    /// `spec.paramKind` as `apiVersion/kind`; parameters are not resolved (`params` is null).
    public var paramKind: String?
    public var evaluationMode: EvaluationMode
    /// Kyverno `spec.evaluation.background.enabled` (nil when unset).
    public var background: Bool?
    /// Metadata annotations (Kyverno reads a few, such as `policies.kyverno.io/scored`).
    public var annotations: [String: String]

    /// Every expression of the policy, in document order.
    public var expressions: [PolicyExpression] {
        matchConditions.map(\.expression) + variables.map(\.expression) + validationExpressions + auditAnnotations.map(\.valueExpression)
    }

    /// The validations' expressions, each followed by its message expression.
    public var validationExpressions: [PolicyExpression] {
        validations.flatMap { [$0.expression] + ($0.messageExpression.map { [$0] } ?? []) }
    }

    /// Functions the policy calls that need a live cluster or the network; a policy with any
    /// cannot be evaluated offline.
    public var clusterCalls: [String] {
        var seen: [String] = []
        for expression in expressions {
            for call in expression.clusterCalls where !seen.contains(call) { seen.append(call) }
        }
        return seen
    }

    /// Whether every expression compiled.
    public var isCompiled: Bool { expressions.allSatisfy { $0.program != nil } }
}
