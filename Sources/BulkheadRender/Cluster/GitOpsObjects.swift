public import BulkheadKube
public import BulkheadModel

/// Argo CD and Flux objects for one cluster. Each cluster runs its own engine (in-cluster
/// destination), bootstrapped once from `clusters/<cluster>/argocd` or `clusters/<cluster>/flux`.
public struct GitOpsObjectsRenderer: Sendable {
    public let platform: Platform
    public let cluster: Cluster
    public let tenants: [String]

    public init(platform: Platform, cluster: Cluster, tenants: [String]) {
        self.platform = platform
        self.cluster = cluster
        self.tenants = tenants
    }

    static let inCluster = "https://kubernetes.default.svc"
    static let argoNamespace = "argocd"
    static let fluxNamespace = "flux-system"
    var root: String { "clusters/\(cluster.name)" }

    func argoMeta(_ name: String) -> ObjectMeta {
        ObjectMeta(name: name, namespace: Self.argoNamespace, labels: [BulkheadLabels.managedBy: "bulkhead"])
    }

    /// What a tenant's own Argo CD applications may create in its namespace.
    static let tenantResourceAllowList: [GroupKind] = [
        ("", "ConfigMap"), ("", "Secret"), ("", "Service"), ("", "ServiceAccount"), ("", "PersistentVolumeClaim"), ("", "Pod"),
        ("apps", "Deployment"), ("apps", "StatefulSet"), ("batch", "Job"), ("batch", "CronJob"),
        ("autoscaling", "HorizontalPodAutoscaler"), ("policy", "PodDisruptionBudget"),
        ("gateway.networking.k8s.io", "HTTPRoute"), ("keda.sh", "ScaledObject"), ("keda.sh", "ScaledJob"), ("keda.sh", "TriggerAuthentication"),
    ].map { GroupKind(group: $0.0, kind: $0.1) }

    /// One object of the cluster's GitOps files, with a key when the object is a function of that
    /// key alone (its YAML can then be kept and reused: a cluster holds hundreds of tenants, and
    /// every tenant added re-renders the file).
    public struct Document {
        public var object: any KubeObject
        public var key: String?
    }

    /// AppProjects (the platform's and one per tenant), the ApplicationSet that makes one
    /// Application per tenant folder, and the Applications for the platform folder and this folder.
    public func argoCD() -> [any KubeObject] { argoCDDocuments().map(\.object) }

    /// `argoCD()` with keys.
    public func argoCDDocuments() -> [Document] {
        var objects: [Document] = []
        func append(_ object: any KubeObject, key: String? = nil) { objects.append(Document(object: object, key: key)) }
        append(SpecObject(apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: argoMeta("bulkhead-platform"), spec: AppProjectSpec(
            description: "Objects Bulkhead renders for cluster \(cluster.name): node pools and tenant bundles",
            sourceRepos: [platform.repoURL], destinations: [(Self.inCluster, "*")],
            clusterResourceWhitelist: [GroupKind(group: "", kind: "Namespace"), GroupKind(group: "karpenter.sh", kind: "NodePool"), GroupKind(group: "karpenter.k8s.aws", kind: "EC2NodeClass")],
            namespaceResourceWhitelist: [GroupKind(group: "*", kind: "*")])))
        for tenant in tenants {
            var meta = argoMeta(tenant)
            meta.labels?[BulkheadLabels.tenant] = tenant
            // Made from the tenant's name and constants only: the key says so.
            append(SpecObject(apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: meta, spec: AppProjectSpec(
                description: "Applications of tenant \(tenant): its namespace on this cluster only",
                sourceRepos: ["*"], destinations: [(Self.inCluster, tenant)],
                clusterResourceWhitelist: [], namespaceResourceWhitelist: Self.tenantResourceAllowList)), key: "argocd-tenant-project\u{0}\(tenant)")
        }
        let template = ApplicationSetSpec.Template(
            metadata: .init(name: "tenant-{{.path.basename}}", labels: [BulkheadLabels.managedBy: "bulkhead", BulkheadLabels.tenant: "{{.path.basename}}"]),
            spec: ApplicationSpec(project: "bulkhead-platform", repoURL: platform.repoURL, revision: platform.revision, path: "{{.path.path}}",
                                  server: Self.inCluster, namespace: "{{.path.basename}}", syncOptions: ["ServerSideApply=true"]))
        append(SpecObject(apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet", metadata: argoMeta("bulkhead-tenants"), spec: ApplicationSetSpec(
            repoURL: platform.repoURL, revision: platform.revision, directories: ["\(root)/tenants/*"], template: template)))
        for (name, path) in [("bulkhead-platform", "\(root)/platform"), ("bulkhead-argocd", "\(root)/argocd")] {
            append(SpecObject(apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: argoMeta(name), spec: ApplicationSpec(
                project: "bulkhead-platform", repoURL: platform.repoURL, revision: platform.revision, path: path,
                server: Self.inCluster, namespace: nil, syncOptions: ["ServerSideApply=true"])))
        }
        return objects
    }

    /// A Kustomization for the platform folder and one per tenant folder, after the platform's.
    public func flux() -> [any KubeObject] { fluxDocuments().map(\.object) }

    /// `flux()` with keys.
    public func fluxDocuments() -> [Document] {
        func meta(_ name: String, tenant: String?) -> ObjectMeta {
            var labels = [BulkheadLabels.managedBy: "bulkhead"]
            if let tenant { labels[BulkheadLabels.tenant] = tenant }
            return ObjectMeta(name: name, namespace: Self.fluxNamespace, labels: labels)
        }
        var objects: [Document] = [
            Document(object: SpecObject(apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: meta("bulkhead-platform", tenant: nil),
                                        spec: FluxKustomizationSpec(interval: "10m", path: "./\(root)/platform", source: "flux-system", dependsOn: nil))),
        ]
        for tenant in tenants {
            // Made from the cluster's folder, the tenant's name and constants only: the key says so.
            objects.append(Document(object: SpecObject(apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: meta("tenant-\(tenant)", tenant: tenant),
                                                       spec: FluxKustomizationSpec(interval: "10m", path: "./\(root)/tenants/\(tenant)", source: "flux-system", dependsOn: ["bulkhead-platform"])),
                                    key: "flux-tenant-kustomization\u{0}\(root)\u{0}\(tenant)"))
        }
        return objects
    }
}
