import BulkheadKube
@testable import BulkheadModel
@testable import BulkheadRender
import Testing

/// Properties of placement over generated platforms: budgets, silo exclusivity, stability and determinism.
@Suite struct PlacementPropertyTests {
    static let seeds: [UInt64] = Array(1...40)

    @Test(arguments: seeds)
    func noClusterIsOverBudgetAtPlacementTime(seed: UInt64) {
        var generator = PlatformGenerator(seed: seed)
        let declaration = generator.platform(clusters: 8, tenants: 40)
        let result = Placer.place(declaration, lock: PlacementLock())
        for cluster in declaration.clusters {
            let used = result.usage[cluster.name] ?? .zero
            #expect(used.fits(within: cluster.budget), "cluster \(cluster.name) over budget with seed \(seed)")
        }
        // Usage is exactly the sum of the requests of the tenants placed there.
        for cluster in declaration.clusters {
            var sum = Capacity.zero
            for tenant in declaration.tenants {
                let count = (result.lock.placements[tenant.name] ?? []).filter { $0.cluster == cluster.name }.count
                for _ in 0..<count { sum = sum + declaration.requestedCapacity(of: tenant) }
            }
            #expect(sum == (result.usage[cluster.name] ?? .zero))
        }
    }

    @Test(arguments: seeds)
    func siloClustersServeOnlyTheirTenantAndSiloTenantsOnlySilos(seed: UInt64) {
        var generator = PlatformGenerator(seed: seed)
        let declaration = generator.platform(clusters: 8, tenants: 40)
        let result = Placer.place(declaration, lock: PlacementLock())
        for (tenantName, entries) in result.lock.placements {
            let tenant = declaration.tenant(named: tenantName)!
            for entry in entries {
                let cluster = declaration.cluster(named: entry.cluster)!
                if tenant.tier == "silo" {
                    #expect(cluster.dedicatedTo == tenant.name)
                } else {
                    #expect(cluster.dedicatedTo == nil)
                }
                #expect(cluster.environment.rawValue == entry.environment && cluster.region == entry.region)
            }
        }
    }

    @Test(arguments: seeds)
    func everyWantedPairIsPlacedOrFailsWithAReasonPerCandidate(seed: UInt64) {
        var generator = PlatformGenerator(seed: seed)
        let declaration = generator.platform(clusters: 6, tenants: 60)
        let result = Placer.place(declaration, lock: PlacementLock())
        for tenant in declaration.tenants {
            let tier = declaration.tiers[tenant.tier]
            for (environment, region) in Placer.wantedPairs(tenant, tier: tier, clusters: declaration.clusters) {
                let placed = (result.lock.placements[tenant.name] ?? []).contains { $0.environment == environment.rawValue && $0.region == region }
                let failure = result.failures.first { $0.tenant == tenant.name && $0.environment == environment.rawValue && $0.region == region }
                #expect(placed != (failure != nil))
                if let failure {
                    let candidates = declaration.clusters.filter { Placer.isCandidate($0, for: tenant, tier: tier, environment: environment, region: region) }
                    #expect(failure.reasons.count == max(1, candidates.count))
                }
            }
        }
    }

    @Test(arguments: seeds)
    func rerunningWithTheLockMovesNobody(seed: UInt64) {
        var generator = PlatformGenerator(seed: seed)
        let declaration = generator.platform(clusters: 8, tenants: 40)
        let first = Placer.place(declaration, lock: PlacementLock())
        let second = Placer.place(declaration, lock: first.lock)
        #expect(second.lock == first.lock)
        #expect(second.decisions.allSatisfy { $0.reason == .locked })
    }

    @Test(arguments: seeds)
    func addingTenantsNeverMovesPlacedOnes(seed: UInt64) {
        var generator = PlatformGenerator(seed: seed)
        var declaration = generator.platform(clusters: 8, tenants: 50)
        let all = declaration.tenants
        declaration.tenants = Array(all.prefix(25))
        let first = Placer.place(declaration, lock: PlacementLock())
        declaration.tenants = all
        let second = Placer.place(declaration, lock: first.lock)
        for (tenant, entries) in first.lock.placements {
            #expect(second.lock.placements[tenant] == entries, "tenant \(tenant) moved when others were added")
        }
    }

    @Test(arguments: seeds)
    func placementIsDeterministic(seed: UInt64) {
        var a = PlatformGenerator(seed: seed), b = PlatformGenerator(seed: seed)
        let first = Placer.place(a.platform(clusters: 8, tenants: 40), lock: PlacementLock())
        let second = Placer.place(b.platform(clusters: 8, tenants: 40), lock: PlacementLock())
        #expect(first.lock == second.lock)
        #expect(first.failures == second.failures)
    }
}

/// Hand-made placement cases with known answers.
@Suite struct PlacementExampleTests {
    static let origin = Origin(location: SourceLocation(file: "t.yaml", line: 1, column: 1))

    static func cluster(_ name: String, cpu: Int64, overcommit: Double = 1, dedicatedTo: String? = nil) -> Cluster {
        Cluster(name: name, labels: [:], environment: .prod, region: "us-east-1", location: .region, accountId: "111122223333",
                kubernetesVersion: KubernetesVersion(major: 1, minor: 33), addons: [:],
                capacity: Capacity(cpu: Quantity(units: cpu), memory: Quantity(units: 1 << 40), pods: Quantity(units: 10_000)),
                overcommit: overcommit, gateway: GatewayReference(name: "gw", namespace: "gateway"), dedicatedTo: dedicatedTo, origin: origin)
    }

    static func tenant(_ name: String, cpu: String, tier: String = "std") -> Tenant {
        Tenant(name: name, tier: tier, owners: ["g"], team: "t", costCenter: "c", environments: [.prod], regions: nil,
               dataClassification: .internal, quota: ["requests.cpu": cpu], apps: [], buckets: [], origin: origin)
    }

    static func declaration(clusters: [Cluster], tenants: [Tenant]) -> PlatformDeclaration {
        let std = Tier(name: "std", isolation: .shared, podSecurity: .restricted, quota: ["requests.cpu": "1", "requests.memory": "1Gi", "pods": "10"],
                       limitRange: LimitRangeSettings(defaultRequest: [:], default: [:], max: [:]), capacityTypes: [.onDemand], instanceFamilies: [], versioning: false, origin: origin)
        var silo = std
        silo.name = "silo"
        silo.isolation = .dedicatedCluster
        return PlatformDeclaration(platform: .defaults(at: origin.location), clusters: clusters, tiers: ["std": std, "silo": silo], tenants: tenants)
    }

    @Test func bestFitChoosesTheTightestClusterThatFits() {
        let d = Self.declaration(clusters: [Self.cluster("big", cpu: 100), Self.cluster("small", cpu: 20), Self.cluster("tiny", cpu: 4)],
                                 tenants: [Self.tenant("a", cpu: "10")])
        let result = Placer.place(d, lock: PlacementLock())
        #expect(result.lock.placements["a"] == [LockedPlacement(environment: "prod", region: "us-east-1", cluster: "small")])
    }

    @Test func tiesAreBrokenByName() {
        let d = Self.declaration(clusters: [Self.cluster("b", cpu: 20), Self.cluster("a", cpu: 20)], tenants: [Self.tenant("x", cpu: "5")])
        #expect(Placer.place(d, lock: PlacementLock()).lock.placements["x"]?.first?.cluster == "a")
    }

    @Test func overcommitRaisesTheBudget() {
        let d = Self.declaration(clusters: [Self.cluster("c", cpu: 10, overcommit: 1.5)], tenants: [Self.tenant("x", cpu: "15")])
        #expect(Placer.place(d, lock: PlacementLock()).failures.isEmpty)
    }

    @Test func aTenantThatFitsNowhereGetsAReasonPerCandidate() {
        let d = Self.declaration(clusters: [Self.cluster("prod-use1-2", cpu: 768), Self.cluster("prod-use1-3", cpu: 20)],
                                 tenants: [Self.tenant("big", cpu: "756"), Self.tenant("late", cpu: "48")])
        let result = Placer.place(d, lock: PlacementLock())
        #expect(result.failures.count == 1)
        #expect(result.failures.first?.reasons == ["prod-use1-2: needs 48 cpu, 12 free of 768", "prod-use1-3: needs 48 cpu, 20 free of 20"])
    }

    @Test func aLockedTenantStaysEvenWhenItsClusterIsNowOverBudget() {
        let lock = PlacementLock(placements: ["a": [LockedPlacement(environment: "prod", region: "us-east-1", cluster: "small")]])
        let d = Self.declaration(clusters: [Self.cluster("small", cpu: 4), Self.cluster("big", cpu: 100)], tenants: [Self.tenant("a", cpu: "10")])
        let result = Placer.place(d, lock: lock)
        #expect(result.lock.placements["a"]?.first?.cluster == "small")
        #expect(result.warnings.contains { $0.code == "over-budget" })
    }

    @Test func replacePlacesATenantAnew() {
        let lock = PlacementLock(placements: ["a": [LockedPlacement(environment: "prod", region: "us-east-1", cluster: "big")]])
        let d = Self.declaration(clusters: [Self.cluster("small", cpu: 20), Self.cluster("big", cpu: 100)], tenants: [Self.tenant("a", cpu: "10")])
        #expect(Placer.place(d, lock: lock, replace: ["a"]).lock.placements["a"]?.first?.cluster == "small")
        #expect(Placer.place(d, lock: lock).lock.placements["a"]?.first?.cluster == "big")
    }

    @Test func aLockedClusterThatWasRemovedIsReplacedWithAWarning() {
        let lock = PlacementLock(placements: ["a": [LockedPlacement(environment: "prod", region: "us-east-1", cluster: "gone")]])
        let d = Self.declaration(clusters: [Self.cluster("here", cpu: 20)], tenants: [Self.tenant("a", cpu: "10")])
        let result = Placer.place(d, lock: lock)
        #expect(result.lock.placements["a"]?.first?.cluster == "here")
        #expect(result.warnings.contains { $0.code == "placement-moved" })
    }

    @Test func siloTenantsGoOnlyToTheirClusterAndNobodyElseDoes() {
        let d = Self.declaration(clusters: [Self.cluster("silo-1", cpu: 1000, dedicatedTo: "vip"), Self.cluster("shared", cpu: 10)],
                                 tenants: [Self.tenant("vip", cpu: "8", tier: "silo"), Self.tenant("other", cpu: "20")])
        let result = Placer.place(d, lock: PlacementLock())
        #expect(result.lock.placements["vip"]?.first?.cluster == "silo-1")
        #expect(result.lock.placements["other"] == nil)
        #expect(result.failures.first?.reasons == ["shared: needs 20 cpu, 10 free of 10"])
    }

    @Test func lockFileRoundTrips() throws {
        let lock = PlacementLock(placements: ["a": [LockedPlacement(environment: "prod", region: "us-east-1", cluster: "c1"), LockedPlacement(environment: "dev", region: "eu-west-1", cluster: "c2")]])
        let text = try lock.serialized()
        #expect(try PlacementLock(parsing: text) == lock)
        #expect(throws: PlacementLock.ParseError.self) { try PlacementLock(parsing: "kind: Other\napiVersion: x\nplacements: {}\n") }
    }
}
