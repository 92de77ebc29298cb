import Foundation
import Testing

/// The webhook's certificates and configuration as a platform engineer sets them up, and the
/// audit of exported live objects.
@Suite(.serialized) struct WebhookAndAuditTests {
    static let liveObjects = """
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Namespace
      metadata:
        name: web
        labels: {bulkhead.dev/tenant: web, bulkhead.dev/team: marketing, pod-security.kubernetes.io/enforce: baseline}
    - apiVersion: v1
      kind: Pod
      metadata: {name: debug, namespace: web, labels: {bulkhead.dev/tenant: web, bulkhead.dev/team: marketing}}
      spec:
        hostPID: true
        containers:
        - {name: c, image: ghcr.io/acme/tools:1.0, resources: {limits: {memory: 64Mi}}}
    - apiVersion: v1
      kind: Service
      metadata: {name: exposed, namespace: web}
      spec: {type: NodePort, ports: [{port: 80}]}
    - apiVersion: v1
      kind: Pod
      metadata: {name: coredns, namespace: kube-system}
      spec: {hostNetwork: true, containers: [{name: c, image: coredns:1.11}]}
    """

    @Test func certsThenPlatformWebhookRendersAConfigurationWithTheCABundle() throws {
        let platform = try CLI.copyOfExample()
        let certs = platform.deletingLastPathComponent().appendingPathComponent("certs")
        let made = try CLI.bulkhead("webhook", "certs", "--out", certs.path, "--namespace", "guard", "--service", "hook")
        #expect(made.status == 0, "\(made.stderr)")
        let bundle = Data(try Data(contentsOf: certs.appendingPathComponent("ca.crt"))).base64EncodedString()
        #expect(made.stdout.contains("caBundle: \(bundle)"))
        #expect(try CLI.bulkhead("webhook", "certs", "--out", certs.path).status == 2, "existing certificates are not overwritten")

        let platformFile = platform.appendingPathComponent("platform.yaml")
        let text = try String(contentsOf: platformFile, encoding: .utf8)
        try text.replacingOccurrences(of: "\nspec:\n", with: "\nspec:\n  webhook:\n    caBundle: \(bundle)\n    namespace: guard\n    service: hook\n")
            .write(to: platformFile, atomically: true, encoding: .utf8)
        let repo = platform.deletingLastPathComponent().appendingPathComponent("gitops")
        let applied = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(applied.status == 0, "\(applied.stderr)")
        let rendered = try String(contentsOf: repo.appendingPathComponent("clusters/prod-euw1-1/platform/webhook.yaml"), encoding: .utf8)
        for expected in ["kind: ValidatingWebhookConfiguration", "caBundle: \(bundle)", "namespace: guard", "name: hook", "path: /validate",
                         "failurePolicy: Ignore", "sideEffects: None", "timeoutSeconds: 5", "{key: bulkhead.dev/tenant, operator: Exists}", #""pods", "services""#] {
            #expect(rendered.contains(expected), "webhook.yaml lacks \(expected)")
        }
        let kustomization = try String(contentsOf: repo.appendingPathComponent("clusters/prod-euw1-1/platform/kustomization.yaml"), encoding: .utf8)
        #expect(kustomization.contains("webhook.yaml"))

        try text.replacingOccurrences(of: "\nspec:\n", with: "\nspec:\n  webhook:\n    caBundle: bm90IGEgY2VydA==\n")
            .write(to: platformFile, atomically: true, encoding: .utf8)
        let refused = try CLI.bulkhead("validate", platform.path)
        #expect(refused.status == 1)
        let output = refused.stdout + refused.stderr
        #expect(output.contains("platform.yaml:") && output.contains("spec.webhook.caBundle: not a base64-encoded PEM certificate"), "\(output)")
    }

    @Test func auditReportsViolationsPerTenantAndWritesPolicyReports() throws {
        let folder = try CLI.temporaryFolder()
        let live = folder.appendingPathComponent("live.yaml")
        try Self.liveObjects.write(to: live, atomically: true, encoding: .utf8)

        let table = try CLI.bulkhead("audit", CLI.example.path, "--cluster", "prod-euw1-1", "--objects", live.path)
        #expect(table.status == 1)
        #expect(table.stdout.contains("DENY  prod-euw1-1  Pod/web/debug  bulkhead-host-namespaces:"))
        #expect(table.stdout.contains("(\(live.path):9:3)"), "the finding points at the list item")
        #expect(table.stdout.contains("DENY  prod-euw1-1  Service/web/exposed  bulkhead-service-types:"))
        #expect(!table.stdout.contains("coredns"), "kube-system is not a tenant namespace")
        let webRow = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("web ") })
        let cells = webRow.split(separator: " ").map(String.init)  // TENANT OBJECTS PASS FAIL WARN ERROR SKIP
        #expect(cells.count == 7 && cells[1] == "2" && cells[3] == "2", "\(webRow)")

        let reports = try CLI.bulkhead("audit", CLI.example.path, "--cluster", "prod-euw1-1", "--objects", live.path, "--output", "policyreport")
        #expect(reports.stdout.contains("kind: ClusterPolicyReport"))
        #expect(reports.stdout.contains("kind: PolicyReport"))
        #expect(reports.stdout.contains("name: bulkhead-audit-prod-euw1-1"))
        #expect(reports.stdout.contains("result: fail"))

        let missing = try CLI.bulkhead("audit", CLI.example.path, "--cluster", "prod-euw1-1", "--objects", folder.appendingPathComponent("nope").path)
        #expect(missing.status == 2 && missing.stderr.contains("no such file or folder"))
        let wrongCluster = try CLI.bulkhead("audit", CLI.example.path, "--cluster", "nowhere", "--objects", live.path)
        #expect(wrongCluster.status == 2 && wrongCluster.stderr.contains("no cluster of that name"))
    }

    @Test func verifyFailsAdmissionPoliciesWhenTheHostPathPolicyIsRemoved() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        #expect(try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path).status == 0)
        let policies = repo.appendingPathComponent("clusters/dev-euw1-1/platform/policies")
        for name in ["bulkhead-host-path.yaml", "bulkhead-volume-types.yaml"] {
            try? FileManager.default.removeItem(at: policies.appendingPathComponent(name))
        }
        let run = try CLI.bulkhead("verify", repo.path, "--cluster", "dev-euw1-1", "--failures-only")
        #expect(run.status == 1)
        let failed = run.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(!failed.isEmpty && failed.allSatisfy { $0.contains("admission-policies: no Deny policy rejects a hostPath volume") }, "\(failed)")
    }
}
