@testable import BulkheadModel
import BulkheadKube
@testable import BulkheadRender
import Testing

/// What a tenant bundle contains, checked on the objects rather than on text.
@Suite struct TenantBundleTests {
    static let origin = PlacementExampleTests.origin

    static func setup(classification: DataClassification = .internal, podSecurity: PodSecurityLevel = .baseline, karpenter: String = "1.14.1", capacityTypes: [CapacityType] = [.spot, .onDemand]) -> (PlatformDeclaration, Tenant, Cluster) {
        var cluster = PlacementExampleTests.cluster("prod-1", cpu: 100)
        cluster.addons = ["karpenter": karpenter]
        cluster.kubernetesVersion = KubernetesVersion(major: 1, minor: 32)
        let tier = Tier(name: "std", isolation: .dedicatedNodes, podSecurity: podSecurity, quota: ["requests.cpu": "4", "requests.memory": "8Gi", "pods": "20", "limits.cpu": "8"],
                        limitRange: LimitRangeSettings(defaultRequest: [:], default: [:], max: ["cpu": "2"]), capacityTypes: capacityTypes, instanceFamilies: ["m7i"], versioning: true, origin: origin)
        let tenant = Tenant(name: "shop", tier: "std", owners: ["shop-admins"], team: "retail", costCenter: "CC-1", environments: [.prod], regions: nil,
                            dataClassification: classification, quota: ["requests.cpu": "6"],
                            apps: [App(name: "api", port: 8080, queue: nil), App(name: "worker", port: nil, queue: .init(targetLength: 5, maxReplicas: 30))],
                            buckets: ["media"], origin: origin)
        let declaration = PlatformDeclaration(platform: .defaults(at: origin.location), clusters: [cluster], tiers: ["std": tier], tenants: [tenant])
        return (declaration, tenant, cluster)
    }

    @Test func namespaceCarriesTenantLabelsAndPinnedPodSecurity() throws {
        let (d, tenant, cluster) = Self.setup()
        let ns = TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster).namespaceObject()
        let labels = try #require(ns.metadata.labels)
        #expect(labels["bulkhead.dev/tenant"] == "shop")
        #expect(labels["bulkhead.dev/cost-center"] == "CC-1")
        #expect(labels["pod-security.kubernetes.io/enforce"] == "baseline")
        #expect(labels["pod-security.kubernetes.io/enforce-version"] == "v1.32")
    }

    @Test(arguments: [DataClassification.pii, .phi])
    func sensitiveDataIsAlwaysRestricted(classification: DataClassification) throws {
        let (d, tenant, cluster) = Self.setup(classification: classification, podSecurity: .baseline)
        let labels = try #require(TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster).namespaceObject().metadata.labels)
        for mode in ["enforce", "audit", "warn"] { #expect(labels["pod-security.kubernetes.io/\(mode)"] == "restricted") }
    }

    @Test func quotaMergesOverridesAndForbidsNodePortsAndLoadBalancers() {
        let (d, tenant, cluster) = Self.setup()
        let hard = TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster).resourceQuota().spec.hard
        #expect(hard["requests.cpu"] == "6")
        #expect(hard["requests.memory"] == "8Gi")
        #expect(hard["services.nodeports"] == "0")
        #expect(hard["services.loadbalancers"] == "0")
        for key in ["requests.ephemeral-storage", "services", "configmaps", "secrets", "persistentvolumeclaims", "pods"] { #expect(hard[key] != nil, "\(key) missing") }
    }

    @Test func limitRangeGivesADefaultForEveryQuotaedResource() throws {
        let (d, tenant, cluster) = Self.setup()
        let item = try #require(TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster).limitRange().spec.limits.first)
        #expect(item.defaultRequest?["cpu"] != nil && item.defaultRequest?["memory"] != nil && item.defaultRequest?["ephemeral-storage"] != nil)
        #expect(item.default?["cpu"] != nil)
        #expect(item.max?["cpu"] == "2")
    }

    /// Defaults filled in for resources the tier leaves out stay within what it declares: the
    /// API server refuses a LimitRange whose defaultRequest is above its default or max.
    @Test func filledInLimitRangeValuesStayWithinTheDeclaredOnes() throws {
        var (d, tenant, cluster) = Self.setup()
        d.tiers["std"]?.quota["limits.memory"] = "16Gi"
        d.tiers["std"]?.limitRange = LimitRangeSettings(defaultRequest: [:], default: ["cpu": "50m"], max: ["cpu": "2", "memory": "256Mi", "ephemeral-storage": "128Mi"])
        let item = try #require(TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster).limitRange().spec.limits.first)
        #expect(item.defaultRequest?["cpu"] == "50m", "not the usual 100m, which is above the declared default")
        #expect(item.default?["cpu"] == "50m")
        #expect(item.defaultRequest?["memory"] == "128Mi" && item.default?["memory"] == "256Mi", "the usual 512Mi limit is above max")
        #expect(item.defaultRequest?["ephemeral-storage"] == "128Mi", "the usual 256Mi is above max")
        for resource in ["cpu", "memory", "ephemeral-storage"] {
            let request = item.defaultRequest?[resource].flatMap(Quantity.init), limit = item.default?[resource].flatMap(Quantity.init)
            let maximum = item.max?[resource].flatMap(Quantity.init)
            if let request, let limit { #expect(request <= limit, "\(resource)") }
            if let limit, let maximum { #expect(limit <= maximum, "\(resource)") }
            if let request, let maximum { #expect(request <= maximum, "\(resource)") }
        }
    }

    @Test func roleCannotWriteGuardrails() {
        let writes = Set(["create", "update", "patch", "delete", "deletecollection", "*"])
        for rule in TenantBundleRenderer.tenantAdminRules where !Set(rule.verbs).isDisjoint(with: writes) {
            for resource in rule.resources {
                #expect(!["resourcequotas", "limitranges", "networkpolicies", "roles", "rolebindings", "namespaces", "*"].contains(resource), "tenant-admin may write \(resource)")
            }
        }
    }

    @Test func iamPermissionsReachOnlyTheTenantsOwnResources() throws {
        let (d, tenant, cluster) = Self.setup()
        let renderer = TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster)
        let permissions = try #require(renderer.permissionsPolicy())
        let resources = permissions.statement.flatMap { $0.resource ?? [] }
        #expect(!resources.contains("*"))
        #expect(resources.allSatisfy { $0.contains("bulkhead-shop-prod-1") || $0.contains("shop-worker-prod-1") || $0.contains("shop-media-prod-1") })
        #expect(permissions.statement.allSatisfy { $0.condition?["StringEquals"]?["aws:PrincipalTag/kubernetes-namespace"] == "shop" })
        let trust = renderer.trustPolicy()
        #expect(trust.statement.first?.action == ["sts:AssumeRole", "sts:TagSession"])
        #expect(trust.statement.first?.principal == ["Service": "pods.eks.amazonaws.com"])
    }

    @Test func dedicatedNodesTenantGetsATaintedLabelledPool() throws {
        let (d, tenant, cluster) = Self.setup()
        let nodes = NodeCapacityRenderer(cluster: cluster, tenants: [(tenant, d.tiers["std"]!)]).render()
        let pools = nodes.objects.compactMap { $0 as? SpecObject<NodePoolSpec> }
        let pool = try #require(pools.first { $0.metadata.name == "tenant-shop" })
        #expect(pool.spec.template.spec.taints == [Taint(key: "bulkhead.dev/tenant", value: "shop", effect: "NoSchedule")])
        #expect(pool.spec.template.metadata?.labels?["bulkhead.dev/tenant"] == "shop")
        #expect(nodes.objects.filter { $0.kind == "EC2NodeClass" }.count == 1)
    }

    @Test func reservedCapacityFollowsTheDeclaredKarpenterVersion() throws {
        for (version, expectReserved) in [("1.2.0", false), ("1.3.0", true), ("1.14.1", true)] {
            let (d, tenant, cluster) = Self.setup(karpenter: version, capacityTypes: [.onDemand, .reserved])
            let nodes = NodeCapacityRenderer(cluster: cluster, tenants: [(tenant, d.tiers["std"]!)]).render()
            let pool = try #require(nodes.objects.compactMap { $0 as? SpecObject<NodePoolSpec> }.first)
            let types = pool.spec.template.spec.requirements.first { $0.key == "karpenter.sh/capacity-type" }?.values ?? []
            #expect(types.contains("reserved") == expectReserved, "karpenter \(version)")
            let nodeClass = try #require(nodes.objects.compactMap { $0 as? SpecObject<EC2NodeClassSpec> }.first)
            #expect((nodeClass.spec.capacityReservationSelectorTerms != nil) == expectReserved)
            #expect(nodes.warnings.isEmpty == expectReserved)
        }
    }

    @Test func hybridClustersGetNoNodeObjects() {
        var (d, tenant, cluster) = Self.setup()
        cluster.location = .hybrid
        d.clusters = [cluster]
        #expect(NodeCapacityRenderer(cluster: cluster, tenants: [(tenant, d.tiers["std"]!)]).render().objects.isEmpty)
    }

    @Test func appsGetRoutesUnderTheTenantPathAndQueueWorkersScaleFromZero() throws {
        let (d, tenant, cluster) = Self.setup()
        let objects = TenantBundleRenderer(declaration: d, tenant: tenant, cluster: cluster).apps()
        let route = try #require(objects.compactMap { $0 as? SpecObject<HTTPRouteSpec> }.first)
        #expect(route.spec.rules.first?.matches.first?.path.value == "/shop/api")
        #expect(route.spec.parentRefs.first?.name == "gw")
        let scaler = try #require(objects.compactMap { $0 as? SpecObject<ScaledObjectSpec> }.first)
        #expect(scaler.spec.minReplicaCount == 0 && scaler.spec.maxReplicaCount == 30)
        #expect(scaler.spec.triggers.first?.type == "aws-sqs-queue")
        #expect(scaler.spec.triggers.first?.metadata["queueLength"] == "5")
        let auth = try #require(objects.compactMap { $0 as? SpecObject<TriggerAuthenticationSpec> }.first)
        #expect(auth.spec.podIdentity.provider == "aws")
    }
}
