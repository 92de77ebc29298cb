import BulkheadKube
import BulkheadModel
import BulkheadRender
import Testing

/// `ClusterUsage` reads the lock as the placer counts it: the same usage, budget and free.
@Suite struct ClusterUsageTests {
    @Test(arguments: Array(UInt64(1)...20))
    func usageFromTheLockIsWhatThePlacerCounted(seed: UInt64) {
        var generator = PlatformGenerator(seed: seed)
        let declaration = generator.platform(clusters: 8, tenants: 40)
        let result = Placer.place(declaration, lock: PlacementLock())
        let usage = ClusterUsage.of(declaration, lock: result.lock)
        #expect(usage.map(\.cluster) == declaration.clusters.map(\.name))
        for (entry, cluster) in zip(usage, declaration.clusters) {
            #expect(entry.used == (result.usage[cluster.name] ?? .zero), "cluster \(cluster.name), seed \(seed)")
            #expect(entry.budget == cluster.budget)
            #expect(entry.free + entry.used == entry.budget)
            #expect(entry.tenants == result.lock.placements.filter { $0.value.contains { $0.cluster == cluster.name } }.keys.sorted())
        }
    }

    @Test func placementsOfUnknownTenantsOrClustersAreIgnored() {
        var generator = PlatformGenerator(seed: 7)
        let declaration = generator.platform(clusters: 3, tenants: 5)
        var placements = Placer.place(declaration, lock: PlacementLock()).lock.placements
        let cluster = declaration.clusters[0]
        placements["gone"] = [LockedPlacement(environment: cluster.environment.rawValue, region: cluster.region, cluster: cluster.name)]
        placements[declaration.tenants[0].name, default: []].append(LockedPlacement(environment: "prod", region: "nowhere", cluster: "no-such-cluster"))
        let usage = ClusterUsage.of(declaration, lock: PlacementLock(placements: placements))
        #expect(!usage.contains { $0.tenants.contains("gone") })
        #expect(!usage.contains { $0.cluster == "no-such-cluster" })
    }
}
