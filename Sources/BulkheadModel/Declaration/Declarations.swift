public import BulkheadKube

/// The API version every declaration document carries.
public let declarationAPIVersion = "bulkhead.dev/v1alpha1"

/// Where each declaration came from, so later checks can point at the right line.
public struct Origin: Sendable, Encodable, Hashable {
    /// The document's `metadata.name` (or the document start when it has none).
    public var location: SourceLocation
    /// Locations of fields by path (`spec.tier`, `spec.regions[0]`), for cross-reference errors.
    public var fields: [String: SourceLocation]

    public init(location: SourceLocation, fields: [String: SourceLocation] = [:]) {
        self.location = location
        self.fields = fields
    }

    /// The location of a field, falling back to the document's.
    public func at(_ path: String) -> SourceLocation { fields[path] ?? location }
}

/// Which GitOps engine objects are written.
public enum GitOpsEngine: String, Sendable, Encodable, CaseIterable {
    case argocd, flux, both
    public var writesArgoCD: Bool { self != .flux }
    public var writesFlux: Bool { self != .argocd }
}

/// Which admission engine guardrail policies are written for (`spec.policyEngine`).
public enum PolicyEngineChoice: String, Sendable, Encodable, CaseIterable {
    /// `ValidatingAdmissionPolicy` + binding, enforced by the API server itself (Kubernetes ≥ 1.30).
    case native
    /// The native objects and, beside them, Kyverno `ValidatingPolicy` objects.
    case kyverno
}

/// Where the API server reaches Bulkhead's admission webhook (`spec.webhook`).
public struct WebhookSettings: Sendable, Encodable, Hashable {
    /// Base64 of the PEM CA certificate that signed the webhook's serving certificate
    /// (`bulkhead webhook certs` prints it).
    public var caBundle: String
    public var namespace: String = "bulkhead-system"
    public var service: String = "bulkhead-webhook"
    public var port: Int = 443
    public var timeoutSeconds: Int = 5
    /// `Ignore` by default: a webhook outage never blocks a cluster (the native policies still apply).
    public var failurePolicy: String = "Ignore"

    public init(caBundle: String) {
        self.caBundle = caBundle
    }
}

/// Fleet-wide settings (`kind: Platform`, at most one).
public struct Platform: Sendable, Encodable {
    public var name: String
    public var gitops: GitOpsEngine
    public var bucketPrefix: String
    /// The URL Argo CD and Flux read the GitOps repository from.
    public var repoURL: String
    /// The branch or tag they follow.
    public var revision: String
    /// Which admission engine the guardrail policies are rendered for.
    public var policyEngine: PolicyEngineChoice = .native
    /// Image registries tenant pods may pull from (`registry.example.com`, `ghcr.io/acme`); empty
    /// means any registry, and the built-in registry policy is not rendered.
    public var allowedRegistries: [String] = []
    /// Bulkhead's optional admission webhook; when set, every cluster gets a
    /// ValidatingWebhookConfiguration that sends tenant-namespace requests to it.
    public var webhook: WebhookSettings?
    public var origin: Origin

    /// The settings used when a folder declares no Platform.
    public static func defaults(at location: SourceLocation) -> Platform {
        Platform(name: "platform", gitops: .argocd, bucketPrefix: "bulkhead", repoURL: defaultRepoURL, revision: "main", origin: Origin(location: location))
    }
    public static let defaultRepoURL = "https://git.example.com/platform/gitops.git"
}

public enum Environment: String, Sendable, Encodable, CaseIterable, Comparable {
    case sandbox, dev, staging, prod
    public static func < (lhs: Environment, rhs: Environment) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public enum ClusterLocation: String, Sendable, Encodable, CaseIterable {
    case region, localZone = "local-zone", outpost, hybrid
}

/// A `major.minor` Kubernetes version.
public struct KubernetesVersion: Sendable, Encodable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    /// Parses "1.33" (a patch part such as "1.33.2" is accepted and ignored).
    public init?(_ text: String) {
        let parts = text.hasPrefix("v") ? text.dropFirst().split(separator: ".") : text.split(separator: ".")
        guard parts.count == 2 || parts.count == 3, let major = Int(parts[0]), let minor = Int(parts[1]),
              parts.count == 2 || Int(parts[2]) != nil else { return nil }
        self.init(major: major, minor: minor)
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
    public var description: String { "\(major).\(minor)" }

    /// The versions Bulkhead renders for (EKS standard and extended support).
    public static let supported = KubernetesVersion(major: 1, minor: 30)...KubernetesVersion(major: 1, minor: 35)
}

/// A `major.minor.patch` add-on version such as Karpenter's.
public struct SemanticVersion: Sendable, Encodable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int, minor: Int, patch: Int
    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }
    public init?(_ text: String) {
        let parts = (text.hasPrefix("v") ? String(text.dropFirst()) : text).split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        let patch = parts.count == 3 ? Int(parts[2]) : 0
        guard let patch else { return nil }
        self.init(major, minor, patch)
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch) }
    public var description: String { "\(major).\(minor).\(patch)" }
}

/// Resources a cluster budgets for tenant quota requests.
public struct Capacity: Sendable, Encodable, Hashable {
    public var cpu: Quantity
    public var memory: Quantity
    public var pods: Quantity
    public init(cpu: Quantity, memory: Quantity, pods: Quantity) {
        self.cpu = cpu
        self.memory = memory
        self.pods = pods
    }
    public static let zero = Capacity(cpu: .zero, memory: .zero, pods: .zero)
    public static func + (lhs: Capacity, rhs: Capacity) -> Capacity {
        Capacity(cpu: lhs.cpu + rhs.cpu, memory: lhs.memory + rhs.memory, pods: lhs.pods + rhs.pods)
    }
    public static func - (lhs: Capacity, rhs: Capacity) -> Capacity {
        Capacity(cpu: lhs.cpu - rhs.cpu, memory: lhs.memory - rhs.memory, pods: lhs.pods - rhs.pods)
    }
    /// True when every dimension of `self` is at most that of `budget`.
    public func fits(within budget: Capacity) -> Bool {
        cpu <= budget.cpu && memory <= budget.memory && pods <= budget.pods
    }
}

public struct GatewayReference: Sendable, Encodable, Hashable {
    public var name: String
    public var namespace: String
}

/// One member of the fleet (`kind: Cluster`).
public struct Cluster: Sendable, Encodable {
    public var name: String
    public var labels: [String: String]
    public var environment: Environment
    public var region: String
    public var location: ClusterLocation
    public var accountId: String
    public var kubernetesVersion: KubernetesVersion
    /// Add-on versions by name (`karpenter`, `keda`, ...), as declared.
    public var addons: [String: String]
    public var capacity: Capacity
    public var overcommit: Double
    public var gateway: GatewayReference
    public var dedicatedTo: String?
    public var origin: Origin

    /// The declared Karpenter version, if Karpenter is installed.
    public var karpenterVersion: SemanticVersion? { addons["karpenter"].flatMap(SemanticVersion.init) }

    /// `capacity × overcommit`: what tenant quota requests may add up to.
    public var budget: Capacity {
        Capacity(cpu: capacity.cpu.scaled(by: overcommit), memory: capacity.memory.scaled(by: overcommit), pods: capacity.pods.scaled(by: overcommit))
    }
}

public enum Isolation: String, Sendable, Encodable, CaseIterable {
    case shared, dedicatedNodes = "dedicated-nodes", dedicatedCluster = "dedicated-cluster"
}

public enum PodSecurityLevel: String, Sendable, Encodable, CaseIterable {
    case restricted, baseline
}

public enum CapacityType: String, Sendable, Encodable, CaseIterable {
    case spot, onDemand = "on-demand", reserved
}

/// Defaults, maxima and default requests for containers (`spec.limitRange`).
public struct LimitRangeSettings: Sendable, Encodable, Hashable {
    public var defaultRequest: [String: String]
    public var `default`: [String: String]
    public var max: [String: String]
}

/// A tenant class (`kind: Tier`).
public struct Tier: Sendable, Encodable {
    public var name: String
    public var isolation: Isolation
    public var podSecurity: PodSecurityLevel
    /// ResourceQuota `hard` values by key, as written.
    public var quota: [String: String]
    public var limitRange: LimitRangeSettings
    public var capacityTypes: [CapacityType]
    public var instanceFamilies: [String]
    public var versioning: Bool
    public var origin: Origin
}

public enum DataClassification: String, Sendable, Encodable, Hashable, CaseIterable {
    case `public`, `internal`, pii, phi
    /// `pii` and `phi` namespaces are always Pod Security `restricted`.
    public var forcesRestricted: Bool { self == .pii || self == .phi }
}

/// An application of a tenant: a routed service (`port`) or a queue worker (`queue`).
public struct App: Sendable, Encodable, Hashable {
    public struct Queue: Sendable, Encodable, Hashable {
        public var targetLength: Int
        public var maxReplicas: Int
    }
    public var name: String
    public var port: Int?
    public var queue: Queue?
}

/// A tenant (`kind: Tenant`).
public struct Tenant: Sendable, Encodable, Hashable {
    public var name: String
    public var tier: String
    public var owners: [String]
    public var team: String
    public var costCenter: String
    public var environments: [Environment]
    /// `nil` means every region that has clusters of the tenant's environments.
    public var regions: [String]?
    public var dataClassification: DataClassification
    /// Per-key overrides of the tier's quota, as written.
    public var quota: [String: String]
    public var apps: [App]
    public var buckets: [String]
    public var origin: Origin
}

/// The text a tenant was decoded from: its document, from its `---` line (or the file's start) to
/// the next document marker. The decoded tenant is a function of this text, its start line and
/// its file, so those fingerprint it far more cheaply than encoding the tenant does.
public struct TenantSource: Sendable {
    /// The 1-based line the text starts on.
    public var line: Int
    public var text: Substring
    /// The tenant's `valueHash(of:)` when it was loaded. A tenant changed since (by code that
    /// edits a loaded declaration) no longer matches, and its source no longer describes it.
    public var valueHash: Int = 0

    /// Whether this source still describes `tenant`, as loaded.
    public func describes(_ tenant: Tenant) -> Bool { valueHash == Self.valueHash(of: tenant) }

    /// A hash of all of `tenant` but its field locations, which only point loader errors at
    /// lines and took most of the time of hashing a tenant.
    public static func valueHash(of tenant: Tenant) -> Int {
        var tenant = tenant
        tenant.origin.fields = [:]
        return tenant.hashValue
    }
}

/// A whole, validated platform declaration.
public struct PlatformDeclaration: Sendable {
    public var platform: Platform
    /// Sorted by name.
    public var clusters: [Cluster]
    public var tiers: [String: Tier]
    /// Sorted by name.
    public var tenants: [Tenant]
    /// What the loader put before each file name in source locations ("" or a folder path
    /// ending in "/"), so a location can be told apart from how the folder was named.
    public var locationPrefix = ""
    /// The document text each loaded tenant was read from, by tenant name (see `TenantSource`).
    public var tenantSources: [String: TenantSource] = [:]

    public init(platform: Platform, clusters: [Cluster], tiers: [String: Tier], tenants: [Tenant]) {
        self.platform = platform
        self.clusters = clusters.sorted { $0.name < $1.name }
        self.tiers = tiers
        self.tenants = tenants.sorted { $0.name < $1.name }
    }

    /// `location` with `locationPrefix` taken off its file name.
    public func relativeToFolder(_ location: SourceLocation) -> SourceLocation {
        // Compared and cut as UTF-8 bytes (the prefix is a folder path ending in "/"): this runs
        // for every tenant on every apply.
        guard !locationPrefix.isEmpty, location.file.utf8.starts(with: locationPrefix.utf8) else { return location }
        var location = location
        location.file = String(decoding: location.file.utf8.dropFirst(locationPrefix.utf8.count), as: UTF8.self)
        return location
    }

    /// `origin` with `locationPrefix` taken off every file name in it.
    public func relativeToFolder(_ origin: Origin) -> Origin {
        guard !locationPrefix.isEmpty else { return origin }
        return Origin(location: relativeToFolder(origin.location), fields: origin.fields.mapValues(relativeToFolder))
    }

    public func cluster(named name: String) -> Cluster? { clusters.first { $0.name == name } }
    public func tenant(named name: String) -> Tenant? { tenants.first { $0.name == name } }

    /// The tenant's effective quota: the tier's values with the tenant's overrides on top.
    public func effectiveQuota(of tenant: Tenant) -> [String: String] {
        var quota = tiers[tenant.tier]?.quota ?? [:]
        for (key, value) in tenant.quota { quota[key] = value }
        return quota
    }

    /// What a tenant's quota requests of a cluster's budget: requests.cpu, requests.memory, pods.
    public func requestedCapacity(of tenant: Tenant) -> Capacity {
        // Looked up key by key, as `effectiveQuota` would give it, without building the merged
        // quota: placement asks this for every tenant on every apply.
        let tierQuota = tiers[tenant.tier]?.quota
        func value(_ keys: String...) -> Quantity {
            for key in keys { if let text = tenant.quota[key] ?? tierQuota?[key], let q = Quantity(text) { return q } }
            return .zero
        }
        return Capacity(cpu: value("requests.cpu", "cpu"), memory: value("requests.memory", "memory"), pods: value("pods"))
    }
}
