import BulkheadVerify
import Foundation
import Testing

/// `bulkhead verify` on the rendered example passes every check; each mutation of a rendered
/// bundle (the default deny dropped, a path opened between two tenants, a wildcard RBAC rule,
/// an IAM resource widened to `*`) fails exactly the checks it breaks, for exactly those tenants.
@Suite(.serialized) struct VerifyTests {
    static let cluster = "dev-euw1-1"

    /// A freshly applied example repository.
    static func repository() throws -> URL {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        let applied = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(applied.status == 0, "\(applied.stderr)")
        return repo
    }

    static func tenantFile(_ repo: URL, _ tenant: String, _ file: String) -> URL {
        repo.appendingPathComponent("clusters/\(cluster)/tenants/\(tenant)/\(file)")
    }

    static func edit(_ url: URL, _ change: (String) -> String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the mutation changed nothing in \(url.lastPathComponent)")
        try changed.write(to: url, atomically: true, encoding: .utf8)
    }

    /// The failed (tenant, check) pairs on the cluster.
    static func failures(_ repo: URL) throws -> Set<String> {
        let run = try CLI.bulkhead("verify", repo.path, "--cluster", cluster, "--output", "json", "--failures-only")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(run.status == (checks.isEmpty ? 0 : 1))
        return Set(checks.map { "\($0["tenant"] as? String ?? "")/\($0["check"] as? String ?? "")" })
    }

    @Test func theRenderedExamplePassesEveryCheck() throws {
        let repo = try Self.repository()
        let run = try CLI.bulkhead("verify", repo.path)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains(" 0 failed"))
        for check in IsolationVerifier.checks {
            #expect(run.stdout.contains("PASS  \(Self.cluster)  web  \(check):"), "no line for \(check)")
        }
    }

    @Test func droppingTheDefaultDenyFailsOnlyThatCheck() throws {
        let repo = try Self.repository()
        try Self.edit(Self.tenantFile(repo, "web", "bundle.yaml")) { text in
            text.components(separatedBy: "\n---\n").filter { !$0.contains("name: default-deny") }.joined(separator: "\n---\n")
        }
        #expect(try Self.failures(repo) == ["web/default-deny"])
    }

    @Test func aDefaultDenyWithoutPolicyTypesDeniesIngressOnly() throws {
        // With no policyTypes and no egress rules, the API server makes the policy Ingress only.
        let repo = try Self.repository()
        try Self.edit(Self.tenantFile(repo, "web", "bundle.yaml")) { text in
            text.replacingOccurrences(of: "  name: default-deny\n  namespace: web\nspec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n  - Egress\n",
                                      with: "  name: default-deny\n  namespace: web\nspec:\n  podSelector: {}\n  egress: []\n")
        }
        #expect(try Self.failures(repo) == ["web/default-deny"])
    }

    @Test func openingAPathBetweenTwoTenantsFailsIsolationForBoth() throws {
        let repo = try Self.repository()
        // web admits ingress from every namespace; catalog may send egress to every namespace.
        let policy = { (name: String, namespace: String, rule: String) in
            "\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: \(namespace)}\nspec:\n  podSelector: {}\n  \(rule)\n"
        }
        try Self.edit(Self.tenantFile(repo, "web", "bundle.yaml")) { $0 + policy("open-ingress", "web", "policyTypes: [Ingress]\n  ingress: [{from: [{namespaceSelector: {}}]}]") }
        #expect(try Self.failures(repo) == [], "one side open is not a path")
        try Self.edit(Self.tenantFile(repo, "catalog", "bundle.yaml")) { $0 + policy("open-egress", "catalog", "policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {matchLabels: {bulkhead.dev/tenant: web}}}]}]") }
        #expect(try Self.failures(repo) == ["web/network-isolation", "catalog/network-isolation"])
    }

    @Test func aWildcardRBACRuleFailsOnlyRBAC() throws {
        let repo = try Self.repository()
        try Self.edit(Self.tenantFile(repo, "web", "bundle.yaml")) { text in
            text.replacingOccurrences(of: "  name: tenant-admin\n  namespace: web\nrules:\n",
                                      with: "  name: tenant-admin\n  namespace: web\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n")
        }
        #expect(try Self.failures(repo) == ["web/rbac"])
    }

    @Test func anIAMResourceWidenedToAStarFailsOnlyIAM() throws {
        let repo = try Self.repository()
        try Self.edit(Self.tenantFile(repo, "catalog", "permissions-policy.json")) { text in
            guard let range = text.range(of: #""arn:aws:s3:::[^"]*""#, options: .regularExpression) else { return text }
            return text.replacingCharacters(in: range, with: #""*""#)
        }
        #expect(try Self.failures(repo) == ["catalog/iam"])
    }

    @Test func aWriteGrantOnNetworkPoliciesFailsRBAC() throws {
        let repo = try Self.repository()
        try Self.edit(Self.tenantFile(repo, "web", "bundle.yaml")) { text in
            text.replacingOccurrences(of: "  name: tenant-admin\n  namespace: web\nrules:\n",
                                      with: "  name: tenant-admin\n  namespace: web\nrules:\n- apiGroups: [networking.k8s.io]\n  resources: [networkpolicies]\n  verbs: [create]\n")
        }
        #expect(try Self.failures(repo) == ["web/rbac"])
    }
}
