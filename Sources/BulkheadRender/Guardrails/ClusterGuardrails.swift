public import BulkheadModel
public import BulkheadPolicy
import BulkheadKube
public import Foundation

/// The platform's own policy files (`policies/*.yaml` in the platform folder), loaded once.
public struct PlatformPolicies: Sendable {
    public var policies: [Policy]
    public var bindings: [PolicyBinding]
    /// A digest of the files' bytes; part of every cluster unit's fingerprint.
    public var digest: String

    public init(policies: [Policy] = [], bindings: [PolicyBinding] = [], digest: String = "") {
        self.policies = policies
        self.bindings = bindings
        self.digest = digest
    }

    public static let none = PlatformPolicies()

    /// Loads and type-checks the policy files in `policies/` below `folder`; file names in
    /// problems start with `displayPrefix`.
    public static func load(folder: URL, displayPrefix: String) throws(DeclarationLoader.FolderError) -> (policies: PlatformPolicies, problems: [PolicyProblem]) {
        let names = try DeclarationLoader.policyFiles(in: folder)
        guard !names.isEmpty else { return (.none, []) }
        var texts: [(name: String, bytes: Data)] = []
        var result = PolicyLoader.Result()
        for name in names {
            let display = (displayPrefix as NSString).appendingPathComponent(name)
            guard let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                result.problems.append(PolicyProblem("unreadable-file", "cannot read the file", at: BulkheadPolicy.SourceLocation(file: display, line: 1, column: 1)))
                continue
            }
            texts.append((display, bytes))
            result.merge(PolicyLoader().load(yaml: String(decoding: bytes, as: UTF8.self), file: display))
        }
        result.checkNamesAreUnique()
        for policy in result.policies where policy.name.hasPrefix("bulkhead-") {
            result.problems.append(PolicyProblem("reserved-name", "policy name '\(policy.name)': names starting with bulkhead- are reserved for the built-in guardrails", at: policy.location))
        }
        var seen: Set<PolicyProblem> = []
        result.problems = result.problems.filter { seen.insert($0).inserted }
        let digest = RenderFingerprints.inputDigest(files: texts, build: "", replace: [])
        return (PlatformPolicies(policies: result.policies, bindings: result.bindings, digest: digest), result.problems)
    }
}

/// The guardrails in effect on one cluster: Bulkhead's built-in bundle and the platform's own
/// policies, with a binding for every policy, as the engine evaluates them and as they are
/// written to `clusters/<cluster>/platform/policies/`.
///
/// A policy that no binding names gets one that applies it, with Deny (or the Kyverno policy's
/// own actions), to tenant namespaces only. A Kyverno `ValidatingPolicy` is evaluated with that
/// scope folded into its `matchConstraints`, as it is written for Kyverno.
public struct ClusterGuardrails: Sendable {
    /// `ValidatingAdmissionPolicy` is GA (`admissionregistration.k8s.io/v1`) from Kubernetes 1.30.
    public static let admissionPoliciesSince = KubernetesVersion(major: 1, minor: 30)
    static let tenantNamespaces = BulkheadPolicy.LabelSelector(matchExpressions: [.init(key: BulkheadLabels.tenant, operator: .exists)])

    public let cluster: Cluster
    public let engine: PolicyEngineChoice
    public private(set) var policies: [Policy] = []
    public private(set) var bindings: [PolicyBinding] = []
    /// Problems loading the built-in bundle. Always empty unless the bundle itself has a bug.
    public private(set) var builtInProblems: [PolicyProblem] = []

    /// What the rendered files are made from, when it can be named exactly: the built-in bundle's
    /// text, the platform policies' digest, the engine and the version rule. `nil` for platform
    /// policies built in code without a digest.
    let filesKey: String?

    public init(platform: Platform, cluster: Cluster, platformPolicies: PlatformPolicies) {
        self.cluster = cluster
        self.engine = platform.policyEngine
        let builtInText = BuiltInGuardrails.yaml(platform: platform, cluster: cluster)
        let builtIn = Self.builtInLoads.value(for: builtInText) {
            PolicyLoader().load(yaml: builtInText, file: BuiltInGuardrails.file)
        }
        let namesPlatformPolicies = !platformPolicies.digest.isEmpty || (platformPolicies.policies.isEmpty && platformPolicies.bindings.isEmpty)
        filesKey = namesPlatformPolicies
            ? "\(engine)\u{0}\(cluster.kubernetesVersion >= Self.admissionPoliciesSince)\u{0}\(platformPolicies.digest)\u{0}\(builtInText)"
            : nil
        builtInProblems = builtIn.problems
        add(policies: builtIn.policies, bindings: builtIn.bindings)
        add(policies: platformPolicies.policies, bindings: platformPolicies.bindings)
    }

    private mutating func add(policies added: [Policy], bindings given: [PolicyBinding]) {
        let bound = Set(given.map(\.policyName))
        bindings += given
        for var policy in added {
            if policy.sourceKind == .validatingAdmissionPolicy, bound.contains(policy.name) {
                policies.append(policy)
                continue
            }
            let actions = policy.sourceKind == .kyvernoValidatingPolicy && !policy.validationActions.isEmpty ? policy.validationActions : [.deny]
            let binding = PolicyBinding(name: policy.name, policyName: policy.name, validationActions: actions,
                                        matchResources: MatchResources(namespaceSelector: Self.tenantNamespaces))
            if policy.sourceKind == .kyvernoValidatingPolicy {
                policy.validationActions = actions
                if var match = policy.matchConstraints, match.namespaceSelector?.isEmpty ?? true {
                    match.namespaceSelector = Self.tenantNamespaces
                    policy.matchConstraints = match
                }
            }
            policies.append(policy)
            bindings.append(binding)
        }
    }

    /// Whether the cluster's API server enforces `ValidatingAdmissionPolicy` itself. Always true
    /// today (the declaration accepts Kubernetes 1.30 and later); kept so widening that range
    /// cannot write objects an older API server rejects.
    public var supportsAdmissionPolicies: Bool { cluster.kubernetesVersion >= Self.admissionPoliciesSince }

    /// The policy files, by name inside the `policies/` folder (one file per policy, with its
    /// bindings), plus that folder's `kustomization.yaml`. Empty when nothing can be enforced on
    /// this cluster.
    func files() throws -> [String: String] {
        guard let filesKey else { return try renderFiles() }
        return try Self.renderedFiles.value(for: filesKey) { try renderFiles() }
    }

    /// The built-in bundle parsed and type-checked, by its text: clusters of one platform mostly
    /// share it, and the service renders the same clusters again with every change.
    static let builtInLoads = Memo<PolicyLoader.Result>()
    /// The rendered policy files, by `filesKey`.
    static let renderedFiles = Memo<[String: String]>()

    func renderFiles() throws -> [String: String] {
        let bindingsByPolicy = Dictionary(grouping: bindings, by: \.policyName)
        var files: [String: String] = [:]
        for policy in policies {
            var objects: [any KubeObject] = []
            let policyBindings = (bindingsByPolicy[policy.name] ?? []).sorted { $0.name < $1.name }
            if supportsAdmissionPolicies {
                objects.append(PolicyDocuments.admissionPolicy(policy))
                objects += policyBindings.map(PolicyDocuments.binding)
            }
            if engine == .kyverno, let binding = policyBindings.first {
                objects.append(PolicyDocuments.kyvernoPolicy(policy, binding: binding))
            }
            guard !objects.isEmpty else { continue }
            files["\(policy.name).yaml"] = RepositoryRenderer.header + (try Manifests.yaml(objects))
        }
        guard !files.isEmpty else { return [:] }
        files["kustomization.yaml"] = RepositoryRenderer.kustomization(files.keys.sorted())
        return files
    }
}


