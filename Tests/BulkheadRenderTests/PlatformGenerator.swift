import BulkheadKube
@testable import BulkheadModel

/// Builds random but reproducible platforms for property tests (a small linear congruential
/// generator, so a seed always gives the same platform on every machine).
struct PlatformGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }

    /// A platform with `clusters` clusters and `tenants` tenants, some silo.
    mutating func platform(clusters clusterCount: Int, tenants tenantCount: Int) -> PlatformDeclaration {
        let environments = Environment.allCases
        let regions = ["us-east-1", "eu-west-1"]
        let origin = Origin(location: SourceLocation(file: "generated.yaml", line: 1, column: 1))
        func tier(_ name: String, _ isolation: Isolation, cpu: Int) -> Tier {
            Tier(name: name, isolation: isolation, podSecurity: .restricted,
                 quota: ["requests.cpu": "\(cpu)", "requests.memory": "\(cpu * 2)Gi", "pods": "\(cpu * 5)"],
                 limitRange: LimitRangeSettings(defaultRequest: [:], default: [:], max: [:]),
                 capacityTypes: [.onDemand], instanceFamilies: ["m7i"], versioning: false, origin: origin)
        }
        let tiers = [tier("small", .shared, cpu: 2), tier("large", .dedicatedNodes, cpu: 16), tier("silo", .dedicatedCluster, cpu: 32)]
        var tenants: [Tenant] = []
        for index in 0..<tenantCount {
            let silo = next(10) == 0
            var envs = [environments[next(environments.count)]]
            if next(2) == 0 { envs.append(environments[next(environments.count)]) }
            envs = Array(Set(envs)).sorted()
            let tierName = silo ? "silo" : (next(3) == 0 ? "large" : "small")
            tenants.append(Tenant(name: "t\(index)", tier: tierName, owners: ["g"], team: "team", costCenter: "cc",
                                  environments: envs, regions: next(2) == 0 ? [regions[next(2)]] : nil,
                                  dataClassification: .internal, quota: next(4) == 0 ? ["requests.cpu": "\(1 + next(8))"] : [:],
                                  apps: [], buckets: [], origin: origin))
        }
        var clusters: [Cluster] = []
        for index in 0..<clusterCount {
            let cpu = 16 + next(64)
            var dedicatedTo: String?
            let silos = tenants.filter { $0.tier == "silo" }
            if next(5) == 0, !silos.isEmpty { dedicatedTo = silos[next(silos.count)].name }
            clusters.append(Cluster(name: "c\(index)", labels: [:], environment: environments[next(environments.count)], region: regions[next(2)],
                                    location: .region, accountId: "111122223333", kubernetesVersion: KubernetesVersion(major: 1, minor: 33),
                                    addons: ["karpenter": "1.14.1"], capacity: Capacity(cpu: Quantity(units: Int64(cpu)), memory: Quantity(units: Int64(cpu) * 4 << 30), pods: Quantity(units: Int64(cpu) * 20)),
                                    overcommit: 1.0 + Double(next(3)) / 2, gateway: GatewayReference(name: "shared", namespace: "gateway"),
                                    dedicatedTo: dedicatedTo, origin: origin))
        }
        return PlatformDeclaration(platform: Platform.defaults(at: origin.location), clusters: clusters,
                                   tiers: Dictionary(uniqueKeysWithValues: tiers.map { ($0.name, $0) }), tenants: tenants)
    }
}
