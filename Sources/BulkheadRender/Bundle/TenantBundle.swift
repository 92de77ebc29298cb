public import BulkheadModel
public import BulkheadKube

/// Everything one tenant gets on one cluster: its namespace and guardrails, identity, cloud
/// resources and app wiring, plus the IAM documents written as plain JSON beside them.
public struct TenantBundle: Sendable {
    public var tenant: String
    public var cluster: String
    public var objects: [any KubeObject]
    /// The role's trust policy (`trust-policy.json` beside `bundle.yaml`).
    public var trustPolicy: IAMPolicyDocument
    /// The role's permissions (`permissions-policy.json`); `nil` when the tenant has no cloud resources.
    public var permissionsPolicy: IAMPolicyDocument?
}

/// The label keys Bulkhead puts on what it renders.
public enum BulkheadLabels {
    public static let tenant = "bulkhead.dev/tenant"
    public static let tier = "bulkhead.dev/tier"
    public static let team = "bulkhead.dev/team"
    public static let costCenter = "bulkhead.dev/cost-center"
    public static let dataClassification = "bulkhead.dev/data-classification"
    /// The tier's isolation (`shared`, `dedicated-nodes`, `dedicated-cluster`), on namespaces.
    public static let isolation = "bulkhead.dev/isolation"
    /// `"true"` on a namespace whose quota allows NodePort Services.
    public static let allowNodePort = "bulkhead.dev/allow-nodeport"
    /// `"true"` on a namespace whose quota allows LoadBalancer Services.
    public static let allowLoadBalancer = "bulkhead.dev/allow-loadbalancer"
    public static let managedBy = "app.kubernetes.io/managed-by"
}

/// Renders a tenant's bundle for one cluster. Pure: the same inputs give the same objects.
public struct TenantBundleRenderer: Sendable {
    public let platform: Platform
    public let tenant: Tenant
    public let tier: Tier
    public let cluster: Cluster
    public let quota: [String: String]

    /// The bundle depends on exactly these four inputs (render fingerprints rely on it).
    public init(platform: Platform, tier: Tier, tenant: Tenant, cluster: Cluster) {
        self.platform = platform
        self.tenant = tenant
        self.tier = tier
        self.cluster = cluster
        self.quota = tier.quota.merging(tenant.quota) { _, override in override }
    }

    public init(declaration: PlatformDeclaration, tenant: Tenant, cluster: Cluster) {
        self.init(platform: declaration.platform, tier: declaration.tiers[tenant.tier]!, tenant: tenant, cluster: cluster)
    }

    var namespace: String { tenant.name }

    var labels: [String: String] {
        [BulkheadLabels.managedBy: "bulkhead", BulkheadLabels.tenant: tenant.name]
    }

    func meta(_ name: String) -> ObjectMeta {
        ObjectMeta(name: name, namespace: namespace, labels: labels)
    }

    public func render() throws -> TenantBundle {
        var objects: [any KubeObject] = [namespaceObject(), resourceQuota(), limitRange()]
        objects += networkPolicies()
        objects += rbac()
        let identity = try workloadIdentity()
        objects += identity.objects
        objects += buckets()
        objects += apps()
        return TenantBundle(tenant: tenant.name, cluster: cluster.name, objects: objects, trustPolicy: identity.trust, permissionsPolicy: identity.permissions)
    }

    /// Pod Security level: the tier's, but always `restricted` for pii and phi data.
    var podSecurityLevel: PodSecurityLevel {
        tenant.dataClassification.forcesRestricted ? .restricted : tier.podSecurity
    }

    func namespaceObject() -> Namespace {
        let level = podSecurityLevel.rawValue
        let version = "v\(cluster.kubernetesVersion)"
        var namespaceLabels = labels
        namespaceLabels[BulkheadLabels.tier] = tier.name
        namespaceLabels[BulkheadLabels.team] = tenant.team
        namespaceLabels[BulkheadLabels.costCenter] = tenant.costCenter
        namespaceLabels[BulkheadLabels.dataClassification] = tenant.dataClassification.rawValue
        namespaceLabels[BulkheadLabels.isolation] = tier.isolation.rawValue
        // The built-in service-types guardrail reads these; the quota enforces the counts.
        let hard = resourceQuota().spec.hard
        if let nodePorts = hard["services.nodeports"], nodePorts != "0" { namespaceLabels[BulkheadLabels.allowNodePort] = "true" }
        if let balancers = hard["services.loadbalancers"], balancers != "0" { namespaceLabels[BulkheadLabels.allowLoadBalancer] = "true" }
        for mode in ["enforce", "audit", "warn"] {
            namespaceLabels["pod-security.kubernetes.io/\(mode)"] = level
            namespaceLabels["pod-security.kubernetes.io/\(mode)-version"] = version
        }
        return Namespace(metadata: ObjectMeta(name: namespace, labels: namespaceLabels, annotations: ["bulkhead.dev/owners": tenant.owners.joined(separator: ",")]))
    }

    /// Tier quota with the tenant's overrides, completed with Bulkhead's defaults for storage,
    /// object counts, and zero NodePorts and LoadBalancers.
    func resourceQuota() -> ResourceQuota {
        var hard = quota
        for (key, value) in ResourceQuotaKeys.defaults where hard[key] == nil { hard[key] = value }
        return ResourceQuota(metadata: meta("tenant-quota"), hard: hard)
    }

    /// The tier's container defaults, completed so that every quota'd resource has a default
    /// request (otherwise the quota would reject pods that do not set one).
    func limitRange() -> LimitRange {
        var defaultRequest = tier.limitRange.defaultRequest
        var defaults = tier.limitRange.default
        let fill: [(String, String, String)] = [("cpu", "100m", "500m"), ("memory", "128Mi", "512Mi"), ("ephemeral-storage", "256Mi", "1Gi")]
        let maximum = tier.limitRange.max
        for (resource, request, limit) in fill {
            let requested = quota["requests.\(resource)"] != nil || quota[resource] != nil || resource == "ephemeral-storage"
            let limited = quota["limits.\(resource)"] != nil || quota[resource] != nil
            // A value filled in stays within what the tier declares (defaultRequest <= default <=
            // max), or the API server would refuse the whole LimitRange.
            if requested, defaultRequest[resource] == nil {
                defaultRequest[resource] = Self.smallest([request, defaults[resource], maximum[resource]])
            }
            if limited, defaults[resource] == nil {
                let atLeastTheRequest = Self.largest([limit, defaultRequest[resource]])
                defaults[resource] = Self.smallest([atLeastTheRequest, maximum[resource]])
            }
        }
        let item = LimitRange.Item(type: "Container", defaultRequest: defaultRequest, default: defaults, max: tier.limitRange.max.isEmpty ? nil : tier.limitRange.max)
        return LimitRange(metadata: meta("tenant-limits"), limits: [item])
    }

    /// The smallest of the quantities given (as written), or the first when none parses.
    static func smallest(_ values: [String?]) -> String {
        let present = values.compactMap { $0 }
        return present.min { (Quantity($0) ?? Quantity(millis: .max)) < (Quantity($1) ?? Quantity(millis: .max)) } ?? present[0]
    }

    /// The largest of the quantities given (as written).
    static func largest(_ values: [String?]) -> String {
        let present = values.compactMap { $0 }
        return present.max { (Quantity($0) ?? Quantity(millis: .min)) < (Quantity($1) ?? Quantity(millis: .min)) } ?? present[0]
    }
}
