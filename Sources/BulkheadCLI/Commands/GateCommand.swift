import ArgumentParser
import BulkheadCEL
import BulkheadKube
import BulkheadModel
import BulkheadPolicy
import BulkheadRender
import Foundation

/// `bulkhead gate`: the shift-left check of every guardrail policy before anything ships.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Evaluate every guardrail policy against the rendered repository and a tenant's own manifests.",
        discussion: """
        Renders the platform in memory (placement from --repo's bulkhead.lock when given) and \
        evaluates the built-in guardrails and the platform's policies/ on every rendered object, \
        exactly as each cluster's API server will. With --manifests and --tenant, the tenant's own \
        application manifests (a folder of YAML, e.g. Helm output) are evaluated as if created in \
        the tenant's namespace on every cluster it is placed on. `apply` runs the same gate on \
        what it renders and commits nothing when a Deny policy fails.

        Examples:
          bulkhead gate examples/acme
          helm template web ./chart > out/web.yaml
          bulkhead gate examples/acme --tenant web --manifests out/
          bulkhead gate examples/acme --tenant web --manifests out/ --output policyreport > reports.yaml

        Output: a table of failures, warnings and errors with a summary; json (every finding); \
        policyreport (wg-policy PolicyReport per cluster and namespace, ClusterPolicyReport for \
        cluster-scoped objects). Exit status 1 when a Deny policy fails, 2 for usage errors.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, policyreport
    }

    @Argument(help: ArgumentHelp("The platform folder.", valueName: "platform-dir"), completion: .directory)
    var platformDirectory: String = "."

    @Option(name: .long, help: ArgumentHelp("A GitOps repository whose bulkhead.lock fixes placement (read only).", valueName: "repo-dir"), completion: .directory)
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("A file or folder of the tenant's own manifests to check.", valueName: "path"), completion: .directory)
    var manifests: String?

    @Option(name: .long, help: ArgumentHelp("The tenant whose namespace the manifests are for (required with --manifests).", valueName: "tenant"))
    var tenant: String?

    @Option(name: .long, help: ArgumentHelp("Only this cluster.", valueName: "cluster"))
    var cluster: String?

    @Option(name: .shortAndLong, help: "Output format.")
    var output: Format = .table

    func validate() throws {
        if manifests != nil && tenant == nil { throw ValidationError("--manifests needs --tenant: the manifests are checked as if created in that tenant's namespace") }
        if manifests == nil && tenant != nil { throw ValidationError("--tenant is only used with --manifests") }
    }

    func run() throws {
        let pipeline = Pipeline(options: try PlatformOptions.parse([platformDirectory]))
        let declaration = try pipeline.load()
        if let cluster, declaration.clusters.first(where: { $0.name == cluster }) == nil {
            throw CommandFailure.usage("error: --cluster \(cluster): no cluster of that name is declared")
        }
        let lock = try repo.map { try Pipeline.lock(in: Pipeline.repository($0)) } ?? PlacementLock()
        let policies = try pipeline.loadPolicies()
        let rendered = try pipeline.render(declaration, lock: lock)
        var findings = rendered.findings.filter { cluster == nil || $0.cluster == cluster }
        if let manifests, let tenant {
            findings += try Self.manifestFindings(manifests, tenant: tenant, declaration: declaration, placement: rendered.placement, policies: policies, only: cluster)
        }
        try Self.print(findings, format: output)
        if findings.contains(where: \.denies) { throw ExitCode(1) }
    }

    /// Findings for the tenant's own manifests on each cluster the tenant is placed on.
    static func manifestFindings(_ path: String, tenant name: String, declaration: PlatformDeclaration, placement: PlacementResult,
                                 policies: PlatformPolicies, only: String?) throws -> [GateFinding] {
        guard let tenant = declaration.tenant(named: name) else {
            throw CommandFailure.usage("error: --tenant \(name): no tenant of that name is declared")
        }
        let (objects, problems) = ManifestReader.objects(at: path)
        if !problems.isEmpty {
            throw CommandFailure.problems(problems.map(\.description).joined(separator: "\n") + "\n\(Pipeline.count(problems.count, "problem")) reading --manifests.")
        }
        if objects.isEmpty { throw CommandFailure.usage("error: --manifests \(path): no Kubernetes objects found in *.yaml, *.yml or *.json files") }
        let placed = Set((placement.lock.placements[name] ?? []).map(\.cluster)).sorted()
        if let only, !placed.contains(only) {
            // Checking nothing would read as a pass.
            throw CommandFailure.usage("error: --cluster \(only): tenant '\(name)' is not placed there, so its manifests would not be checked; it is placed on \(placed.isEmpty ? "no cluster" : placed.joined(separator: ", "))")
        }
        let clusters = placed.filter { only == nil || $0 == only }
        var findings: [GateFinding] = []
        for clusterName in clusters {
            let cluster = declaration.clusters.first { $0.name == clusterName }!
            let gate = ClusterGate(guardrails: ClusterGuardrails(platform: declaration.platform, cluster: cluster, platformPolicies: policies))
            let bundle = try TenantBundleRenderer(declaration: declaration, tenant: tenant, cluster: cluster).render()
            let namespaceObject = try bundle.objects.first { $0.kind == "Namespace" }.map(ClusterGate.celValue) ?? .null
            for object in objects {
                findings += gate.evaluate(object.value, namespace: tenant.name, namespaceObject: namespaceObject, source: object.location.description)
            }
        }
        return findings
    }

    static func print(_ findings: [GateFinding], format: Format) throws {
        switch format {
        case .json:
            struct Report: Encodable {
                var summary: PolicyReports.Summary
                var denied: Bool
                var findings: [GateFinding]
            }
            Terminal.printJSON(Report(summary: .init(findings), denied: findings.contains(where: \.denies), findings: findings))
        case .policyreport:
            Swift.print(try Manifests.yaml(PolicyReports.reports(findings)), terminator: "")
        case .table:
            Terminal.printFindings(findings)
        }
    }
}

extension Terminal {
    /// Failures, warnings and errors, one per line, then the counts.
    static func printFindings(_ findings: [GateFinding]) {
        for finding in findings where finding.result != .pass && finding.result != .skip {
            let resource = [finding.resource.kind, finding.resource.namespace, finding.resource.name].compactMap { $0 }.joined(separator: "/")
            let label = finding.denies ? "DENY" : finding.result.rawValue.uppercased()
            print("\(label)  \(finding.cluster)  \(resource)  \(finding.policy): \(finding.message)  (\(finding.source))")
        }
        let summary = PolicyReports.Summary(findings)
        print("\(summary.pass) passed, \(summary.fail) failed, \(summary.warn) warnings, \(summary.error) errors, \(summary.skip) skipped.")
    }
}
