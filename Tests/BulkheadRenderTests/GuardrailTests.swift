@testable import BulkheadModel
import BulkheadCEL
import BulkheadKube
import BulkheadPolicy
@testable import BulkheadRender
import Foundation
import Testing

/// The built-in guardrail bundle and the gate: every built-in policy compiles, each one rejects
/// exactly the violation it is about and admits a compliant pod, and rendered objects pass.
@Suite struct GuardrailTests {
    static func example() throws -> PlatformDeclaration {
        try #require(ExampleSnapshotTests.load().declaration)
    }

    static func gate(_ declaration: PlatformDeclaration, cluster name: String = "prod-euw1-1", policies: PlatformPolicies = .none) throws -> ClusterGate {
        let cluster = try #require(declaration.clusters.first { $0.name == name })
        let guardrails = ClusterGuardrails(platform: declaration.platform, cluster: cluster, platformPolicies: policies)
        #expect(guardrails.builtInProblems.isEmpty, "\(guardrails.builtInProblems)")
        return ClusterGate(guardrails: guardrails)
    }

    /// The Namespace object Bulkhead renders for `tenant` on `cluster`, as a CEL value.
    static func namespace(_ declaration: PlatformDeclaration, tenant: String, cluster: String = "prod-euw1-1") throws -> CELValue {
        let bundle = try TenantBundleRenderer(declaration: declaration, tenant: try #require(declaration.tenant(named: tenant)),
                                              cluster: try #require(declaration.clusters.first { $0.name == cluster })).render()
        return try ClusterGate.celValue(try #require(bundle.objects.first { $0.kind == "Namespace" }))
    }

    /// The gate reads a rendered object from the same encoding the YAML file is written from;
    /// that must be the value the API server decodes from the object's JSON. Checked for every
    /// object of every tenant on every cluster of the example, against Foundation's JSONEncoder.
    @Test func gateSeesRenderedObjectsAsTheirJSON() throws {
        let declaration = try Self.example()
        let placement = try RepositoryRenderer.place(declaration, lock: PlacementLock())
        var compared = 0
        for (tenantName, entries) in placement.lock.placements {
            let tenant = try #require(declaration.tenant(named: tenantName))
            for clusterName in Set(entries.map(\.cluster)) {
                let cluster = try #require(declaration.clusters.first { $0.name == clusterName })
                for object in try TenantBundleRenderer(declaration: declaration, tenant: tenant, cluster: cluster).render().objects {
                    let viaJSON = try CELValue(jsonData: JSONEncoder().encode(object))
                    #expect(try ClusterGate.celValue(object) == viaJSON, "\(object.reference) on \(clusterName)")
                    compared += 1
                }
            }
        }
        #expect(compared > 500)
    }

    /// JSON has one number type; the API server decodes a whole number as an int.
    @Test func encodedWholeNumberDoublesAreIntsAsInJSON() {
        #expect(CELValue(encoded: .double(2)) == .int(2))
        #expect(CELValue(encoded: .double(2.5)) == .double(2.5))
        #expect(CELValue(encoded: .double(2)) == (try? CELValue(jsonData: JSONEncoder().encode(2.0))), "JSONEncoder writes 2.0 as 2")
    }

    static func object(_ yaml: String) throws -> CELValue {
        try #require(try ManifestReader.objects(yaml: yaml, file: "test.yaml").first).value
    }

    /// A pod that satisfies every built-in policy in tenant `catalog`'s namespace (standard tier: Pod Security restricted).
    static func compliantPod(_ change: (inout String) -> Void = { _ in }) -> String {
        var yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: app
          labels: {bulkhead.dev/tenant: catalog, bulkhead.dev/team: shop}
        spec:
          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
          containers:
          - name: app
            image: ghcr.io/acme/app:1.0
            securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
            resources: {limits: {memory: 128Mi}}
        """
        change(&yaml)
        return yaml
    }

    static func denied(_ findings: [GateFinding]) -> Set<String> { Set(findings.filter(\.denies).map(\.policy)) }

    @Test func theBuiltInBundleCompilesAndCoversTheBenchmarkChecks() throws {
        let declaration = try Self.example()
        for cluster in declaration.clusters {
            let guardrails = ClusterGuardrails(platform: declaration.platform, cluster: cluster, platformPolicies: .none)
            #expect(guardrails.builtInProblems.isEmpty, "\(guardrails.builtInProblems)")
            #expect(guardrails.policies.count >= 16)
            #expect(guardrails.policies.allSatisfy { $0.isCompiled })
            #expect(Set(guardrails.bindings.map(\.policyName)) == Set(guardrails.policies.map(\.name)))
        }
    }

    @Test func aCompliantPodPassesEveryPolicy() throws {
        let declaration = try Self.example()
        let findings = try Self.gate(declaration).evaluate(try Self.object(Self.compliantPod()), namespace: "catalog",
                                                           namespaceObject: try Self.namespace(declaration, tenant: "catalog"), source: "test")
        #expect(!findings.isEmpty)
        #expect(findings.allSatisfy { $0.result == .pass }, "\(findings.filter { $0.result != .pass })")
    }

    /// Each violation is caught by its own policy and by no other.
    @Test(arguments: [
        ("hostNetwork", "  securityContext: {runAsNonRoot", "  hostNetwork: true\n  securityContext: {runAsNonRoot", "bulkhead-host-namespaces"),
        ("hostPath", "  containers:", "  volumes: [{name: h, hostPath: {path: /etc}}]\n  containers:", "bulkhead-host-path"),
        ("privileged", "allowPrivilegeEscalation: false,", "allowPrivilegeEscalation: false, privileged: true,", "bulkhead-privileged"),
        ("escalation", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "bulkhead-privilege-escalation"),
        ("root", "runAsNonRoot: true", "runAsNonRoot: false", "bulkhead-run-as-non-root"),
        ("seccomp", "type: RuntimeDefault", "type: Unconfined", "bulkhead-seccomp"),
        ("capabilities", "drop: [ALL]", "drop: [ALL], add: [NET_ADMIN]", "bulkhead-capabilities-restricted"),
        ("registry", "ghcr.io/acme/app:1.0", "docker.io/library/nginx:1.27", "bulkhead-allowed-registries"),
        ("labels", "bulkhead.dev/team: shop", "bulkhead.dev/team: someone-else", "bulkhead-required-labels"),
        ("hostPort", "    resources:", "    ports: [{containerPort: 80, hostPort: 80}]\n    resources:", "bulkhead-host-ports"),
    ])
    func eachViolationIsCaughtByItsPolicy(_ name: String, _ old: String, _ new: String, _ policy: String) throws {
        let declaration = try Self.example()
        let pod = Self.compliantPod { $0 = $0.replacingOccurrences(of: old, with: new) }
        #expect(pod != Self.compliantPod(), "the mutation '\(name)' must change the pod")
        let findings = try Self.gate(declaration).evaluate(try Self.object(pod), namespace: "catalog",
                                                           namespaceObject: try Self.namespace(declaration, tenant: "catalog"), source: "test")
        var expected: Set<String> = [policy]
        // A capability outside the baseline list breaks both capability policies, and hostPath is
        // also not a volume type the restricted level allows.
        if name == "capabilities" { expected.insert("bulkhead-capabilities-baseline") }
        if name == "hostPath" { expected.insert("bulkhead-volume-types") }
        #expect(Self.denied(findings) == expected)
    }

    @Test func servicesFollowTheQuotaAndRoutesTheGatewayAndTenantPrefix() throws {
        let declaration = try Self.example()
        let gate = try Self.gate(declaration)
        let namespace = try Self.namespace(declaration, tenant: "web")
        let loadBalancer = try Self.object("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, ports: [{port: 80}]}")
        #expect(Self.denied(gate.evaluate(loadBalancer, namespace: "web", namespaceObject: namespace, source: "t")) == ["bulkhead-service-types"])
        let clusterIP = try Self.object("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}")
        #expect(Self.denied(gate.evaluate(clusterIP, namespace: "web", namespaceObject: namespace, source: "t")).isEmpty)
        let cluster = try #require(declaration.clusters.first { $0.name == "prod-euw1-1" })
        func route(gateway: String, path: String) throws -> CELValue {
            try Self.object("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r}
            spec:
              parentRefs: [{name: \(gateway), namespace: \(cluster.gateway.namespace)}]
              rules: [{matches: [{path: {type: PathPrefix, value: \(path)}}]}]
            """)
        }
        #expect(Self.denied(gate.evaluate(try route(gateway: cluster.gateway.name, path: "/web/api"), namespace: "web", namespaceObject: namespace, source: "t")).isEmpty)
        #expect(Self.denied(gate.evaluate(try route(gateway: "other", path: "/web/api"), namespace: "web", namespaceObject: namespace, source: "t")) == ["bulkhead-route-gateway"])
        #expect(Self.denied(gate.evaluate(try route(gateway: cluster.gateway.name, path: "/billing/api"), namespace: "web", namespaceObject: namespace, source: "t")) == ["bulkhead-route-paths"])
    }

    @Test func theRenderedExamplePassesItsOwnGate() throws {
        let rendered = try ExampleSnapshotTests.renderExample()
        #expect(rendered.findings.count > 100)
        #expect(rendered.findings.filter { $0.result != .pass }.isEmpty, "\(rendered.findings.filter { $0.result != .pass })")
        #expect(rendered.files.keys.contains("clusters/prod-euw1-1/platform/policies/bulkhead-privileged.yaml"))
        #expect(rendered.files.keys.contains("clusters/prod-euw1-1/platform/policies/acme-require-memory-limits.yaml"))
    }

    @Test func policyReportsCountEachResultAndSplitByNamespace() throws {
        let finding = GateFinding(cluster: "c1", resource: .init(apiVersion: "v1", kind: "Pod", namespace: "web", name: "p"), policy: "p1",
                                  binding: nil, result: .fail, message: "no", denies: true, source: "f")
        var passed = finding
        passed.result = .pass
        var namespaceFinding = finding
        namespaceFinding.resource = .init(apiVersion: "v1", kind: "Namespace", namespace: nil, name: "web")
        let reports = PolicyReports.reports([finding, passed, namespaceFinding])
        #expect(reports.map(\.kind) == ["ClusterPolicyReport", "PolicyReport"])
        #expect(reports[1].metadata.namespace == "web")
        #expect(PolicyReports.Summary([finding, passed, namespaceFinding]) == {
            var summary = PolicyReports.Summary([])
            summary.pass = 1
            summary.fail = 2
            return summary
        }())
    }
}
