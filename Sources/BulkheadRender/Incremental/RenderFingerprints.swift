public import BulkheadModel
public import Foundation
import BulkheadKube
import Crypto

/// A digest of everything a render unit is made from. Equal fingerprints mean the unit's files
/// would come out byte-identical, so an incremental apply can skip rendering and comparing them.
///
/// Inputs are encoded from their full `Encodable` form (through the YAML writer's tree, which
/// sorts keys and is several times faster than `JSONEncoder`), so a field added to a declaration
/// type is part of the fingerprint without anyone remembering to add it; `build` (the
/// executable's identity) changes every fingerprint when the renderer does.
public enum RenderFingerprints {
    /// Fingerprints of every unit of the placed declaration: one per tenant and cluster it is on,
    /// one per cluster, and the lock.
    /// `policies` is the digest of the platform's policy files (cluster units render them, and
    /// tenant units are gated against them).
    public static func compute(_ declaration: PlatformDeclaration, placement: PlacementResult, build: String, policies: String = "") throws -> [RenderUnit: Fingerprint] {
        // Locations are taken relative to the platform folder, so the same folder named another
        // way (`acme`, `./acme`, an absolute path, or the service's own loader) fingerprints alike.
        // Policies are part of every unit: tenant units are gated against them when rendered.
        let base = Data("\(build)\u{0}policies \(policies)\u{0}".utf8) + (try digest(relative(declaration.platform, declaration)))
        var clusters: [String: Data] = [:]
        for cluster in declaration.clusters { clusters[cluster.name] = try digest(relative(cluster, declaration)) }
        var tiers: [String: Data] = [:]
        for (name, tier) in declaration.tiers { tiers[name] = try digest(relative(tier, declaration)) }
        // A loaded tenant is fingerprinted by the text it was read from (a tenant that code changed
        // since, or one not loaded from a file, by its encoded value). Encoded, a tenant's field
        // locations only point loader errors at lines; leaving them out halves the cost. Its
        // document location stays: warnings point at it.
        let tenantDigests = try declaration.tenants.parallelMap { tenant -> Fingerprint in
            if let source = declaration.tenantSources[tenant.name], source.describes(tenant) {
                return sourceDigest(source, file: declaration.relativeToFolder(tenant.origin.location).file)
            }
            var input = tenant
            input.origin = Origin(location: declaration.relativeToFolder(tenant.origin.location))
            return try knownTenantDigests.value(for: input) { try Fingerprint(SHA256.hash(data: YAMLWriter.bytes([TreeNode(encoding: input)]))) }
        }

        // Everything a tenant unit depends on but the tenant, hashed once per cluster and tier:
        // a unit's fingerprint is then one short hash of that and the tenant's digest.
        var shared: [String: [String: Fingerprint]] = [:]
        for (tierName, tier) in tiers {
            for (clusterName, cluster) in clusters { shared[tierName, default: [:]][clusterName] = Fingerprint(SHA256.hash(data: base + cluster + tier)) }
        }
        // Each tenant's units on another core when there is one, merged in the tenants' order (by
        // name), so that each cluster's list below is sorted already. Tenants are read by index:
        // reading the tenant itself copied it.
        let unitsByTenant = Array(declaration.tenants.indices).parallelMap { [shared] index -> [(cluster: String, fingerprint: Fingerprint)] in
            guard let placements = placement.lock.placements[declaration.tenants[index].name],
                  let byCluster = shared[declaration.tenants[index].tier] else { return [] }
            return placements.indices.compactMap { position in
                let placed = placements[position]
                // Once per cluster: a tenant may hold several placements on one cluster.
                guard !placements[..<position].contains(where: { $0.cluster == placed.cluster }),
                      let prefix = byCluster[placed.cluster] else { return nil }
                var hasher = SHA256()
                prefix.withBytes { hasher.update(bufferPointer: $0) }
                tenantDigests[index].withBytes { hasher.update(bufferPointer: $0) }
                return (placed.cluster, Fingerprint(hasher.finalize()))
            }
        }
        var result: [RenderUnit: Fingerprint] = [:]
        result.reserveCapacity(unitsByTenant.reduce(declaration.clusters.count) { $0 + $1.count })
        var placedByCluster: [String: [Int]] = [:]
        for (index, units) in unitsByTenant.enumerated() {
            for unit in units {
                placedByCluster[unit.cluster, default: []].append(index)
                result[.tenant(cluster: unit.cluster, tenant: declaration.tenants[index].name)] = unit.fingerprint
            }
        }
        // A cluster's own files depend on which tenants it holds and their tiers; the location of
        // a dedicated-nodes tenant is in warnings about its node pool.
        let allTiers = tiers.keys.sorted().map { tiers[$0]! }.reduce(Data(), +)
        let clusterFingerprints = declaration.clusters.parallelMap { [clusters, placedByCluster] cluster in
            var input = [UInt8](base + clusters[cluster.name]! + allTiers)
            let held = (placedByCluster[cluster.name] ?? []).sorted { declaration.tenants[$0].name < declaration.tenants[$1].name }
            for index in held {
                let (name, tier) = (declaration.tenants[index].name, declaration.tenants[index].tier)
                input.append(0)
                input.append(contentsOf: name.utf8)
                input.append(0)
                input.append(contentsOf: tier.utf8)
                if declaration.tiers[tier]?.isolation == .dedicatedNodes {
                    input.append(contentsOf: "\u{0}\(declaration.relativeToFolder(declaration.tenants[index].origin.location))".utf8)
                }
            }
            return Fingerprint(SHA256.hash(data: input))
        }
        for (cluster, fingerprint) in zip(declaration.clusters, clusterFingerprints) { result[.cluster(cluster.name)] = fingerprint }
        return result
    }

    /// A digest of the declaration files (name and bytes, in the given order) and the options
    /// that steer placement: equal digests mean an apply would read exactly the same input.
    public static func inputDigest(files: [(name: String, bytes: Data)], build: String, replace: [String]) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(build)\u{0}\(replace.sorted().joined(separator: ","))\u{0}".utf8))
        for file in files {
            hasher.update(data: Data("\(file.name)\u{0}\(file.bytes.count)\u{0}".utf8))
            hasher.update(data: file.bytes)
        }
        return lowercaseHex(hasher.finalize())
    }

    /// A declared object with its locations relative to the platform folder.
    static func relative<Declared: HasOrigin>(_ value: Declared, _ declaration: PlatformDeclaration) -> Declared {
        var value = value
        value.origin = declaration.relativeToFolder(value.origin)
        return value
    }

    /// Digests of tenants seen before in this process, by the tenant itself (comparing a tenant
    /// costs a fraction of encoding it). The service fingerprints the whole platform on every
    /// change, and all but one tenant are the ones it saw last time.
    static let knownTenantDigests = HashedMemo<Tenant, Fingerprint>(capacity: 100_000)

    /// A digest of a tenant's document text, start line and file (relative to the folder).
    static func sourceDigest(_ source: TenantSource, file: String) -> Fingerprint {
        var hasher = SHA256()
        hasher.update(data: Data("tenant source\u{0}\(file)\u{0}\(source.line)\u{0}".utf8))
        var text = source.text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return Fingerprint(hasher.finalize())
    }

    static func digest(_ value: some Encodable) throws -> Data {
        Data(SHA256.hash(data: YAMLWriter.bytes([try TreeNode(encoding: value)])))
    }
}

/// Declared objects that carry where they were declared.
protocol HasOrigin {
    var origin: Origin { get set }
}

extension Platform: HasOrigin {}
extension Cluster: HasOrigin {}
extension Tier: HasOrigin {}
