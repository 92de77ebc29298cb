import ArgumentParser
import BulkheadCEL
import BulkheadPolicy
import BulkheadVerify
import Foundation

/// `bulkhead verify`: the rendered repository checked against the multi-tenancy benchmark.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a rendered GitOps repository's tenant isolation, one line per check per tenant.",
        discussion: """
        Reads clusters/<cluster>/tenants/<tenant>/ and clusters/<cluster>/platform/policies/ as \
        Argo CD or Flux would sync them (hand edits included) and checks, for every tenant on every \
        cluster:
          quota               ResourceQuota limits cpu, memory, ephemeral storage
                              and object counts
          limit-range         a LimitRange gives containers default limits
          pod-security        enforce is baseline or restricted (restricted for phi)
          default-deny        a NetworkPolicy denies all ingress and egress
          network-isolation   no pod of another tenant's namespace can connect to
                              this tenant's, or back (from the NetworkPolicies)
          dns-egress          pods can reach cluster DNS in kube-system
          gateway-ingress     the gateway its HTTPRoutes attach to can reach it
          rbac                no escalate/bind/impersonate, no wildcards, no writes
                              to quotas, limit ranges, network policies, RBAC or
                              namespaces, no cluster-scoped grants
          iam                 IAM allows only the tenant's own resources and trusts
                              only EKS Pod Identity in its namespaces
          admission-policies  Deny policies reject a hostPath volume, host network,
                              host PID, a privileged container, a NodePort Service

        Examples:
          bulkhead verify out/gitops
          bulkhead verify out/gitops --cluster prod-euw1-1 --failures-only
          bulkhead verify out/gitops --output json

        Exit status 1 when a check fails, 2 for usage errors.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Argument(help: ArgumentHelp("The GitOps repository folder.", valueName: "repo-dir"), completion: .directory)
    var repository: String

    @Option(name: .long, help: ArgumentHelp("Only this cluster.", valueName: "cluster"))
    var cluster: String?

    @Option(name: .long, help: ArgumentHelp("Only this tenant.", valueName: "tenant"))
    var tenant: String?

    @Flag(name: .customLong("failures-only"), help: "Print only failed checks (and the summary).")
    var failuresOnly = false

    @Option(name: .shortAndLong, help: "Output format.")
    var output: Format = .table

    func run() throws {
        let clustersFolder = URL(fileURLWithPath: repository).appendingPathComponent("clusters")
        guard let clusterNames = try? FileManager.default.contentsOfDirectory(atPath: clustersFolder.path) else {
            throw CommandFailure.usage("error: \(repository): no clusters/ folder; is this a repository written by 'bulkhead apply'?")
        }
        let selected = clusterNames.sorted().filter { cluster == nil || $0 == cluster }
        if let cluster, selected.isEmpty { throw CommandFailure.usage("error: --cluster \(cluster): no clusters/\(cluster) in \(repository)") }
        var results: [IsolationCheck] = []
        for name in selected {
            let rendered = try Self.read(cluster: name, at: clustersFolder.appendingPathComponent(name))
            results += IsolationVerifier.verify(rendered).filter { tenant == nil || $0.tenant == tenant }
        }
        if let tenant, results.isEmpty { throw CommandFailure.usage("error: --tenant \(tenant): not rendered on \(cluster ?? "any cluster") in \(repository)") }
        let failed = results.filter { !$0.passed }
        switch output {
        case .json:
            struct Report: Encodable {
                var passed: Int
                var failed: Int
                var checks: [IsolationCheck]
            }
            Terminal.printJSON(Report(passed: results.count - failed.count, failed: failed.count, checks: failuresOnly ? failed : results))
        case .table:
            for result in results where !failuresOnly || !result.passed {
                print("\(result.passed ? "PASS" : "FAIL")  \(result.cluster)  \(result.tenant)  \(result.check): \(result.reason)")
            }
            let tenants = Set(results.map { "\($0.cluster)/\($0.tenant)" }).count
            print("\(results.count - failed.count) passed, \(failed.count) failed (\(tenants) tenant placements on \(selected.count) cluster\(selected.count == 1 ? "" : "s")).")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// One cluster's folder, parsed.
    static func read(cluster name: String, at folder: URL) throws -> RenderedCluster {
        let manager = FileManager.default
        let tenantsFolder = folder.appendingPathComponent("tenants")
        var tenants: [RenderedTenant] = []
        for tenantName in ((try? manager.contentsOfDirectory(atPath: tenantsFolder.path)) ?? []).sorted() {
            let tenantFolder = tenantsFolder.appendingPathComponent(tenantName)
            let (objects, problems) = ManifestReader.objects(at: tenantFolder.path)
            if !problems.isEmpty { throw CommandFailure.problems(problems.map(\.description).joined(separator: "\n")) }
            var iam: [String: CELValue] = [:]
            for file in ((try? manager.contentsOfDirectory(atPath: tenantFolder.path)) ?? []) where file.hasSuffix(".json") {
                let path = tenantFolder.appendingPathComponent(file).path
                do {
                    iam[file] = try CELValue(jsonData: manager.contents(atPath: path) ?? Data())
                } catch {
                    throw CommandFailure.problems("\(path): \(error.message)")
                }
            }
            tenants.append(RenderedTenant(name: tenantName, objects: objects.map(\.value), iamDocuments: iam))
        }
        let policyFolder = folder.appendingPathComponent("platform/policies").path
        var policies = PolicyLoader.Result()
        if manager.fileExists(atPath: policyFolder) {
            let files = ((try? manager.contentsOfDirectory(atPath: policyFolder)) ?? []).sorted()
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && $0 != "kustomization.yaml" }
            policies = PolicyLoader().load(files: files.map { (policyFolder as NSString).appendingPathComponent($0) })
            if !policies.errors.isEmpty {
                throw CommandFailure.problems(policies.errors.map(\.description).joined(separator: "\n") + "\n\(Pipeline.count(policies.errors.count, "problem")) in \(policyFolder).")
            }
        }
        return RenderedCluster(name: name, tenants: tenants, policies: policies.policies, bindings: policies.bindings)
    }
}
