import BulkheadCEL

/// Decides whether a request falls under `matchConstraints` / `matchResources`, as the
/// Kubernetes API server does for validating admission policies.
enum RequestMatcher {
    /// Groups a resource moved between; with `matchPolicy: Equivalent` a rule for one also
    /// matches requests through the other.
    private static let equivalentGroups: [String: [String: [String]]] = [
        "deployments": ["apps": ["extensions"], "extensions": ["apps"]],
        "daemonsets": ["apps": ["extensions"], "extensions": ["apps"]],
        "replicasets": ["apps": ["extensions"], "extensions": ["apps"]],
        "ingresses": ["networking.k8s.io": ["extensions"], "extensions": ["networking.k8s.io"]],
        "networkpolicies": ["networking.k8s.io": ["extensions"], "extensions": ["networking.k8s.io"]],
        "podsecuritypolicies": ["policy": ["extensions"], "extensions": ["policy"]],
    ]

    /// Why a request falls outside a match; described only when a result is reported.
    enum Mismatch {
        case noRule
        case excluded
        case namespaceSelector(String?)
        case objectSelector

        func description(of request: AdmissionRequest) -> String {
            switch self {
            case .noRule: "no resourceRules entry matches \(RequestMatcher.describe(request))"
            case .excluded: "excluded by excludeResourceRules"
            case .namespaceSelector(let namespace?): "namespace '\(namespace)' does not match namespaceSelector"
            case .namespaceSelector(nil): "namespace does not match namespaceSelector"
            case .objectSelector: "object labels do not match objectSelector"
            }
        }
    }

    /// Nil when the request matches, else why not. A binding's `matchResources` without
    /// resourceRules does not restrict resources (`emptyRulesMatchAll`); a policy's
    /// matchConstraints without them match nothing.
    static func mismatch(_ match: MatchResources, _ request: AdmissionRequest, namespaceLabels: [String: String],
                         emptyRulesMatchAll: Bool = false) -> Mismatch? {
        let anyResource = emptyRulesMatchAll && match.resourceRules.isEmpty
        guard anyResource || match.resourceRules.contains(where: { covers($0, request, policy: match.matchPolicy) }) else {
            return .noRule
        }
        if match.excludeResourceRules.contains(where: { covers($0, request, policy: match.matchPolicy) }) {
            return .excluded
        }
        if let selector = match.namespaceSelector, !selector.isEmpty {
            if !request.namespace.isEmpty {
                if !selector.matches(namespaceLabels) { return .namespaceSelector(request.namespace) }
            } else if request.kind.group.isEmpty && request.kind.kind == "Namespace" {
                // A Namespace itself is selected by its own labels.
                if !selector.matches(labels(of: request.subject)) { return .namespaceSelector(nil) }
            }
        }
        if let selector = match.objectSelector, !selector.isEmpty {
            let newMatches = !isNull(request.object) && selector.matches(labels(of: request.object))
            let oldMatches = !isNull(request.oldObject) && selector.matches(labels(of: request.oldObject))
            if !newMatches && !oldMatches { return .objectSelector }
        }
        return nil
    }

    /// Whether one rule covers the request's operation, group, version, resource, name and scope.
    static func covers(_ rule: ResourceRule, _ request: AdmissionRequest, policy: MatchResources.MatchPolicy) -> Bool {
        guard rule.operations.contains("*") || rule.operations.contains(request.operation.rawValue) else { return false }
        guard resourceMatches(rule.resources, request.resource.resource, request.subResource) else { return false }
        if !rule.apiGroups.contains("*") && !rule.apiGroups.contains(request.resource.group) {
            guard policy == .equivalent,
                  let others = equivalentGroups[request.resource.resource]?[request.resource.group],
                  others.contains(where: rule.apiGroups.contains) else { return false }
        }
        // Equivalent: the API server converts a request to the version a rule names.
        if policy == .exact && !rule.apiVersions.contains("*") && !rule.apiVersions.contains(request.resource.version) {
            return false
        }
        if !rule.resourceNames.isEmpty && !rule.resourceNames.contains(request.name) { return false }
        switch rule.scope {
        case .all: return true
        case .cluster: return request.namespace.isEmpty
        case .namespaced: return !request.namespace.isEmpty
        }
    }

    /// `pods`, `pods/status`, `*` (every resource, no subresource), `*/*`, `pods/*`, `*/scale`.
    static func resourceMatches(_ patterns: [String], _ resource: String, _ subResource: String) -> Bool {
        for pattern in patterns {
            let slash = pattern.utf8.firstIndex(of: UInt8(ascii: "/"))
            let name = slash.map { pattern[..<$0] } ?? pattern[...]
            let sub = slash.map { pattern[pattern.index(after: $0)...] }
            guard name == "*" || name == resource else { continue }
            if subResource.isEmpty {
                if sub == nil || sub == "*" && name == "*" { return true }
            } else if let sub, sub == "*" || sub == subResource {
                return true
            }
        }
        return false
    }

    static func labels(of object: CELValue) -> [String: String] {
        guard case .map(let root) = object, case .map(let metadata)? = root["metadata"],
              case .map(let labels)? = metadata["labels"] else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in labels.entries {
            if case .string(let name) = key, case .string(let text) = value { result[name] = text }
        }
        return result
    }

    static func isNull(_ value: CELValue) -> Bool {
        if case .null = value { return true }
        return false
    }

    static func describe(_ request: AdmissionRequest) -> String {
        let group = request.resource.group.isEmpty ? "core" : request.resource.group
        let sub = request.subResource.isEmpty ? "" : "/\(request.subResource)"
        return "\(request.operation.rawValue) \(group)/\(request.resource.version) \(request.resource.resource)\(sub)"
    }
}
