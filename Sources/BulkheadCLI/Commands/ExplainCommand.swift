import ArgumentParser
import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain where a tenant is placed and why, and list the objects rendered for it.",
        discussion: """
        With --repo, placements recorded in that repository's bulkhead.lock are used; without it, \
        the tenant is placed as on an empty repository. Writes nothing.

        Examples:
          bulkhead explain payments examples/acme --repo out/gitops
          bulkhead explain payments examples/acme --output json
        """
    )

    @Argument(help: "The tenant to explain.")
    var tenant: String
    @OptionGroup var options: PlatformOptions
    @Option(name: .long, help: ArgumentHelp("The GitOps repository whose recorded placements to use.", valueName: "repo-dir"), completion: .directory)
    var repo: String?

    func run() throws {
        let pipeline = Pipeline(options: options)
        let declaration = try pipeline.load()
        guard let tenant = declaration.tenant(named: tenant) else {
            throw CommandFailure.usage("error: no tenant '\(self.tenant)' is declared (tenants: \(declaration.tenants.map(\.name).joined(separator: ", ")))")
        }
        let lock = try repo.map { try Pipeline.lock(in: Pipeline.repository($0)) } ?? PlacementLock()
        let placement = try pipeline.place(declaration, lock: lock)
        let decisions = placement.decisions.filter { $0.tenant == tenant.name }
        let objects = try RepositoryRenderer.objectReferences(of: tenant, placement: placement, declaration: declaration)

        struct Explanation: Encodable {
            struct Placement: Encodable {
                var environment: String
                var region: String
                var cluster: String
                var reason: String
                var candidates: [String]
            }
            var tenant: String
            var tier: String
            var requests: [String: String]
            var placements: [Placement]
            var objects: [String: [String]]
        }
        let request = declaration.requestedCapacity(of: tenant)
        let explanation = Explanation(
            tenant: tenant.name, tier: tenant.tier,
            requests: ["cpu": request.cpu.description, "memory": request.memory.binaryDescription, "pods": request.pods.description],
            placements: decisions.map { decision in
                let reason: String
                switch decision.reason {
                case .locked: reason = "kept: recorded in \(PlacementLock.fileName)"
                case .bestFit(let headroom): reason = "best fit: least headroom left (\(Int((headroom * 100).rounded()))%) among clusters where it fits"
                }
                return .init(environment: decision.placement.environment, region: decision.placement.region, cluster: decision.placement.cluster, reason: reason, candidates: decision.candidates)
            },
            objects: objects)
        switch options.output {
        case .json: Terminal.printJSON(explanation)
        case .table:
            print("Tenant \(tenant.name) (tier \(tenant.tier)) requests cpu \(explanation.requests["cpu"]!), memory \(explanation.requests["memory"]!), pods \(explanation.requests["pods"]!).")
            for placement in explanation.placements {
                print("\n\(placement.environment)/\(placement.region) -> \(placement.cluster)\n  \(placement.reason)")
                for candidate in placement.candidates { print("    \(candidate)") }
            }
            for (cluster, references) in objects.sorted(by: { $0.key < $1.key }) {
                print("\nObjects on \(cluster) (\(references.count)):")
                for reference in references { print("  \(reference)") }
            }
        }
    }
}
