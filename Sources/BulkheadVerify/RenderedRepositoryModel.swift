public import BulkheadCEL
public import BulkheadPolicy

/// What the verifier reads: one cluster's rendered files, already parsed.
public struct RenderedCluster: Sendable {
    public var name: String
    public var tenants: [RenderedTenant]
    /// The cluster's guardrail policies and bindings (`platform/policies/`).
    public var policies: [Policy]
    public var bindings: [PolicyBinding]

    public init(name: String, tenants: [RenderedTenant], policies: [Policy], bindings: [PolicyBinding]) {
        self.name = name
        self.tenants = tenants
        self.policies = policies
        self.bindings = bindings
    }
}

/// One tenant's rendered folder on a cluster (`clusters/<c>/tenants/<t>/`).
public struct RenderedTenant: Sendable {
    public var name: String
    /// Every Kubernetes object of the folder.
    public var objects: [CELValue]
    /// IAM documents (the `*.json` files beside `bundle.yaml`) by file name.
    public var iamDocuments: [String: CELValue]

    public init(name: String, objects: [CELValue], iamDocuments: [String: CELValue]) {
        self.name = name
        self.objects = objects
        self.iamDocuments = iamDocuments
    }

    func objects(kind: String) -> [CELValue] { objects.filter { $0["kind"].text == kind } }

    /// The tenant's Namespace objects.
    var namespaces: [CELValue] { objects(kind: "Namespace") }
}

/// Field access on parsed objects: a missing field reads as null, so checks stay short.
extension CELValue {
    subscript(field: String) -> CELValue {
        guard case .map(let map) = self else { return .null }
        return map[field] ?? .null
    }

    var text: String? {
        switch self {
        case .string(let text): return text
        case .int(let number): return String(number)
        default: return nil
        }
    }

    var items: [CELValue] {
        if case .list(let items) = self { return items }
        return []
    }

    /// A map of strings (labels, matchLabels); other entries are dropped.
    var stringMap: [String: String] {
        guard case .map(let map) = self else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in map.entries {
            if case .string(let key) = key, let value = value.text { result[key] = value }
        }
        return result
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var name: String { self["metadata"]["name"].text ?? "" }
    var namespace: String? { self["metadata"]["namespace"].text }
    var labels: [String: String] { self["metadata"]["labels"].stringMap }

    /// A Kubernetes label selector (matchLabels and matchExpressions).
    var selector: BulkheadPolicy.LabelSelector {
        let expressions = self["matchExpressions"].items.compactMap { item -> BulkheadPolicy.LabelSelector.Requirement? in
            guard let key = item["key"].text, let op = item["operator"].text.flatMap(BulkheadPolicy.LabelSelector.Requirement.Operator.init) else { return nil }
            return .init(key: key, operator: op, values: item["values"].items.compactMap(\.text))
        }
        return BulkheadPolicy.LabelSelector(matchLabels: self["matchLabels"].stringMap, matchExpressions: expressions)
    }
}
