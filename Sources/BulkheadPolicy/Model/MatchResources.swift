/// Which requests a policy (or binding) applies to: `matchConstraints` / `matchResources`.
public struct MatchResources: Sendable, Hashable {
    /// How a rule written for one version matches an equivalent request in another.
    public enum MatchPolicy: String, Sendable, Hashable {
        /// Only the listed groups, versions and resources.
        case exact = "Exact"
        /// Also the same resource requested through another version of its group, or through a
        /// group it moved from (`extensions` deployments are `apps` deployments). The default.
        case equivalent = "Equivalent"
    }

    public var resourceRules: [ResourceRule]
    public var excludeResourceRules: [ResourceRule]
    /// Nil or empty matches every namespace.
    public var namespaceSelector: LabelSelector?
    /// Nil or empty matches every object.
    public var objectSelector: LabelSelector?
    public var matchPolicy: MatchPolicy

    public init(resourceRules: [ResourceRule] = [], excludeResourceRules: [ResourceRule] = [],
                namespaceSelector: LabelSelector? = nil, objectSelector: LabelSelector? = nil,
                matchPolicy: MatchPolicy = .equivalent) {
        self.resourceRules = resourceRules
        self.excludeResourceRules = excludeResourceRules
        self.namespaceSelector = namespaceSelector
        self.objectSelector = objectSelector
        self.matchPolicy = matchPolicy
    }
}

/// One `resourceRules` entry: groups, versions, resources and operations, each with `*` for all.
public struct ResourceRule: Sendable, Hashable {
    /// Which objects by scope (`*`, `Cluster`, `Namespaced`).
    public enum Scope: String, Sendable, Hashable {
        case all = "*"
        case cluster = "Cluster"
        case namespaced = "Namespaced"
    }

    public var apiGroups: [String]
    public var apiVersions: [String]
    /// Plural resource names, optionally with a subresource (`pods/status`, `*/scale`, `pods/*`).
    public var resources: [String]
    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT` or `*`.
    public var operations: [String]
    /// Empty means every name.
    public var resourceNames: [String]
    public var scope: Scope

    public init(apiGroups: [String], apiVersions: [String], resources: [String], operations: [String],
                resourceNames: [String] = [], scope: Scope = .all) {
        self.apiGroups = apiGroups
        self.apiVersions = apiVersions
        self.resources = resources
        self.operations = operations
        self.resourceNames = resourceNames
        self.scope = scope
    }
}
