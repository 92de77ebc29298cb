import BulkheadKube

/// Checks that span documents: duplicates, references between kinds, silo rules and the length
/// of names built from several parts. Assembles the declaration.
enum CrossChecks {
    static func assemble(_ set: DocumentSet, problems: inout [Problem]) -> PlatformDeclaration {
        // Every named document counts, with or without errors: a later one of the same kind and
        // name is a duplicate, and a reference to any of them is not "not declared".
        let firsts = reportDuplicates(set.declarations, problems: &problems)
        // Without duplicates every document counts (and 10,000 tenants need not be copied).
        let hasDuplicates = firsts.count < set.declarations.count
        let clusters = hasDuplicates ? set.clusters.filter { firsts.contains($0.origin.location) } : set.clusters
        let tiers = hasDuplicates ? set.tiers.filter { firsts.contains($0.origin.location) } : set.tiers
        let tenants = hasDuplicates ? set.tenants.filter { firsts.contains($0.origin.location) } : set.tenants
        let references = hasDuplicates ? set.tenantReferences.filter { firsts.contains($0.origin.location) } : set.tenantReferences
        let declaredTiers = declaredNames("Tier", in: set)
        let declaredTenants = declaredNames("Tenant", in: set)
        let tiersByName = Dictionary(tiers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let referencesByName = Dictionary(references.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // The platform names are built with; unknown when its document has errors.
        let defaults = Platform.defaults(at: SourceLocation(file: "(defaults)", line: 1, column: 1))
        let platformDeclared = set.declarations.contains { $0.kind == "Platform" }
        let platform = platformDeclared ? set.platforms.first { firsts.contains($0.origin.location) } : defaults

        for cluster in clusters {
            guard let owner = cluster.dedicatedTo else { continue }
            let at = cluster.origin.at("spec.dedicatedTo")
            guard declaredTenants.contains(owner) else {
                problems.append(Problem("unknown-reference", "dedicatedTo names tenant '\(owner)', which is not declared\(Suggestion.hint(for: owner, among: declaredTenants.sorted()))", at: at, path: "spec.dedicatedTo", found: "'\(owner)'"))
                continue
            }
            if let tierName = referencesByName[owner]?.tier, let tier = tiersByName[tierName], tier.isolation != .dedicatedCluster {
                problems.append(Problem("silo-tier", "cluster '\(cluster.name)' is dedicated to '\(owner)', whose tier '\(tier.name)' is \(tier.isolation.rawValue); a silo tenant needs a dedicated-cluster tier", at: at, path: "spec.dedicatedTo", found: "tier '\(tier.name)' (\(tier.isolation.rawValue))", allowed: "a tenant whose tier has isolation: dedicated-cluster"))
            }
        }

        let regions = Set(clusters.map(\.region))
        let knownRegions = regions.union(set.invalidClusterRegions)
        // References are checked for every tenant, also one with errors elsewhere.
        for tenant in references {
            if let tierName = tenant.tier, !declaredTiers.contains(tierName) {
                problems.append(Problem("unknown-reference", "tier '\(tierName)' is not declared\(Suggestion.hint(for: tierName, among: declaredTiers.sorted()))", at: tenant.origin.at("spec.tier"), path: "spec.tier", found: "'\(tierName)'", allowed: declaredTiers.isEmpty ? "no Tier is declared yet" : declaredTiers.sorted().joined(separator: ", ")))
            }
            for (index, region) in tenant.regions where !knownRegions.contains(region) {
                let path = "spec.regions[\(index)]"
                problems.append(Problem("unknown-reference", "no cluster is in region '\(region)'\(Suggestion.hint(for: region, among: knownRegions.sorted()))", at: tenant.origin.at(path), path: path, found: "'\(region)'", allowed: knownRegions.isEmpty ? "no Cluster is declared yet" : knownRegions.sorted().joined(separator: ", ")))
            }
            if let tierName = tenant.tier, tiersByName[tierName]?.isolation == .dedicatedCluster, !clusters.contains(where: { $0.dedicatedTo == tenant.name }), !set.invalidClusterOwners.contains(tenant.name) {
                problems.append(Problem("silo-without-cluster", "tenant '\(tenant.name)' has dedicated-cluster tier '\(tierName)' but no cluster has dedicatedTo: \(tenant.name)", at: tenant.origin.at("spec.tier"), path: "spec.tier", allowed: "declare a Cluster with spec.dedicatedTo: \(tenant.name), or choose a shared or dedicated-nodes tier"))
            }
        }
        // Generated names depend on where a tenant may land, so on its tier's isolation: they are
        // checked for tenants without errors whose tier is known.
        // The longest candidate cluster name depends only on where a tenant may land, and most
        // tenants share a few environment and region lists: each list is matched against the
        // clusters once.
        var longestByScope: [LandingScope: String?] = [:]
        for tenant in tenants {
            guard let tier = tiersByName[tenant.tier] else { continue }
            let scope = LandingScope(environments: tenant.environments, regions: tenant.regions,
                                     silo: tier.isolation == .dedicatedCluster ? tenant.name : nil)
            let longest = longestByScope[scope] ?? {
                let found = longestName(candidateClusterNames(tenant, clusters: clusters, tier: tier))
                longestByScope[scope] = found
                return found
            }()
            guard let longest else { continue }
            checkGeneratedNames(tenant, platform: platform, longest: longest, problems: &problems)
        }
        return PlatformDeclaration(platform: platform ?? defaults, clusters: clusters, tiers: tiersByName, tenants: tenants)
    }

    /// The names of every document of `kind`, with or without errors.
    static func declaredNames(_ kind: String, in set: DocumentSet) -> Set<String> {
        Set(set.declarations.filter { $0.kind == kind }.map(\.name))
    }

    /// Reports each document that repeats an earlier document's kind and name (any second
    /// Platform); returns the locations of the documents that count: the first of each.
    static func reportDuplicates(_ declarations: [DeclaredName], problems: inout [Problem]) -> Set<SourceLocation> {
        struct Key: Hashable { var kind: String, name: String }
        var seen: [Key: SourceLocation] = [:]
        seen.reserveCapacity(declarations.count)
        var firsts: Set<SourceLocation> = []
        firsts.reserveCapacity(declarations.count)
        for declared in declarations {
            let key = Key(kind: declared.kind, name: declared.kind == "Platform" ? "" : declared.name)
            guard let first = seen[key] else {
                seen[key] = declared.location
                firsts.insert(declared.location)
                continue
            }
            let message = declared.kind == "Platform"
                ? "a platform declares at most one Platform; the first is at \(first)"
                : "\(declared.kind) '\(declared.name)' is declared twice; the first is at \(first)"
            problems.append(Problem("duplicate", message, at: declared.location, path: "metadata.name", found: "'\(declared.name)'"))
        }
        return firsts
    }

    /// The clusters a tenant may land on, whatever the placement: its environments and regions,
    /// and silo clusters only for their own tenant.
    /// The names of the clusters `tenant` may be placed on. (Indexed access: copying each whole
    /// `Cluster` for every tenant was most of the cost of this check on a large fleet.)
    static func candidateClusterNames(_ tenant: Tenant, clusters: [Cluster], tier: Tier?) -> [String] {
        let silo = tier?.isolation == .dedicatedCluster
        return clusters.indices.filter { index in
            tenant.environments.contains(clusters[index].environment)
                && (tenant.regions?.contains(clusters[index].region) ?? true)
                && (silo ? clusters[index].dedicatedTo == tenant.name : clusters[index].dedicatedTo == nil)
        }.map { clusters[$0].name }
    }

    /// What decides the clusters a tenant may land on: its environments and regions, and for a
    /// silo tenant its name.
    struct LandingScope: Hashable {
        var environments: [Environment]
        var regions: [String]?
        var silo: String?
    }

    /// The longest name (the first in order among equally long ones), or nil for none.
    static func longestName(_ names: [String]) -> String? {
        names.max { ($0.count, $1) < ($1.count, $0) }
    }

    /// Checks the length and form of the cloud names built for `tenant` on `longest`, the
    /// candidate cluster with the longest name. Bucket names are skipped when the platform (its
    /// bucket prefix) is not known because its document has errors.
    static func checkGeneratedNames(_ tenant: Tenant, platform: Platform?, longest: String, problems: inout [Problem]) {
        for (index, bucket) in tenant.buckets.enumerated() {
            guard let platform else { break }
            let name = GeneratedNames.bucket(prefix: platform.bucketPrefix, tenant: tenant.name, bucket: bucket, cluster: longest)
            if let why = Names.s3BucketNameProblem(name) {
                let path = "spec.buckets[\(index)]"
                problems.append(Problem("bad-bucket-name", "the S3 bucket name '\(name)' (on cluster \(longest)) \(why)", at: tenant.origin.at(path), path: path, found: "'\(bucket)'", allowed: "<bucketPrefix>-<tenant>-<bucket>-<cluster> within 63 characters: shorten the bucket, tenant or cluster name"))
            }
        }
        let role = GeneratedNames.iamRole(tenant: tenant.name, cluster: longest)
        if role.count > 64 {
            problems.append(Problem("name-too-long", "the IAM role name '\(role)' is \(role.count) characters; IAM allows 64", at: tenant.origin.location, path: "metadata.name", found: "'\(tenant.name)'", allowed: "a shorter tenant or cluster name"))
        }
        for (index, app) in tenant.apps.enumerated() where app.queue != nil {
            let queue = GeneratedNames.queue(tenant: tenant.name, app: app.name, cluster: longest)
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
