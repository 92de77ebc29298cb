import BulkheadCEL
import BulkheadPolicy
import Testing

/// Evaluation details: messages, variables, match conditions, errors, cluster-only functions.
@Suite struct EngineTests {
    static func policy(_ body: String, failurePolicy: String = "Fail") -> String {
        """
        apiVersion: policies.kyverno.io/v1alpha1
        kind: ValidatingPolicy
        metadata:
          name: checks
        spec:
          failurePolicy: \(failurePolicy)
          validationActions: [Audit]
          matchConstraints:
            resourceRules:
              - apiGroups: [""]
                apiVersions: ["v1"]
                operations: ["CREATE"]
                resources: ["pods"]
        \(body)
        """
    }

    func evaluate(_ yaml: String, _ pod: [String: Any] = Fixture.pod("web", image: "nginx:latest")) throws -> PolicyResult {
        let engine = try Fixture.engine(yaml)
        return try #require(engine.evaluate(try Fixture.request(pod)).first)
    }

    @Test func messageExpressionBuildsTheMessage() throws {
        let result = try evaluate(Self.policy("""
          validations:
            - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
              message: static message
              messageExpression: "'pod ' + object.metadata.name + ' uses ' + object.spec.containers[0].image"
        """))
        #expect(result.outcome == .fail)
        #expect(result.message == "pod web uses nginx:latest")
        #expect(result.validationIndex == 0)
        #expect(result.actions == [.audit])
        #expect(!result.denies)
    }

    @Test func messageFallsBackWhenMessageExpressionFails() throws {
        let result = try evaluate(Self.policy("""
          validations:
            - expression: "false"
              message: static message
              messageExpression: "object.metadata.missing"
            - expression: "false"
        """))
        #expect(result.message == "static message")
        // A Kyverno policy stops at the first failed validation.
        #expect(result.failures.count == 1)
    }

    @Test func variablesAreComputedOnlyWhenUsed() throws {
        let result = try evaluate(Self.policy("""
          variables:
            - name: broken
              expression: "object.spec.nothingHere.size()"
            - name: images
              expression: "object.spec.containers.map(c, c.image)"
            - name: latest
              expression: "variables.images.filter(i, i.endsWith(':latest'))"
          validations:
            - expression: "size(variables.latest) == 0"
              messageExpression: "'latest images: ' + variables.latest.join(', ')"
        """))
        #expect(result.outcome == .fail)
        #expect(result.message == "latest images: nginx:latest")
    }

    @Test func errorInUsedVariableIsReported() throws {
        let result = try evaluate(Self.policy("""
          variables:
            - name: broken
              expression: "object.spec.nothingHere.size()"
          validations:
            - expression: "variables.broken > 0"
        """))
        #expect(result.outcome == .error)
        #expect(result.message.contains("variables.broken"))
    }

    @Test func falseMatchConditionSkips() throws {
        let result = try evaluate(Self.policy("""
          matchConditions:
            - name: only-system
              expression: "object.metadata.namespace == 'kube-system'"
          validations:
            - expression: "false"
        """))
        #expect(result.outcome == .skip)
        #expect(result.message == "match condition 'only-system' is false")
    }

    @Test func matchConditionErrorFollowsFailurePolicy() throws {
        let body = """
          matchConditions:
            - name: broken
              expression: "object.metadata.missing == 'x'"
          validations:
            - expression: "false"
        """
        #expect(try evaluate(Self.policy(body)).outcome == .error)
        #expect(try evaluate(Self.policy(body, failurePolicy: "Ignore")).outcome == .skip)
    }

    @Test func clusterFunctionsLoadButAreNotEvaluated() throws {
        let yaml = Self.policy("""
          validations:
            - expression: >-
                resource.Get("v1", "configmaps", "default", "registries").data.allowed.split(',')
                .exists(r, object.spec.containers.all(c, c.image.startsWith(r)))
        """)
        let loaded = try Fixture.load(yaml)
        #expect(loaded.policies[0].clusterCalls == ["resource.Get"])
        let result = try evaluate(yaml)
        #expect(result.outcome == .error)
        #expect(result.message.contains("live cluster"))
    }

    @Test func kyvernoOrValueOnAPlainValueReturnsIt() throws {
        // Kyverno keeps cel-go's older `orValue`, which returns a receiver that is not optional.
        let result = try evaluate(Self.policy("""
          validations:
            - expression: "object.spec.containers.orValue([]).size() == 1 && object.spec.?volumes.orValue([]).size() == 0"
        """))
        #expect(result.outcome == .pass)
    }

    @Test func auditAnnotationsAreEvaluated() throws {
        let result = try evaluate(Self.policy("""
          validations:
            - expression: "true"
          auditAnnotations:
            - key: image
              valueExpression: "object.spec.containers[0].image"
        """))
        #expect(result.outcome == .pass)
        #expect(result.auditAnnotations == ["image": "nginx:latest"])
    }
}

/// Only the policies whose rules name a request's resource (or every resource, or a pod
/// controller they reach by autogen) are evaluated, and results keep the policies' order.
@Suite struct PolicySelectionTests {
    /// A Kyverno ValidatingPolicy for CREATE of `resources`, with `variables` (name, expression)
    /// and one validation.
    static func policy(_ name: String, resources: String, apiGroups: String = "\"\"", apiVersions: String = "\"*\"",
                       variables: [(String, String)] = [], validation: String = "true") -> String {
        let declared = variables.isEmpty ? "" : "\n  variables:\n" + variables.map { "    - name: \($0.0)\n      expression: \"\($0.1)\"" }.joined(separator: "\n")
        return """
        apiVersion: policies.kyverno.io/v1
        kind: ValidatingPolicy
        metadata:
          name: \(name)
        spec:
          validationActions: [Deny]
          matchConstraints:
            resourceRules:
              - apiGroups: [\(apiGroups)]
                apiVersions: [\(apiVersions)]
                operations: ["CREATE"]
                resources: [\(resources)]\(declared)
          validations:
            - expression: "\(validation)"
        """
    }

    static let engine = {
        try! Fixture.engine([
            policy("pods-only", resources: "pods", apiVersions: "v1"),
            policy("every-resource", resources: "\"*\"", apiGroups: "\"*\""),
            policy("services-status", resources: "services/status"),
            policy("services", resources: "services"),
        ].joined(separator: "\n---\n"))
    }()

    @Test func aServiceIsCheckedByTheServiceAndEveryResourcePoliciesInOrder() throws {
        let service: [String: Any] = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "team-a"], "spec": [:] as [String: Any]]
        let results = Self.engine.evaluate(try Fixture.request(service))
        #expect(results.map(\.policy) == ["every-resource", "services"])
        #expect(results.allSatisfy { $0.outcome == .pass })
    }

    @Test func aDeploymentReachesThePodPolicyThroughAutogen() throws {
        let results = Self.engine.evaluate(try Fixture.request(Fixture.deployment("web", template: Fixture.pod("web"))))
        #expect(results.map(\.policy) == ["pods-only", "every-resource"])
        #expect(results.first?.autogenController == .deployments)
    }

    @Test func aPodSkipsTheServicePolicies() throws {
        #expect(Self.engine.evaluate(try Fixture.request(Fixture.pod("web"))).map(\.policy) == ["pods-only", "every-resource"])
    }
}

/// Policies that declare the same variables share their values within one request; a variable
/// with the same name but another expression, or after other variables, is its own.
@Suite struct SharedVariablesTests {
    static func policy(_ name: String, variables: [(String, String)], validation: String) -> String {
        PolicySelectionTests.policy(name, resources: "pods", apiVersions: "\"v1\"", variables: variables, validation: validation)
    }

    static let policies = [
        policy("first", variables: [("image", "object.spec.containers[0].image")], validation: "variables.image == 'registry.example/app:1.0'"),
        policy("same", variables: [("image", "object.spec.containers[0].image")], validation: "variables.image.startsWith('registry.')"),
        policy("other-expression", variables: [("image", "object.metadata.name")], validation: "variables.image == 'web'"),
        policy("other-position", variables: [("name", "object.metadata.name"), ("image", "variables.name + '!'")],
               validation: "variables.image == 'web!' && size(variables) == 2"),
        policy("failing", variables: [("image", "object.spec.missing")], validation: "variables.image == 1"),
    ]

    @Test func eachPolicySeesItsOwnVariablesAndTheSameResultsAsAlone() throws {
        let engine = try Fixture.engine(Self.policies.joined(separator: "\n---\n"))
        let request = try Fixture.request(Fixture.pod("web"))
        let together = engine.evaluate(request)
        #expect(together.map(\.policy) == ["first", "same", "other-expression", "other-position", "failing"])
        #expect(together.map(\.outcome) == [.pass, .pass, .pass, .pass, .error])
        #expect(together.last?.message.contains("variables.image") == true)
        for (policy, result) in zip(engine.policies, together) {
            let alone = try #require(engine.evaluate(policy, request: request).first)
            #expect(alone.outcome == result.outcome && alone.message == result.message, "\(policy.name)")
        }
    }
}
