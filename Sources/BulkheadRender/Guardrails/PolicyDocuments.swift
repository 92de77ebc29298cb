import BulkheadKube
import BulkheadPolicy

/// Loaded policies written back as Kubernetes objects: `ValidatingAdmissionPolicy` and its binding
/// (enforced by the API server), or Kyverno `ValidatingPolicy`. Written from the loaded model, so a
/// policy reaches the cluster in the same normalized form the gate and webhook evaluate.
enum PolicyDocuments {
    static let managedLabels = [BulkheadLabels.managedBy: "bulkhead"]

    static func admissionPolicy(_ policy: Policy) -> SpecObject<AdmissionPolicySpec> {
        SpecObject(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy",
                   metadata: ObjectMeta(name: policy.name, labels: managedLabels, annotations: policy.annotations.isEmpty ? nil : policy.annotations),
                   spec: AdmissionPolicySpec(policy))
    }

    static func binding(_ binding: PolicyBinding) -> SpecObject<BindingSpec> {
        SpecObject(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding",
                   metadata: ObjectMeta(name: binding.name, labels: managedLabels),
                   spec: BindingSpec(policyName: binding.policyName, validationActions: binding.validationActions.map(\.rawValue),
                                     matchResources: binding.matchResources.map(MatchDocument.init)))
    }

    /// A Kyverno `ValidatingPolicy` with the binding's actions and namespace scope folded in
    /// (Kyverno policies have no bindings).
    static func kyvernoPolicy(_ policy: Policy, binding: PolicyBinding) -> SpecObject<AdmissionPolicySpec> {
        var match = policy.matchConstraints ?? MatchResources()
        if let scope = binding.matchResources?.namespaceSelector {
            var selector = match.namespaceSelector ?? BulkheadPolicy.LabelSelector()
            selector.matchLabels.merge(scope.matchLabels) { _, bound in bound }
            selector.matchExpressions += scope.matchExpressions.filter { !selector.matchExpressions.contains($0) }
            match.namespaceSelector = selector
        }
        return SpecObject(apiVersion: "policies.kyverno.io/v1", kind: "ValidatingPolicy",
                          metadata: ObjectMeta(name: policy.name, labels: managedLabels, annotations: policy.annotations.isEmpty ? nil : policy.annotations),
                          spec: AdmissionPolicySpec(policy, match: match, validationActions: binding.validationActions))
    }

    struct AdmissionPolicySpec: Encodable, Sendable {
        var failurePolicy: String
        var matchConstraints: MatchDocument?
        var matchConditions: [NamedExpression]?
        var variables: [NamedExpression]?
        var validations: [ValidationDocument]
        var auditAnnotations: [AuditAnnotationDocument]?
        /// Kyverno only: a `ValidatingAdmissionPolicy` has its actions on the binding.
        var validationActions: [String]?

        init(_ policy: Policy, match: MatchResources? = nil, validationActions: [ValidationAction]? = nil) {
            self.validationActions = validationActions?.map(\.rawValue)
            failurePolicy = policy.failurePolicy.rawValue
            matchConstraints = (match ?? policy.matchConstraints).map(MatchDocument.init)
            matchConditions = policy.matchConditions.isEmpty ? nil : policy.matchConditions.map { NamedExpression(name: $0.name, expression: $0.expression.source) }
            variables = policy.variables.isEmpty ? nil : policy.variables.map { NamedExpression(name: $0.name, expression: $0.expression.source) }
            validations = policy.validations.map {
                ValidationDocument(expression: $0.expression.source, message: $0.message, messageExpression: $0.messageExpression?.source, reason: $0.reason)
            }
            auditAnnotations = policy.auditAnnotations.isEmpty ? nil : policy.auditAnnotations.map { AuditAnnotationDocument(key: $0.key, valueExpression: $0.valueExpression.source) }
        }
    }

    struct BindingSpec: Encodable, Sendable {
        var policyName: String
        var validationActions: [String]
        var matchResources: MatchDocument?
    }

    struct NamedExpression: Encodable, Sendable {
        var name: String
        var expression: String
    }

    struct ValidationDocument: Encodable, Sendable {
        var expression: String
        var message: String?
        var messageExpression: String?
        var reason: String?
    }

    struct AuditAnnotationDocument: Encodable, Sendable {
        var key: String
        var valueExpression: String
    }

    struct MatchDocument: Encodable, Sendable {
        var resourceRules: [RuleDocument]?
        var excludeResourceRules: [RuleDocument]?
        var namespaceSelector: SelectorDocument?
        var objectSelector: SelectorDocument?
        var matchPolicy: String

        init(_ match: MatchResources) {
            resourceRules = match.resourceRules.isEmpty ? nil : match.resourceRules.map(RuleDocument.init)
            excludeResourceRules = match.excludeResourceRules.isEmpty ? nil : match.excludeResourceRules.map(RuleDocument.init)
            namespaceSelector = match.namespaceSelector.map(SelectorDocument.init)
            objectSelector = match.objectSelector.map(SelectorDocument.init)
            matchPolicy = match.matchPolicy.rawValue
        }
    }

    struct RuleDocument: Encodable, Sendable {
        var apiGroups: [String]
        var apiVersions: [String]
        var operations: [String]
        var resources: [String]
        var resourceNames: [String]?
        var scope: String?

        init(_ rule: ResourceRule) {
            apiGroups = rule.apiGroups
            apiVersions = rule.apiVersions
            operations = rule.operations
            resources = rule.resources
            resourceNames = rule.resourceNames.isEmpty ? nil : rule.resourceNames
            scope = rule.scope == .all ? nil : rule.scope.rawValue
        }
    }

    struct SelectorDocument: Encodable, Sendable {
        struct Requirement: Encodable, Sendable {
            var key: String
            var `operator`: String
            var values: [String]?
        }
        var matchLabels: [String: String]?
        var matchExpressions: [Requirement]?

        init(_ selector: BulkheadPolicy.LabelSelector) {
            matchLabels = selector.matchLabels.isEmpty ? nil : selector.matchLabels
            matchExpressions = selector.matchExpressions.isEmpty ? nil : selector.matchExpressions.map {
                Requirement(key: $0.key, operator: $0.operator.rawValue, values: $0.values.isEmpty ? nil : $0.values)
            }
        }

        /// Always writes a mapping, so an empty selector is `{}` (match everything), not null.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeIfPresent(matchLabels, forKey: .matchLabels)
            try container.encodeIfPresent(matchExpressions, forKey: .matchExpressions)
        }
        enum Keys: String, CodingKey { case matchLabels, matchExpressions }
    }
}
