import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation

/// A tenant as the API shows it: its declaration and where it is placed.
struct TenantView: Encodable {
    struct AppView: Encodable {
        var name: String
        var port: Int?
        var queue: App.Queue?
    }

    var name: String
    var tier: String
    var team: String
    var owners: [String]
    var costCenter: String
    var environments: [String]
    var regions: [String]?
    var dataClassification: String
    var quota: [String: String]
    var apps: [AppView]
    var buckets: [String]
    /// The declaration file, relative to the platform folder.
    var file: String
    var placements: [LockedPlacement]
    /// Only on `GET /v1/tenants/{name}`: the committed objects per cluster and the last commits.
    var objects: [String: [TenantFootprint.ObjectReference]]?
    var lastCommit: TenantFootprint.Commit?
    var lastGitOpsCommit: TenantFootprint.Commit?

    init(_ tenant: Tenant, placements: [LockedPlacement], footprint: TenantFootprint? = nil) {
        name = tenant.name
        tier = tenant.tier
        team = tenant.team
        owners = tenant.owners
        costCenter = tenant.costCenter
        environments = tenant.environments.map(\.rawValue)
        regions = tenant.regions
        dataClassification = tenant.dataClassification.rawValue
        quota = tenant.quota
        apps = tenant.apps.map { AppView(name: $0.name, port: $0.port, queue: $0.queue) }
        buckets = tenant.buckets
        file = tenant.origin.location.file
        self.placements = placements
        objects = footprint?.objects
        lastCommit = footprint?.lastCommit
        lastGitOpsCommit = footprint?.lastGitOpsCommit
    }
}

/// A cluster with its budget, what the tenants placed on it use of it, and what is free.
/// Quantities are exact decimal strings (memory in bytes), like `capacity`.
struct ClusterView: Encodable {
    var name: String
    var environment: String
    var region: String
    var kubernetesVersion: String
    var capacity: [String: String]
    var overcommit: Double
    /// `capacity × overcommit`.
    var budget: [String: String]
    /// The sum of the effective quota requests of the tenants placed here (from the lock).
    var used: [String: String]
    /// `budget - used`; negative where the cluster is over budget.
    var free: [String: String]
    var dedicatedTo: String?
    var tenants: Int

    init(_ cluster: Cluster, usage: ClusterUsage) {
        name = cluster.name
        environment = cluster.environment.rawValue
        region = cluster.region
        kubernetesVersion = cluster.kubernetesVersion.description
        capacity = Self.figures(cluster.capacity)
        overcommit = cluster.overcommit
        budget = Self.figures(usage.budget)
        used = Self.figures(usage.used)
        free = Self.figures(usage.free)
        dedicatedTo = cluster.dedicatedTo
        tenants = usage.tenants.count
    }

    static func figures(_ capacity: Capacity) -> [String: String] {
        ["cpu": capacity.cpu.description, "memory": capacity.memory.description, "pods": capacity.pods.description]
    }
}

/// One page of a list.
struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var total: Int
    var offset: Int
    var limit: Int
    /// The offset of the next page, or nil on the last one.
    var next: Int?
}

/// The answer to a change.
struct ChangeView: Encodable {
    var tenant: String?
    var platformCommitBefore: String?
    var platformCommitAfter: String?
    var gitopsCommitBefore: String?
    var gitopsCommitAfter: String?
    var requestId: String

    init(_ change: WorkspaceChange, requestID: String) {
        tenant = change.tenant.isEmpty ? nil : change.tenant
        platformCommitBefore = change.platformCommitBefore
        platformCommitAfter = change.platformCommitAfter
        gitopsCommitBefore = change.gitops.commitBefore
        gitopsCommitAfter = change.gitops.commitAfter
        requestId = requestID
    }
}
