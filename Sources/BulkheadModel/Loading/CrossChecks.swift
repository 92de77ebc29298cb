import BulkheadKube

/// Checks that span documents: duplicates, references between kinds, silo rules and the length
/// of names built from several parts. Assembles the declaration.
enum CrossChecks {
    static func assemble(_ set: DocumentSet, problems: inout [Problem]) -> PlatformDeclaration {
        if set.platforms.count > 1 {
            for extra in set.platforms.dropFirst() {
                problems.append(Problem("duplicate", "a platform declares at most one Platform; the first is at \(set.platforms[0].origin.location)", at: extra.origin.location, path: "metadata.name", found: "'\(extra.name)'"))
            }
        }
        let platform = set.platforms.first ?? Platform.defaults(at: SourceLocation(file: "(defaults)", line: 1, column: 1))
        let clusters = unique(set.clusters, kind: "Cluster", name: \.name, origin: \.origin, problems: &problems)
        let tiers = unique(set.tiers, kind: "Tier", name: \.name, origin: \.origin, problems: &problems)
        let tenants = unique(set.tenants, kind: "Tenant", name: \.name, origin: \.origin, problems: &problems)
        let tiersByName = Dictionary(tiers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let tenantsByName = Dictionary(tenants.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        for cluster in clusters {
            guard let owner = cluster.dedicatedTo else { continue }
            let at = cluster.origin.at("spec.dedicatedTo")
            guard let tenant = tenantsByName[owner] else {
                if set.invalidNames["Tenant"]?.contains(owner) == true { continue }
                problems.append(Problem("unknown-reference", "dedicatedTo names tenant '\(owner)', which is not declared\(Suggestion.hint(for: owner, among: tenants.map(\.name)))", at: at, path: "spec.dedicatedTo", found: "'\(owner)'"))
                continue
            }
            if let tier = tiersByName[tenant.tier], tier.isolation != .dedicatedCluster {
                problems.append(Problem("silo-tier", "cluster '\(cluster.name)' is dedicated to '\(owner)', whose tier '\(tier.name)' is \(tier.isolation.rawValue); a silo tenant needs a dedicated-cluster tier", at: at, path: "spec.dedicatedTo", found: "tier '\(tier.name)' (\(tier.isolation.rawValue))", allowed: "a tenant whose tier has isolation: dedicated-cluster"))
            }
        }

        let regions = Set(clusters.map(\.region))
        let knownRegions = regions.union(set.invalidClusterRegions)
        let invalidTiers = set.invalidNames["Tier"] ?? []
        for tenant in tenants {
            let tier = tiersByName[tenant.tier]
            if tier == nil && !invalidTiers.contains(tenant.tier) {
                problems.append(Problem("unknown-reference", "tier '\(tenant.tier)' is not declared\(Suggestion.hint(for: tenant.tier, among: tiers.map(\.name)))", at: tenant.origin.at("spec.tier"), path: "spec.tier", found: "'\(tenant.tier)'", allowed: tiers.isEmpty ? "no Tier is declared yet" : tiers.map(\.name).sorted().joined(separator: ", ")))
            }
            for (index, region) in (tenant.regions ?? []).enumerated() where !knownRegions.contains(region) {
                let path = "spec.regions[\(index)]"
                problems.append(Problem("unknown-reference", "no cluster is in region '\(region)'\(Suggestion.hint(for: region, among: regions.sorted()))", at: tenant.origin.at(path), path: path, found: "'\(region)'", allowed: regions.isEmpty ? "no Cluster is declared yet" : regions.sorted().joined(separator: ", ")))
            }
            if tier?.isolation == .dedicatedCluster, !clusters.contains(where: { $0.dedicatedTo == tenant.name }), !set.invalidClusterOwners.contains(tenant.name) {
                problems.append(Problem("silo-without-cluster", "tenant '\(tenant.name)' has dedicated-cluster tier '\(tenant.tier)' but no cluster has dedicatedTo: \(tenant.name)", at: tenant.origin.at("spec.tier"), path: "spec.tier", allowed: "declare a Cluster with spec.dedicatedTo: \(tenant.name), or choose a shared or dedicated-nodes tier"))
            }
            checkGeneratedNames(tenant, platform: platform, clusters: clusters, tier: tier, problems: &problems)
        }
        return PlatformDeclaration(platform: platform, clusters: clusters, tiers: tiersByName, tenants: tenants)
    }

    /// Keeps the first of each name and reports the rest.
    static func unique<T>(_ items: [T], kind: String, name: KeyPath<T, String>, origin: KeyPath<T, Origin>, problems: inout [Problem]) -> [T] {
        var seen: [String: SourceLocation] = [:]
        var kept: [T] = []
        for item in items {
            if let first = seen[item[keyPath: name]] {
                problems.append(Problem("duplicate", "\(kind) '\(item[keyPath: name])' is declared twice; the first is at \(first)", at: item[keyPath: origin].location, path: "metadata.name", found: "'\(item[keyPath: name])'"))
                continue
            }
            seen[item[keyPath: name]] = item[keyPath: origin].location
            kept.append(item)
        }
        return kept
    }

    /// The clusters a tenant may land on, whatever the placement: its environments and regions,
    /// and silo clusters only for their own tenant.
    static func candidateClusters(_ tenant: Tenant, clusters: [Cluster], tier: Tier?) -> [Cluster] {
        clusters.filter { cluster in
            tenant.environments.contains(cluster.environment)
                && (tenant.regions?.contains(cluster.region) ?? true)
                && (tier?.isolation == .dedicatedCluster ? cluster.dedicatedTo == tenant.name : cluster.dedicatedTo == nil)
        }
    }

    static func checkGeneratedNames(_ tenant: Tenant, platform: Platform, clusters: [Cluster], tier: Tier?, problems: inout [Problem]) {
        let candidates = candidateClusters(tenant, clusters: clusters, tier: tier)
        guard let longest = candidates.max(by: { ($0.name.count, $1.name) < ($1.name.count, $0.name) }) else { return }
        for (index, bucket) in tenant.buckets.enumerated() {
            let name = GeneratedNames.bucket(prefix: platform.bucketPrefix, tenant: tenant.name, bucket: bucket, cluster: longest.name)
            if let why = Names.s3BucketNameProblem(name) {
                let path = "spec.buckets[\(index)]"
                problems.append(Problem("bad-bucket-name", "the S3 bucket name '\(name)' (on cluster \(longest.name)) \(why)", at: tenant.origin.at(path), path: path, found: "'\(bucket)'", allowed: "<bucketPrefix>-<tenant>-<bucket>-<cluster> within 63 characters: shorten the bucket, tenant or cluster name"))
            }
        }
        let role = GeneratedNames.iamRole(tenant: tenant.name, cluster: longest.name)
        if role.count > 64 {
            problems.append(Problem("name-too-long", "the IAM role name '\(role)' is \(role.count) characters; IAM allows 64", at: tenant.origin.location, path: "metadata.name", found: "'\(tenant.name)'", allowed: "a shorter tenant or cluster name"))
        }
        for (index, app) in tenant.apps.enumerated() where app.queue != nil {
            let queue = GeneratedNames.queue(tenant: tenant.name, app: app.name, cluster: longest.name)
            if queue.count > 80 {
                let path = "spec.apps[\(index)].name"
                problems.append(Problem("name-too-long", "the SQS queue name '\(queue)' is \(queue.count) characters; SQS allows 80", at: tenant.origin.at(path), path: path, found: "'\(app.name)'", allowed: "a shorter app, tenant or cluster name"))
            }
        }
    }
}

/// Names of cloud resources built from declaration names; shared by validation and rendering.
public enum GeneratedNames {
    public static func bucket(prefix: String, tenant: String, bucket: String, cluster: String) -> String {
        "\(prefix)-\(tenant)-\(bucket)-\(cluster)"
    }
    public static func iamRole(tenant: String, cluster: String) -> String { "bulkhead-\(tenant)-\(cluster)" }
    public static func queue(tenant: String, app: String, cluster: String) -> String { "\(tenant)-\(app)-\(cluster)" }
}
