public import BulkheadKube
public import BulkheadModel

/// Karpenter objects for one cluster: one EC2NodeClass, a NodePool per shared tier with tenants
/// there, and a tainted NodePool per dedicated-nodes tenant. Fields follow the cluster's declared
/// Karpenter version; hybrid clusters and clusters without Karpenter get none.
public struct NodeCapacityRenderer: Sendable {
    public let cluster: Cluster
    /// The tiers and tenants placed on the cluster.
    public let tenants: [(tenant: Tenant, tier: Tier)]

    public init(cluster: Cluster, tenants: [(tenant: Tenant, tier: Tier)]) {
        self.cluster = cluster
        self.tenants = tenants
    }

    public static let nodeClassName = "bulkhead"

    /// What a dedicated-nodes tenant's pods carry to land on their pool: this nodeSelector …
    public static func nodeSelector(tenant: String) -> [String: String] { [BulkheadLabels.tenant: tenant] }
    /// … and a toleration of this taint.
    public static func taint(tenant: String) -> Taint { Taint(key: BulkheadLabels.tenant, value: tenant, effect: "NoSchedule") }

    /// The objects and any warnings (e.g. a capacity type the declared version cannot use).
    public func render() -> (objects: [any KubeObject], warnings: [String]) {
        guard cluster.location != .hybrid else { return ([], []) }
        guard let version = cluster.karpenterVersion else { return ([], []) }
        var warnings: [String] = []
        let supportsReserved = version >= AddonSupport.karpenterReservedCapacity
        var usesReserved = false
        var pools: [any KubeObject] = []

        func requirements(for tier: Tier) -> [NodeSelectorRequirement] {
            var types = tier.capacityTypes
            if types.contains(.reserved) {
                if supportsReserved {
                    usesReserved = true
                } else {
                    types.removeAll { $0 == .reserved }
                    warnings.append("tier '\(tier.name)': capacity type 'reserved' needs Karpenter \(AddonSupport.karpenterReservedCapacity) or newer; cluster '\(cluster.name)' declares \(version), so it is left out there")
                    if types.isEmpty { types = [.onDemand] }
                }
            }
            var result = [
                NodeSelectorRequirement(key: "karpenter.sh/capacity-type", values: types.map(\.rawValue)),
                NodeSelectorRequirement(key: "kubernetes.io/os", values: ["linux"]),
            ]
            if !tier.instanceFamilies.isEmpty {
                result.append(NodeSelectorRequirement(key: "karpenter.k8s.aws/instance-family", values: tier.instanceFamilies))
            }
            return result
        }

        func pool(name: String, tier: Tier, labels: [String: String], taints: [Taint]?, weight: Int?) -> SpecObject<NodePoolSpec> {
            let template = NodePoolSpec.Template(
                metadata: .init(labels: labels),
                spec: .init(nodeClassRef: .init(name: Self.nodeClassName), requirements: requirements(for: tier), taints: taints,
                            expireAfter: "720h", terminationGracePeriod: "48h"))
            let disruption = NodePoolSpec.Disruption(consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m",
                                                     budgets: [.init(nodes: "10%", reasons: nil)])
            return SpecObject(apiVersion: "karpenter.sh/v1", kind: "NodePool",
                              metadata: ObjectMeta(name: name, labels: [BulkheadLabels.managedBy: "bulkhead"]),
                              spec: NodePoolSpec(template: template, disruption: disruption, limits: nil, weight: weight))
        }

        var sharedTiers: [String: Tier] = [:]
        for (tenant, tier) in tenants {
            switch tier.isolation {
            case .dedicatedNodes:
                pools.append(pool(name: "tenant-\(tenant.name)", tier: tier, labels: Self.nodeSelector(tenant: tenant.name).merging([BulkheadLabels.tier: tier.name]) { a, _ in a },
                                  taints: [Self.taint(tenant: tenant.name)], weight: 50))
            case .shared, .dedicatedCluster:
                sharedTiers[tier.name] = tier
            }
        }
        for tier in sharedTiers.values.sorted(by: { $0.name < $1.name }) {
            pools.append(pool(name: "tier-\(tier.name)", tier: tier, labels: [BulkheadLabels.tier: tier.name], taints: nil, weight: 10))
        }
        let discovery = ["karpenter.sh/discovery": cluster.name]
        let nodeClass = SpecObject(apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass",
                                   metadata: ObjectMeta(name: Self.nodeClassName, labels: [BulkheadLabels.managedBy: "bulkhead"]),
                                   spec: EC2NodeClassSpec(role: "KarpenterNodeRole-\(cluster.name)", amiAlias: "al2023@latest", discoveryTags: discovery,
                                                          capacityReservationTags: usesReserved ? discovery : nil, rootVolumeSize: "80Gi",
                                                          tags: ["bulkhead.dev/cluster": cluster.name]))
        return ([nodeClass] + pools, warnings)
    }
}
