import BulkheadCEL
import BulkheadPolicy
import Testing

/// matchConstraints: resource rules, operations, exclusions, namespace and object selectors.
@Suite struct MatchingTests {
    static let policy = """
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata:
      name: no-privileged
    spec:
      matchConstraints:
        resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["pods"]
        excludeResourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["*"]
            resources: ["pods"]
            resourceNames: ["debugger"]
        namespaceSelector:
          matchLabels:
            bulkhead.dev/tenant: "true"
          matchExpressions:
            - key: environment
              operator: NotIn
              values: ["sandbox"]
        objectSelector:
          matchExpressions:
            - key: policy.bulkhead.dev/skip
              operator: DoesNotExist
      validations:
        - expression: "object.spec.containers.all(c, !c.?securityContext.?privileged.orValue(false))"
          message: privileged containers are not allowed
    """

    static let options = PolicyEngine.Options(evaluatesUnboundAdmissionPolicies: true)
    static let tenant = Fixture.namespace("team-a", labels: ["bulkhead.dev/tenant": "true", "environment": "prod"])

    func outcome(_ pod: [String: Any], namespace: CELValue = tenant, operation: AdmissionRequest.Operation = .create,
                 subResource: String = "") throws -> PolicyResult {
        let engine = try Fixture.engine(Self.policy, options: Self.options)
        let request = try Fixture.request(pod, operation: operation, subResource: subResource)
        return try #require(engine.evaluate(engine.policies[0], request: request, namespaceObject: namespace).first)
    }

    @Test func matchingRequestIsEvaluated() throws {
        #expect(try outcome(Fixture.pod("web", privileged: true)).outcome == .fail)
        #expect(try outcome(Fixture.pod("web", privileged: false)).outcome == .pass)
    }

    @Test func operationNotListedIsSkipped() throws {
        let result = try outcome(Fixture.pod("web", privileged: true), operation: .update)
        #expect(result.outcome == .skip)
        #expect(result.message.contains("no resourceRules entry matches UPDATE core/v1 pods"))
    }

    @Test func subresourceDoesNotMatchPlainResource() throws {
        #expect(try outcome(Fixture.pod("web", privileged: true), subResource: "ephemeralcontainers").outcome == .skip)
    }

    @Test func excludedNameIsSkipped() throws {
        let result = try outcome(Fixture.pod("debugger", privileged: true))
        #expect(result.outcome == .skip)
        #expect(result.message == "excluded by excludeResourceRules")
    }

    @Test func namespaceSelectorUsesNamespaceLabels() throws {
        let sandbox = Fixture.namespace("team-a", labels: ["bulkhead.dev/tenant": "true", "environment": "sandbox"])
        #expect(try outcome(Fixture.pod("web", privileged: true), namespace: sandbox).outcome == .skip)
        let untenanted = Fixture.namespace("team-a", labels: [:])
        #expect(try outcome(Fixture.pod("web", privileged: true), namespace: untenanted).outcome == .skip)
    }

    @Test func objectSelectorUsesObjectLabels() throws {
        let opted = Fixture.pod("web", labels: ["policy.bulkhead.dev/skip": "yes"], privileged: true)
        #expect(try outcome(opted).outcome == .skip)
    }

    @Test func labelSelectorOperators() {
        let selector = LabelSelector(matchLabels: ["app": "web"], matchExpressions: [
            .init(key: "tier", operator: .in, values: ["frontend", "edge"]),
            .init(key: "legacy", operator: .doesNotExist),
        ])
        #expect(selector.matches(["app": "web", "tier": "edge"]))
        #expect(!selector.matches(["app": "web", "tier": "backend"]))
        #expect(!selector.matches(["app": "web", "tier": "edge", "legacy": "1"]))
        #expect(LabelSelector().matches([:]))
    }

    @Test func resourceNamesKindsAndScope() {
        #expect(AdmissionRequest.resourceName(forKind: "Ingress") == "ingresses")
        #expect(AdmissionRequest.resourceName(forKind: "NetworkPolicy") == "networkpolicies")
        #expect(AdmissionRequest.resourceName(forKind: "Gateway") == "gateways")
        #expect(AdmissionRequest.resourceName(forKind: "Endpoints") == "endpoints")
        #expect(!AdmissionRequest.isNamespaced(kind: "ClusterRole"))
    }
}
