import Foundation
import Testing

/// The shift-left gate end to end: `bulkhead gate` on a tenant's manifests, `apply` refusing to
/// commit what a Deny policy rejects, and policy files with errors pointing inside expressions.
@Suite(.serialized) struct GateTests {
    static let badManifests = """
    apiVersion: v1
    kind: Pod
    metadata: {name: debug, labels: {bulkhead.dev/tenant: web, bulkhead.dev/team: marketing}}
    spec:
      hostNetwork: true
      containers:
      - {name: sh, image: ghcr.io/acme/tools:1.0, resources: {limits: {memory: 64Mi}}}
    """

    @Test func gateRejectsATenantsBadManifestAndWritesPolicyReports() throws {
        let folder = try CLI.temporaryFolder()
        try Data(Self.badManifests.utf8).write(to: folder.appendingPathComponent("debug.yaml"))
        let table = try CLI.bulkhead("gate", CLI.example.path, "--tenant", "web", "--manifests", folder.path, "--cluster", "prod-euw1-1")
        #expect(table.status == 1)
        let denials = table.stdout.split(separator: "\n").filter { $0.hasPrefix("DENY") }
        #expect(denials.count == 1 && denials[0].contains("Pod/web/debug  bulkhead-host-namespaces"), "\(table.stdout)")
        let reports = try CLI.bulkhead("gate", CLI.example.path, "--tenant", "web", "--manifests", folder.path, "--cluster", "prod-euw1-1", "--output", "policyreport")
        #expect(reports.status == 1)
        #expect(reports.stdout.contains("kind: PolicyReport\nmetadata:"))
        #expect(reports.stdout.contains("result: fail"))
        // A cluster the tenant is not on would check nothing, which must not read as a pass.
        let elsewhere = try CLI.bulkhead("gate", CLI.example.path, "--tenant", "web", "--manifests", folder.path, "--cluster", "prod-use1-phi1")
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("not placed there") && elsewhere.stderr.contains("prod-euw1-1"), "\(elsewhere.stdout)\(elsewhere.stderr)")
        // Without the bad manifest, the rendered repository alone passes.
        let clean = try CLI.bulkhead("gate", CLI.example.path)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains(" 0 failed"))
    }

    @Test func applyRefusesWhatADenyPolicyRejectsAndWritesNothing() throws {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        let head = try CLI.git(repo, "rev-parse", "HEAD")
        let before = try CLI.snapshot(repo)
        // A platform policy that every rendered ResourceQuota violates.
        try Data("""
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: acme-tiny-quotas}
        spec:
          matchConstraints:
            resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [resourcequotas]}]
          validations:
          - expression: "!has(object.spec.hard.pods) || int(object.spec.hard.pods) <= 1"
            message: at most one pod per tenant
        """.utf8).write(to: platform.appendingPathComponent("policies/tiny.yaml"))
        let run = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("acme-tiny-quotas: at most one pod per tenant"))
        #expect(run.stderr.contains("rejected by Deny policies"))
        #expect(try CLI.git(repo, "rev-parse", "HEAD") == head)
        #expect(try CLI.snapshot(repo) == before)
    }

    @Test func aPolicyExpressionErrorPointsInsideTheExpression() throws {
        let platform = try CLI.copyOfExample()
        try Data("""
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: acme-broken}
        spec:
          matchConstraints:
            resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
          validations:
          - expression: "object.spec.containers.all(c, c.image.startsWith(1))"
        """.utf8).write(to: platform.appendingPathComponent("policies/broken.yaml"))
        let run = try CLI.bulkhead("validate", platform.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("policies/broken.yaml:8:"), "\(run.stdout)")
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        let apply = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(apply.status == 1)
        #expect(!FileManager.default.fileExists(atPath: repo.appendingPathComponent("bulkhead.lock").path))
    }
}
