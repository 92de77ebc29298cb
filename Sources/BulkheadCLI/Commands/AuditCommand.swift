import ArgumentParser
import BulkheadKube
import BulkheadPolicy
import BulkheadRender
import Foundation

/// `bulkhead audit`: the guardrails evaluated against what already runs in a cluster.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Evaluate the guardrails against a cluster's exported live objects.",
        discussion: """
        Reads objects exported from one cluster (kubectl get -A -o yaml lists, or folders of \
        manifests; *.yaml, *.yml, *.json) and evaluates that cluster's guardrails on each, as if \
        it were created now: objects admitted before a policy existed, or while the webhook was \
        down, show up here. Namespace labels come from the exported Namespace objects when present, \
        else from the rendered declaration.

        Examples:
          kubectl get pods,deployments,services,namespaces -A -o yaml > live.yaml
          bulkhead audit examples/acme --cluster prod-euw1-1 --objects live.yaml
          bulkhead audit examples/acme --cluster prod-euw1-1 --objects live.yaml --output policyreport | kubectl apply -f -

        Output: table (failures, then a summary per tenant), json, or policyreport (a wg-policy \
        PolicyReport per namespace and a ClusterPolicyReport). Exit status 1 when an object fails \
        a Deny policy, 2 for usage errors.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, policyreport
    }

    @Argument(help: ArgumentHelp("The platform folder.", valueName: "platform-dir"), completion: .directory)
    var platformDirectory: String = "."

    @Option(name: .long, help: ArgumentHelp("A file or folder of exported objects.", valueName: "path"), completion: .file())
    var objects: String

    @Option(name: .long, help: ArgumentHelp("The cluster the objects were exported from.", valueName: "cluster"))
    var cluster: String

    @Option(name: .long, help: ArgumentHelp("A GitOps repository whose bulkhead.lock fixes placement.", valueName: "repo-dir"), completion: .directory)
    var repo: String?

    @Option(name: .shortAndLong, help: "Output format.")
    var output: Format = .table

    func run() throws {
        let pipeline = Pipeline(options: try PlatformOptions.parse([platformDirectory]))
        guard FileManager.default.fileExists(atPath: objects) else {
            throw CommandFailure.usage("error: --objects \(objects): no such file or folder")
        }
        let (read, problems) = ManifestReader.objects(at: objects)
        if !problems.isEmpty {
            throw CommandFailure.problems(problems.map(\.description).joined(separator: "\n") + "\n\(Pipeline.count(problems.count, "problem")) reading --objects; nothing was audited.")
        }
        if read.isEmpty { throw CommandFailure.usage("error: --objects \(objects): no Kubernetes objects found in *.yaml, *.yml or *.json files") }
        let (guardrails, namespaces) = try pipeline.clusterGuardrails(named: cluster, repo: repo)
        let audit = LiveObjectAudit(objects: read, gate: ClusterGate(guardrails: guardrails), renderedNamespaces: namespaces)
        switch output {
        case .policyreport:
            print(try Manifests.yaml(PolicyReports.reports(audit.findings, prefix: "bulkhead-audit", clusterReportsFor: [cluster])), terminator: "")
        case .json:
            struct Report: Encodable {
                var cluster: String
                var objects: Int
                var evaluated: Int
                var summary: PolicyReports.Summary
                var tenants: [LiveObjectAudit.TenantSummary]
                var findings: [GateFinding]
            }
            Terminal.printJSON(Report(cluster: cluster, objects: audit.objectCount, evaluated: audit.evaluatedCount,
                                      summary: .init(audit.findings), tenants: audit.tenants, findings: audit.findings))
        case .table:
            Terminal.printFindings(audit.findings)
            print("")
            let rows = [["TENANT", "OBJECTS", "PASS", "FAIL", "WARN", "ERROR", "SKIP"]] + audit.tenants.map {
                [$0.tenant, String($0.objects), String($0.summary.pass), String($0.summary.fail), String($0.summary.warn), String($0.summary.error), String($0.summary.skip)]
            }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
            for row in rows {
                let cells = row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                print(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
            print("\(audit.objectCount) objects read from \(objects), \(audit.evaluatedCount) evaluated by some policy on \(cluster).")
        }
        if audit.findings.contains(where: \.denies) { throw ExitCode(1) }
    }
}
