import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation

/// The fleet as Backstage catalog entities (`backstage.io/v1alpha1`): each cluster a Resource
/// of type `kubernetes-cluster`, each tenant a System owned by its team's Group, and the Groups.
enum CatalogExport {
    /// The Group that owns the clusters.
    static let platformGroup = "platform-team"

    /// Entities for `tenants` (already filtered by what the caller may read) as multi-document YAML.
    static func yaml(declaration: PlatformDeclaration, tenants: [Tenant], lock: PlacementLock, baseURL: String) -> String {
        var documents: [TreeNode] = []
        for cluster in declaration.clusters {
            documents.append(entity(kind: "Resource", name: cluster.name, description: "Kubernetes cluster \(cluster.name) (\(cluster.environment.rawValue), \(cluster.region))",
                                    annotations: ["bulkhead.dev/environment": cluster.environment.rawValue, "bulkhead.dev/region": cluster.region,
                                                  "bulkhead.dev/kubernetes-version": cluster.kubernetesVersion.description],
                                    links: [("\(baseURL)/v1/clusters", "Bulkhead clusters")],
                                    spec: [("type", .string("kubernetes-cluster")), ("owner", .string("group:\(platformGroup)"))]))
        }
        var teams: Set<String> = [platformGroup]
        for tenant in tenants {
            let team = groupName(tenant.team)
            teams.insert(team)
            let clusters = Set((lock.placements[tenant.name] ?? []).map(\.cluster)).sorted()
            documents.append(entity(kind: "System", name: tenant.name, description: "Bulkhead tenant \(tenant.name), tier \(tenant.tier)",
                                    annotations: ["bulkhead.dev/tier": tenant.tier, "bulkhead.dev/data-classification": tenant.dataClassification.rawValue,
                                                  "bulkhead.dev/cost-center": tenant.costCenter, "bulkhead.dev/clusters": clusters.joined(separator: ",")],
                                    links: [("\(baseURL)/v1/tenants/\(tenant.name)", "Bulkhead tenant")],
                                    spec: [("owner", .string("group:\(team)"))]))
        }
        for team in teams.sorted() {
            documents.append(entity(kind: "Group", name: team, description: "Team \(team)", annotations: [:], links: [],
                                    spec: [("type", .string("team")), ("children", .list(ListBox(items: [])))]))
        }
        return YAMLWriter.documents(documents)
    }

    static func entity(kind: String, name: String, description: String, annotations: [String: String],
                       links: [(url: String, title: String)], spec: [(String, TreeNode)]) -> TreeNode {
        var metadata: [(key: String, value: TreeNode)] = [("name", .string(name)), ("description", .string(description))]
        if !annotations.isEmpty {
            metadata.append(("annotations", .map(MapBox(entries: annotations.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))))
        }
        if !links.isEmpty {
            metadata.append(("links", .list(ListBox(items: links.map { .map(MapBox(entries: [("url", .string($0.url)), ("title", .string($0.title))])) }))))
        }
        return .map(MapBox(entries: [("apiVersion", .string("backstage.io/v1alpha1")), ("kind", .string(kind)),
                                     ("metadata", .map(MapBox(entries: metadata))), ("spec", .map(MapBox(entries: spec.map { ($0.0, $0.1) })))]))
    }

    /// A team name as a Backstage entity name: lowercase letters, digits and `-`.
    static func groupName(_ team: String) -> String {
        let mapped = String(team.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return mapped.isEmpty ? "unknown-team" : String(mapped.prefix(63))
    }
}
