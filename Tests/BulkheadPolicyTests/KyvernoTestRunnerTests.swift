import BulkheadPolicy
import Foundation
import Testing

/// The suite runner on a suite written here: expected results, a wrong expectation, a policy
/// needing a live cluster and a ClusterPolicy, which are skipped with the reason.
@Suite struct KyvernoTestRunnerTests {
    static let files: [String: String] = [
        "policies.yaml": """
        apiVersion: policies.kyverno.io/v1alpha1
        kind: ValidatingPolicy
        metadata:
          name: require-team
        spec:
          validationActions: [Audit]
          matchConstraints:
            resourceRules:
              - apiGroups: [""]
                apiVersions: ["v1"]
                operations: ["CREATE", "UPDATE"]
                resources: ["pods"]
          validations:
            - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
              message: a team label is required
        ---
        apiVersion: policies.kyverno.io/v1alpha1
        kind: ValidatingPolicy
        metadata:
          name: allowed-registries
        spec:
          matchConstraints:
            resourceRules:
              - apiGroups: [""]
                apiVersions: ["v1"]
                operations: ["CREATE"]
                resources: ["pods"]
          validations:
            - expression: >-
                object.spec.containers.all(c, resource.Get("v1", "configmaps", "kyverno", "registries")
                .data.allowed.split(",").exists(r, c.image.startsWith(r)))
        ---
        apiVersion: kyverno.io/v1
        kind: ClusterPolicy
        metadata:
          name: legacy
        spec:
          rules: []
        """,
        ".kyverno-test/resources.yaml": """
        apiVersion: v1
        kind: Pod
        metadata:
          name: labelled
          labels:
            team: shop
        spec:
          containers:
            - name: app
              image: nginx:1.27
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: unlabelled
        spec:
          containers:
            - name: app
              image: nginx:1.27
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: shop
        spec:
          template:
            metadata:
              labels:
                team: shop
            spec:
              containers:
                - name: app
                  image: nginx:1.27
        """,
        ".kyverno-test/kyverno-test.yaml": """
        apiVersion: cli.kyverno.io/v1alpha1
        kind: Test
        metadata:
          name: sample
        policies:
          - ../policies.yaml
        resources:
          - resources.yaml
        results:
          - policy: require-team
            isValidatingPolicy: true
            kind: Pod
            resources: [labelled]
            result: pass
          - policy: require-team
            isValidatingPolicy: true
            kind: Pod
            resources: [unlabelled]
            result: fail
          - policy: require-team
            isValidatingPolicy: true
            kind: Deployment
            resources: [shop]
            result: pass
          - policy: require-team
            isValidatingPolicy: true
            kind: Pod
            resources: [labelled]
            result: fail
          - policy: allowed-registries
            isValidatingPolicy: true
            kind: Pod
            resources: [labelled]
            result: pass
          - policy: legacy
            rule: something
            kind: Pod
            resources: [labelled]
            result: pass
          - policy: require-team
            isValidatingPolicy: true
            kind: Pod
            resources: [missing]
            result: pass
        """,
    ]

    static func writeSuite() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-policy-\(UUID().uuidString)")
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return folder.path
    }

    @Test func runsFindsAndReportsSuites() throws {
        let folder = try Self.writeSuite()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let suites = KyvernoTestRunner.findSuites(under: folder)
        #expect(suites == [folder + "/.kyverno-test/kyverno-test.yaml"])
        let report = KyvernoTestRunner().run(suiteAt: suites[0])
        #expect((report.passed, report.failed, report.skipped) == (3, 2, 2))
        #expect(report.summary(displayPath: "sample") == "suite sample: 3 passed, 2 failed, 2 skipped")
        let details = report.details.joined(separator: "\n")
        #expect(details.contains("FAIL require-team Pod/labelled: expected fail, got pass"))
        #expect(details.contains("FAIL require-team Pod/missing: expected pass, got nothing: no Pod named 'missing'"))
        #expect(details.contains("SKIP allowed-registries Pod/labelled: needs a live cluster or network: the policy calls resource.Get"))
        #expect(details.contains("SKIP legacy Pod/labelled: ClusterPolicy (kyverno.io/v1) is not evaluated here"))
    }
}
