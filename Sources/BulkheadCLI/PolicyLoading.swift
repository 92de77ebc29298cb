import BulkheadCEL
import BulkheadKube
import BulkheadModel
import BulkheadPolicy
import BulkheadRender
import Foundation

extension Pipeline {
    /// The platform's policy files (`policies/*.yaml`), loaded and type-checked, with the problems
    /// as declaration problems (file:line:column inside the expression).
    func policyFiles() throws -> (policies: PlatformPolicies, problems: [Problem]) {
        let folder = URL(fileURLWithPath: options.platformDirectory)
        do {
            let (policies, problems) = try PlatformPolicies.load(folder: folder, displayPrefix: folder.relativePath)
            return (policies, problems.map(Self.problem))
        } catch {
            throw CommandFailure.usage("error: \(error.description)")
        }
    }

    /// The platform's policies; throws (after printing warnings) when a policy file has errors.
    func loadPolicies() throws -> PlatformPolicies {
        let (policies, problems) = try policyFiles()
        for problem in problems where problem.severity == .warning { Terminal.error(problem.description) }
        let errors = problems.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw CommandFailure.problems(errors.map(\.description).joined(separator: "\n") + "\n\(Self.count(errors.count, "problem")) in policy files; nothing was written.")
        }
        return policies
    }

    /// One cluster's guardrails (built-in and platform policies) and the rendered Namespace
    /// objects of the tenants placed on it (placement from `repo`'s lock when given), as the
    /// webhook and the audit evaluate them.
    func clusterGuardrails(named name: String, repo: String?) throws -> (guardrails: ClusterGuardrails, namespaces: [String: CELValue]) {
        let declaration = try load()
        guard let cluster = declaration.clusters.first(where: { $0.name == name }) else {
            throw CommandFailure.usage("error: --cluster \(name): no cluster of that name is declared (declared: \(declaration.clusters.map(\.name).sorted().joined(separator: ", ")))")
        }
        let policies = try loadPolicies()
        let lock = try repo.map { try Pipeline.lock(in: Pipeline.repository($0)) } ?? PlacementLock()
        let placement = Placer.place(declaration, lock: lock)
        var namespaces: [String: CELValue] = [:]
        for tenant in declaration.tenants where (placement.lock.placements[tenant.name] ?? []).contains(where: { $0.cluster == name }) {
            let bundle = try TenantBundleRenderer(declaration: declaration, tenant: tenant, cluster: cluster).render()
            for object in bundle.objects where object.kind == "Namespace" {
                namespaces[object.metadata.name] = try ClusterGate.celValue(object)
            }
        }
        return (ClusterGuardrails(platform: declaration.platform, cluster: cluster, platformPolicies: policies), namespaces)
    }

    static func problem(_ problem: PolicyProblem) -> Problem {
        Problem(problem.code, problem.message, at: BulkheadModel.SourceLocation(file: problem.file, line: problem.line, column: problem.column),
                severity: problem.severity == .error ? .error : .warning)
    }
}
