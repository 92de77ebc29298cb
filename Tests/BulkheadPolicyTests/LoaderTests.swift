import BulkheadPolicy
import Testing

/// Loading: accepted shapes, rejected kinds, and CEL errors reported where they are in the file.
@Suite struct LoaderTests {
    static let header = """
    apiVersion: policies.kyverno.io/v1
    kind: ValidatingPolicy
    metadata:
      name: broken
    spec:
      matchConstraints:
        resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["pods"]
      validations:

    """

    func problems(_ validations: String) -> [PolicyProblem] {
        PolicyLoader().load(yaml: Self.header + validations, file: "policies/broken.yaml").errors
    }

    @Test func typeErrorInsideFoldedBlockScalar() throws {
        // Lines 13-15; `contaner.name` is on line 15, columns 52-64 (CEL places a selection at its dot).
        let found = problems("""
            - expression: >-
                object.spec.containers.all(c,
                c.image.startsWith('registry.example/') && contaner.name != '')
        """)
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.code == "cel-check")
        #expect(problem.message.contains("undeclared reference to 'contaner.name'"))
        #expect(problem.file == "policies/broken.yaml")
        #expect((problem.line, problem.column) == (15, 60))
        #expect(problem.description.hasPrefix("policies/broken.yaml:15:60: error: spec.validations[0].expression: CEL type error"))
    }

    @Test func syntaxErrorInsideLiteralBlockScalar() throws {
        let found = problems("""
            - expression: |
                object.spec.containers.all(c,
                  c.image.startsWith('registry.example/') &&
                  c.imagePullPolicy == 'Always' &&)
        """)
        let problem = try #require(found.first)
        #expect(problem.code == "cel-syntax")
        #expect((problem.line, problem.column) == (16, 43))
    }

    @Test func errorInPlainAndQuotedScalars() throws {
        let plain = try #require(problems("    - expression: object.spec.replicas <= maxReplicas\n").first)
        #expect((plain.line, plain.column) == (13, 43))
        let quoted = try #require(problems("    - expression: \"object.spec.replicas <= maxReplicas\"\n").first)
        #expect((quoted.line, quoted.column) == (13, 44))
    }

    @Test func validationMustBeBool() throws {
        let problem = try #require(problems("    - expression: \"'not a bool'\"\n").first)
        #expect(problem.code == "cel-type")
        #expect(problem.message.contains("must evaluate to bool"))
    }

    @Test func undeclaredVariableIsReported() throws {
        let problem = try #require(problems("    - expression: \"variables.allContainers.size() > 0\"\n").first)
        #expect(problem.code == "unknown-variable")
        #expect((problem.line, problem.column) == (13, 20))
    }

    @Test func otherKindsAreRejected() throws {
        let result = PolicyLoader().load(yaml: """
        apiVersion: kyverno.io/v1
        kind: ClusterPolicy
        metadata:
          name: legacy
        spec: {}
        """, file: "legacy.yaml")
        let problem = try #require(result.errors.first)
        #expect(problem.code == "unsupported-kind")
        #expect(problem.message.contains("kyverno.io/v1 ClusterPolicy 'legacy' is not a policy this loader accepts"))
        #expect(result.otherDocuments.map(\.name) == ["legacy"])
    }

    @Test func bothShapesNormalize() throws {
        let loaded = try Fixture.load(BindingTests.documents)
        #expect(loaded.policies.map(\.sourceKind) == [.validatingAdmissionPolicy])
        #expect(loaded.bindings.count == 3)
        let kyverno = try Fixture.load(AutogenTests.policy())
        #expect(kyverno.policies[0].sourceKind == .kyvernoValidatingPolicy)
        #expect(kyverno.policies[0].validationActions == [.deny])
        #expect(kyverno.policies[0].validations[0].messageExpression != nil)
    }

    @Test func paramsAreIgnoredWithAWarning() throws {
        let result = PolicyLoader().load(yaml: """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata:
          name: with-params
        spec:
          policyName: replicas
          validationActions: [Deny]
          paramRef:
            name: limits
        """, file: "binding.yaml")
        #expect(result.errors.isEmpty)
        #expect(result.problems.contains { $0.code == "params-ignored" && $0.severity == .warning })
    }
}
