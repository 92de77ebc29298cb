public import BulkheadModel
import BulkheadKube

/// How much of one cluster's budget the tenants placed on it ask for.
public struct ClusterUsage: Sendable, Hashable {
    public var cluster: String
    /// `capacity × overcommit`, what the placer lets quota requests add up to.
    public var budget: Capacity
    /// The sum of the effective quota requests (requests.cpu, requests.memory, pods) of the
    /// tenants the lock places on the cluster.
    public var used: Capacity
    /// The tenants counted in `used`, sorted.
    public var tenants: [String]

    /// What is left of the budget; negative in a dimension where the cluster is over budget.
    public var free: Capacity { budget - used }

    /// Per cluster of the declaration, in its order: the budget and what the placed tenants use
    /// of it. Placements of tenants or on clusters the declaration no longer has are ignored,
    /// and a tenant counts once per cluster, as `Placer` counts it.
    public static func of(_ declaration: PlatformDeclaration, lock: PlacementLock) -> [ClusterUsage] {
        var used: [String: Capacity] = [:]
        var tenants: [String: [String]] = [:]
        for tenant in declaration.tenants {
            let request = declaration.requestedCapacity(of: tenant)
            for cluster in Set((lock.placements[tenant.name] ?? []).map(\.cluster)) {
                used[cluster, default: .zero] = used[cluster, default: .zero] + request
                tenants[cluster, default: []].append(tenant.name)
            }
        }
        return declaration.clusters.map { cluster in
            ClusterUsage(cluster: cluster.name, budget: cluster.budget, used: used[cluster.name] ?? .zero,
                         tenants: (tenants[cluster.name] ?? []).sorted())
        }
    }

    /// The share of the budget used in each dimension (0 when the budget is 0); above 1 when
    /// over budget.
    public var shares: (cpu: Double, memory: Double, pods: Double) {
        func share(_ used: Quantity, _ budget: Quantity) -> Double {
            budget.millis <= 0 ? 0 : Double(used.millis) / Double(budget.millis)
        }
        return (share(used.cpu, budget.cpu), share(used.memory, budget.memory), share(used.pods, budget.pods))
    }
}
