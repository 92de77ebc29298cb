/// A part of the repository that is rendered as a whole from known inputs: one tenant's folder on
/// one cluster, one cluster's own files, or the lock. Incremental applies re-render only the units
/// whose inputs changed.
public enum RenderUnit: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `clusters/<cluster>/tenants/<tenant>/`.
    case tenant(cluster: String, tenant: String)
    /// `clusters/<cluster>/kustomization.yaml` and its `platform/`, `argocd/` and `flux/` folders.
    case cluster(String)
    /// `bulkhead.lock`.
    case lock

    /// The unit's key in the render state file (`tenant/<cluster>/<tenant>`, `cluster/<cluster>`, `lock`).
    public var description: String {
        var bytes: [UInt8] = []
        appendKey(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public init?(key: String) {
        self.init(key: Array(key.utf8)[...])
    }

    /// Reads a key from its UTF-8 bytes, sliced without splitting into an array or walking
    /// characters: the render state holds one key per placement.
    init?<Bytes: Collection<UInt8>>(key bytes: Bytes) where Bytes.SubSequence == Bytes {
        let slash = UInt8(ascii: "/")
        if bytes.elementsEqual("lock".utf8) {
            self = .lock
        } else if bytes.starts(with: "cluster/".utf8) {
            let name = bytes.dropFirst(8)
            guard !name.isEmpty, !name.contains(slash) else { return nil }
            self = .cluster(String(decoding: name, as: UTF8.self))
        } else if bytes.starts(with: "tenant/".utf8) {
            let rest = bytes.dropFirst(7)
            guard let middle = rest.firstIndex(of: slash) else { return nil }
            let cluster = rest[..<middle], tenant = rest[rest.index(after: middle)...]
            guard !cluster.isEmpty, !tenant.isEmpty, !tenant.contains(slash) else { return nil }
            self = .tenant(cluster: String(decoding: cluster, as: UTF8.self), tenant: String(decoding: tenant, as: UTF8.self))
        } else {
            return nil
        }
    }

    /// Appends the unit's key as UTF-8 (`description` is built from it).
    func appendKey(to buffer: inout [UInt8]) {
        switch self {
        case .tenant(let cluster, let tenant):
            buffer.append(contentsOf: "tenant/".utf8)
            buffer.append(contentsOf: cluster.utf8)
            buffer.append(UInt8(ascii: "/"))
            buffer.append(contentsOf: tenant.utf8)
        case .cluster(let cluster):
            buffer.append(contentsOf: "cluster/".utf8)
            buffer.append(contentsOf: cluster.utf8)
        case .lock:
            buffer.append(contentsOf: "lock".utf8)
        }
    }

    /// A fixed order that needs no key built: clusters, the lock, then tenant units, each by
    /// cluster and tenant name.
    func sortsBefore(_ other: RenderUnit) -> Bool {
        switch (self, other) {
        case (.cluster(let a), .cluster(let b)): a < b
        case (.tenant(let clusterA, let tenantA), .tenant(let clusterB, let tenantB)): clusterA == clusterB ? tenantA < tenantB : clusterA < clusterB
        default: rank < other.rank
        }
    }

    private var rank: Int {
        switch self {
        case .cluster: 0
        case .lock: 1
        case .tenant: 2
        }
    }

    /// Repository paths (files, or folders ending in `/`) that hold exactly this unit's files.
    public var scopes: [String] {
        switch self {
        case .tenant(let cluster, let tenant): ["clusters/\(cluster)/tenants/\(tenant)/"]
        case .cluster(let cluster):
            ["clusters/\(cluster)/kustomization.yaml", "clusters/\(cluster)/platform/", "clusters/\(cluster)/argocd/", "clusters/\(cluster)/flux/"]
        case .lock: [PlacementLock.fileName]
        }
    }

    /// The unit a repository path belongs to, or `nil` for paths outside every unit.
    public static func containing(_ path: String) -> RenderUnit? {
        if path == PlacementLock.fileName { return .lock }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "clusters", !parts[1].isEmpty else { return nil }
        let cluster = String(parts[1])
        switch parts[2] {
        case "tenants": return parts.count >= 5 && !parts[3].isEmpty ? .tenant(cluster: cluster, tenant: String(parts[3])) : nil
        case "kustomization.yaml": return parts.count == 3 ? .cluster(cluster) : nil
        case "platform", "argocd", "flux": return parts.count >= 4 ? .cluster(cluster) : nil
        default: return nil
        }
    }

    public static func < (lhs: RenderUnit, rhs: RenderUnit) -> Bool { lhs.description < rhs.description }
}
