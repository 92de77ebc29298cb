import BulkheadCEL
import BulkheadPolicy
import Testing

/// A ValidatingAdmissionPolicy put into effect by bindings with Deny, Warn and Audit.
@Suite struct BindingTests {
    static let documents = """
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata:
      name: replica-limit
    spec:
      failurePolicy: Fail
      matchConstraints:
        resourceRules:
          - apiGroups: ["apps"]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["deployments"]
      variables:
        - name: replicas
          expression: "object.spec.replicas"
      validations:
        - expression: "variables.replicas <= 5"
          messageExpression: "'replicas must be at most 5, got ' + string(variables.replicas)"
          reason: Forbidden
        - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
          message: "a team label is required"
      auditAnnotations:
        - key: replicas
          valueExpression: "string(variables.replicas)"
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata:
      name: replica-limit-production
    spec:
      policyName: replica-limit
      validationActions: [Deny]
      matchResources:
        namespaceSelector:
          matchLabels:
            environment: production
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata:
      name: replica-limit-staging
    spec:
      policyName: replica-limit
      validationActions: [Warn, Audit]
      matchResources:
        namespaceSelector:
          matchLabels:
            environment: staging
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata:
      name: replica-limit-everywhere
    spec:
      policyName: replica-limit
      validationActions: [Audit]
    """

    func results(environment: String, replicas: Int) throws -> [String: PolicyResult] {
        let engine = try Fixture.engine(Self.documents)
        let deployment: [String: Any] = ["apiVersion": "apps/v1", "kind": "Deployment",
                                         "metadata": ["name": "shop", "namespace": "team-a"],
                                         "spec": ["replicas": replicas]]
        let namespace = Fixture.namespace("team-a", labels: ["environment": environment])
        var byBinding: [String: PolicyResult] = [:]
        for result in engine.evaluate(try Fixture.request(deployment), namespaceObject: namespace) {
            byBinding[result.binding ?? ""] = result
        }
        return byBinding
    }

    @Test func denyBindingRejectsInProduction() throws {
        let results = try results(environment: "production", replicas: 8)
        let deny = try #require(results["replica-limit-production"])
        #expect(deny.outcome == .fail)
        #expect(deny.denies)
        // Every validation is evaluated: both failures are reported.
        #expect(deny.failures.map(\.message) == ["replicas must be at most 5, got 8", "a team label is required"])
        #expect(deny.failures.map(\.reason) == ["Forbidden", "Invalid"])
        #expect(deny.auditAnnotations == ["replicas": "8"])
        #expect(results["replica-limit-staging"] == nil, "the staging binding does not select production")
        let audit = try #require(results["replica-limit-everywhere"])
        #expect(audit.outcome == .fail && !audit.denies && audit.warnings.isEmpty)
    }

    @Test func warnBindingWarnsInStaging() throws {
        let results = try results(environment: "staging", replicas: 8)
        let warn = try #require(results["replica-limit-staging"])
        #expect(!warn.denies)
        #expect(warn.actions == [.warn, .audit])
        #expect(warn.warnings == ["replicas must be at most 5, got 8", "a team label is required"])
        #expect(results["replica-limit-production"] == nil)
    }

    @Test func unboundPolicyDoesNothingByDefault() throws {
        let loaded = try Fixture.load(Self.documents)
        let engine = PolicyEngine(policies: loaded.policies)
        let deployment: [String: Any] = ["apiVersion": "apps/v1", "kind": "Deployment",
                                         "metadata": ["name": "shop", "namespace": "team-a"], "spec": ["replicas": 8]]
        let results = engine.evaluate(loaded.policies[0], request: try Fixture.request(deployment))
        #expect(results.map(\.outcome) == [.skip])
        #expect(results[0].message == "no binding puts this policy into effect")
    }
}
