public import BulkheadModel
import BulkheadKube

/// Why a tenant's (environment, region) went where it did.
public struct PlacementDecision: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// Kept from the lock file.
        case locked
        /// Chosen now by best fit; the remaining headroom share (0...1) after placing.
        case bestFit(headroom: Double)
    }
    public var tenant: String
    public var placement: LockedPlacement
    public var reason: Reason
    /// Lines for the clusters considered by best fit.
    var considered: [String] = []

    /// One line per candidate cluster considered, e.g. "prod-use1-2: fits, 12% headroom left".
    public var candidates: [String] {
        reason == .locked ? ["\(placement.cluster): recorded in \(PlacementLock.fileName)"] : considered
    }
}

/// A tenant's (environment, region) that no cluster can take, with a reason per candidate.
public struct PlacementFailure: Sendable, Hashable, CustomStringConvertible {
    public var tenant: String
    public var environment: String
    public var region: String
    public var reasons: [String]
    public var location: SourceLocation

    public var description: String {
        "\(location): error: tenant '\(tenant)' cannot be placed in \(environment)/\(region): " + reasons.joined(separator: "; ")
    }
}

/// The outcome of placement: the new lock, every decision, warnings and failures.
public struct PlacementResult: Sendable {
    public var lock: PlacementLock
    public var decisions: [PlacementDecision]
    public var warnings: [Problem]
    public var failures: [PlacementFailure]
    /// Sum of the requests of the tenants placed on each cluster.
    public var usage: [String: Capacity]

    /// The clusters a tenant is placed on, sorted.
    public func clusters(of tenant: String) -> [String] {
        Array(Set((lock.placements[tenant] ?? []).map(\.cluster))).sorted()
    }
}

/// Decides which cluster serves each tenant's (environment, region): a pure function of the
/// declaration and the previous lock.
///
/// Locked placements are kept while their cluster still exists and still matches (even when the
/// cluster is now over budget, which is reported as a warning). Everything else is placed in tenant
/// name order by best fit: among clusters where the tenant's requests still fit within
/// `capacity × overcommit`, the one left with the least headroom (the smallest remaining share over
/// cpu, memory and pods), ties broken by cluster name.
public enum Placer {
    public static func place(_ declaration: PlatformDeclaration, lock: PlacementLock, replace: Set<String> = []) -> PlacementResult {
        var usage: [String: Capacity] = [:]
        var placements: [String: [LockedPlacement]] = [:]
        var decisions: [PlacementDecision] = []
        var warnings: [Problem] = []
        var failures: [PlacementFailure] = []
        let sites = ClusterSites(declaration.clusters)

        // Pass 1: keep what the lock says, where it still holds.
        var pending: [(tenant: Tenant, environment: Environment, region: String)] = []
        for tenant in declaration.tenants {
            let request = declaration.requestedCapacity(of: tenant)
            let tier = declaration.tiers[tenant.tier]
            let locked = replace.contains(tenant.name) ? [] : (lock.placements[tenant.name] ?? [])
            for (environment, region) in wantedPairs(tenant, tier: tier, sites: sites) {
                let entry = locked.first { $0.environment == environment.rawValue && $0.region == region }
                if let entry, let site = sites.byName[entry.cluster], isCandidate(site, for: tenant, tier: tier, environment: environment, region: region) {
                    placements[tenant.name, default: []].append(entry)
                    usage[site.name, default: .zero] = usage[site.name, default: .zero] + request
                    decisions.append(PlacementDecision(tenant: tenant.name, placement: entry, reason: .locked))
                } else {
                    if let entry {
                        let why = sites.byName[entry.cluster] == nil ? "no longer exists" : "no longer matches the tenant"
                        warnings.append(Problem("placement-moved", "tenant '\(tenant.name)' was placed on '\(entry.cluster)' for \(environment.rawValue)/\(region), which \(why); placing it anew", at: tenant.origin.location, path: "metadata.name", severity: .warning))
                    }
                    pending.append((tenant, environment, region))
                }
            }
        }
        for cluster in declaration.clusters {
            let used = usage[cluster.name, default: .zero]
            if !used.fits(within: cluster.budget) {
                warnings.append(Problem("over-budget", "cluster '\(cluster.name)' holds more than its budget (\(describe(used, of: cluster.budget))); placed tenants stay, new ones go elsewhere", at: cluster.origin.location, path: "spec.capacity", severity: .warning))
            }
        }

        // Pass 2: place the rest by best fit.
        for (tenant, environment, region) in pending {
            let request = declaration.requestedCapacity(of: tenant)
            let tier = declaration.tiers[tenant.tier]
            let candidates = declaration.clusters.filter { isCandidate($0, for: tenant, tier: tier, environment: environment, region: region) }
            var best: (cluster: Cluster, headroom: Double)?
            var lines: [String] = []
            for cluster in candidates {
                let used = usage[cluster.name, default: .zero]
                let after = used + request
                if let shortfall = shortfall(request: request, used: used, budget: cluster.budget) {
                    lines.append("\(cluster.name): \(shortfall)")
                    continue
                }
                let headroom = headroomShare(after: after, budget: cluster.budget)
                lines.append("\(cluster.name): fits, \(Int((headroom * 100).rounded()))% headroom left after placing")
                if best == nil || headroom < best!.headroom || (headroom == best!.headroom && cluster.name < best!.cluster.name) {
                    best = (cluster, headroom)
                }
            }
            guard let best else {
                let reasons = lines.isEmpty ? [noCandidateReason(tenant: tenant, tier: tier, environment: environment, region: region)] : lines
                failures.append(PlacementFailure(tenant: tenant.name, environment: environment.rawValue, region: region, reasons: reasons, location: tenant.origin.location))
                continue
            }
            let entry = LockedPlacement(environment: environment.rawValue, region: region, cluster: best.cluster.name)
            placements[tenant.name, default: []].append(entry)
            usage[best.cluster.name, default: .zero] = usage[best.cluster.name, default: .zero] + request
            decisions.append(PlacementDecision(tenant: tenant.name, placement: entry, reason: .bestFit(headroom: best.headroom), considered: lines))
        }
        return PlacementResult(lock: PlacementLock(placements: placements), decisions: decisions, warnings: warnings, failures: failures, usage: usage)
    }

    /// The (environment, region) pairs a tenant asks for: its regions, or every region that has
    /// clusters it may use in that environment.
    static func wantedPairs(_ tenant: Tenant, tier: Tier?, clusters: [Cluster]) -> [(Environment, String)] {
        wantedPairs(tenant, tier: tier, sites: ClusterSites(clusters))
    }

    static func wantedPairs(_ tenant: Tenant, tier: Tier?, sites: ClusterSites) -> [(Environment, String)] {
        var pairs: [(Environment, String)] = []
        for environment in tenant.environments.sorted() {
            let regions: [String]
            if let declared = tenant.regions {
                regions = declared.sorted()
            } else {
                let owner = tier?.isolation == .dedicatedCluster ? tenant.name : nil
                regions = sites.regions[ClusterSites.Group(environment: environment, dedicatedTo: owner)] ?? []
            }
            for region in regions { pairs.append((environment, region)) }
        }
        return pairs
    }

    static func isCandidate(_ cluster: Cluster, for tenant: Tenant, tier: Tier?, environment: Environment, region: String) -> Bool {
        isCandidate(ClusterSites.Site(cluster), for: tenant, tier: tier, environment: environment, region: region)
    }

    static func isCandidate(_ site: ClusterSites.Site, for tenant: Tenant, tier: Tier?, environment: Environment, region: String) -> Bool {
        guard site.environment == environment, site.region == region else { return false }
        if tier?.isolation == .dedicatedCluster { return site.dedicatedTo == tenant.name }
        return site.dedicatedTo == nil
    }

    static func noCandidateReason(tenant: Tenant, tier: Tier?, environment: Environment, region: String) -> String {
        if tier?.isolation == .dedicatedCluster {
            return "no cluster in \(environment.rawValue)/\(region) has dedicatedTo: \(tenant.name)"
        }
        return "no shared cluster is in environment \(environment.rawValue) and region \(region)"
    }

    /// The first dimension that does not fit, as "needs 48 cpu, 12 free of 768"; `nil` when all fit.
    static func shortfall(request: Capacity, used: Capacity, budget: Capacity) -> String? {
        let free = budget - used
        if request.cpu > free.cpu { return "needs \(request.cpu) cpu, \(max(free.cpu, .zero)) free of \(budget.cpu)" }
        if request.memory > free.memory { return "needs \(request.memory.binaryDescription) memory, \(max(free.memory, .zero).binaryDescription) free of \(budget.memory.binaryDescription)" }
        if request.pods > free.pods { return "needs \(request.pods) pods, \(max(free.pods, .zero)) free of \(budget.pods)" }
        return nil
    }

    /// The smallest share of budget left over cpu, memory and pods after placing.
    static func headroomShare(after used: Capacity, budget: Capacity) -> Double {
        func share(_ used: Quantity, _ budget: Quantity) -> Double {
            budget.millis <= 0 ? 0 : Double(budget.millis - used.millis) / Double(budget.millis)
        }
        return min(share(used.cpu, budget.cpu), share(used.memory, budget.memory), share(used.pods, budget.pods))
    }

    static func describe(_ used: Capacity, of budget: Capacity) -> String {
        "cpu \(used.cpu)/\(budget.cpu), memory \(used.memory.binaryDescription)/\(budget.memory.binaryDescription), pods \(used.pods)/\(budget.pods)"
    }
}

/// Where each cluster is and whom it serves, without the rest of the cluster: placement looks
/// these up for every tenant, and copying whole `Cluster` values dominated it on a large fleet.
struct ClusterSites {
    struct Site {
        var name: String
        var environment: Environment
        var region: String
        var dedicatedTo: String?

        init(_ cluster: Cluster) {
            (name, environment, region, dedicatedTo) = (cluster.name, cluster.environment, cluster.region, cluster.dedicatedTo)
        }
    }

    /// Clusters of one environment that serve everyone (`dedicatedTo` nil) or one tenant.
    struct Group: Hashable {
        var environment: Environment
        var dedicatedTo: String?
    }

    var byName: [String: Site] = [:]
    /// The regions of each group's clusters, sorted.
    var regions: [Group: [String]] = [:]

    init(_ clusters: [Cluster]) {
        var regionSets: [Group: Set<String>] = [:]
        for cluster in clusters {
            byName[cluster.name] = Site(cluster)
            regionSets[Group(environment: cluster.environment, dedicatedTo: cluster.dedicatedTo), default: []].insert(cluster.region)
        }
        regions = regionSets.mapValues { $0.sorted() }
    }
}
