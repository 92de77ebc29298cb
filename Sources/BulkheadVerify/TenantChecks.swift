import BulkheadCEL

/// The namespace-level checks: quota coverage, LimitRange, Pod Security level.
enum TenantChecks {
    /// Each namespace has a ResourceQuota covering cpu, memory, ephemeral storage and object counts.
    static func quota(_ tenant: RenderedTenant) -> (Bool, String) {
        let groups: [(String, [String])] = [
            ("cpu", ["requests.cpu", "limits.cpu", "cpu"]),
            ("memory", ["requests.memory", "limits.memory", "memory"]),
            ("ephemeral storage", ["requests.ephemeral-storage", "limits.ephemeral-storage", "ephemeral-storage"]),
            ("pod count", ["pods", "count/pods"]),
            ("other object counts", ["services", "configmaps", "secrets", "persistentvolumeclaims", "count/services", "count/configmaps", "count/secrets"]),
        ]
        for namespace in tenant.namespaces {
            let quotas = tenant.objects(kind: "ResourceQuota").filter { $0.namespace == namespace.name }
            guard !quotas.isEmpty else { return (false, "namespace \(namespace.name) has no ResourceQuota") }
            let keys = Set(quotas.flatMap { $0["spec"]["hard"].stringMap.keys })
            let missing = groups.filter { !$0.1.contains(where: keys.contains) }.map(\.0)
            if !missing.isEmpty { return (false, "the ResourceQuota of \(namespace.name) does not limit \(missing.joined(separator: ", "))") }
        }
        return (true, "ResourceQuota limits cpu, memory, ephemeral storage and object counts")
    }

    /// Each namespace has a LimitRange giving containers default limits.
    static func limitRange(_ tenant: RenderedTenant) -> (Bool, String) {
        for namespace in tenant.namespaces {
            let ranges = tenant.objects(kind: "LimitRange").filter { $0.namespace == namespace.name }
            guard !ranges.isEmpty else { return (false, "namespace \(namespace.name) has no LimitRange") }
            let hasDefaults = ranges.contains { range in
                range["spec"]["limits"].items.contains { $0["type"].text == "Container" && !$0["default"].isNull }
            }
            if !hasDefaults { return (false, "the LimitRange of \(namespace.name) sets no default container limits") }
        }
        return (true, "LimitRange sets default container limits")
    }

    /// Each namespace enforces Pod Security baseline or restricted; `phi` data needs restricted.
    static func podSecurity(_ tenant: RenderedTenant) -> (Bool, String) {
        var levels: [String] = []
        for namespace in tenant.namespaces {
            let labels = namespace.labels
            guard let level = labels["pod-security.kubernetes.io/enforce"] else {
                return (false, "namespace \(namespace.name) has no pod-security.kubernetes.io/enforce label")
            }
            guard level == "baseline" || level == "restricted" else {
                return (false, "namespace \(namespace.name) enforces Pod Security '\(level)'; baseline or restricted is required")
            }
            if labels["bulkhead.dev/data-classification"] == "phi" && level != "restricted" {
                return (false, "namespace \(namespace.name) holds phi data but enforces '\(level)', not restricted")
            }
            levels.append("\(namespace.name)=\(level)")
        }
        return (true, "Pod Security enforce \(levels.joined(separator: ", "))")
    }
}

/// The tenant's RBAC cannot escalate, bind, impersonate, or write the objects that fence it.
enum RBACCheck {
    static let forbiddenVerbs: Set<String> = ["*", "escalate", "bind", "impersonate"]
    static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection", "*"]
    static let fences: Set<String> = ["resourcequotas", "limitranges", "networkpolicies", "roles", "rolebindings", "clusterroles",
                                      "clusterrolebindings", "namespaces", "validatingadmissionpolicies", "validatingadmissionpolicybindings"]
    /// ClusterRoles a RoleBinding may grant inside the namespace: only `view` (the default `edit`
    /// role writes NetworkPolicies and impersonates service accounts).
    static let grantableClusterRoles: Set<String> = ["view"]

    static func check(_ tenant: RenderedTenant) -> (Bool, String) {
        if let binding = tenant.objects(kind: "ClusterRoleBinding").first { return (false, "ClusterRoleBinding \(binding.name) grants cluster-wide access") }
        if let role = tenant.objects(kind: "ClusterRole").first { return (false, "ClusterRole \(role.name) is a cluster-scoped grant") }
        for binding in tenant.objects(kind: "RoleBinding") where binding["roleRef"]["kind"].text == "ClusterRole" {
            let role = binding["roleRef"]["name"].text ?? ""
            if !grantableClusterRoles.contains(role) { return (false, "RoleBinding \(binding.name) grants ClusterRole \(role)") }
        }
        let roles = tenant.objects(kind: "Role").filter { $0["apiVersion"].text?.hasPrefix("rbac.authorization.k8s.io/") == true }
        for role in roles {
            for (index, rule) in role["rules"].items.enumerated() {
                let verbs = Set(rule["verbs"].items.compactMap(\.text))
                let resources = rule["resources"].items.compactMap(\.text)
                let groups = rule["apiGroups"].items.compactMap(\.text)
                let place = "Role \(role.name) rule \(index + 1)"
                if let verb = verbs.intersection(forbiddenVerbs).sorted().first { return (false, "\(place) grants '\(verb)'") }
                if resources.contains("*") || groups.contains("*") { return (false, "\(place) grants every resource (wildcard)") }
                let written = resources.map { String($0.split(separator: "/").first ?? "") }.filter(fences.contains)
                if !written.isEmpty, !verbs.isDisjoint(with: writeVerbs) {
                    return (false, "\(place) lets the tenant write \(Set(written).sorted().joined(separator: ", "))")
                }
            }
        }
        return (true, "\(roles.count) Role\(roles.count == 1 ? "" : "s"): no escalate, bind or impersonate, no wildcards, no writes to quotas, limit ranges, network policies, RBAC or namespaces; no cluster-scoped grants")
    }
}

/// The tenant's IAM documents allow only its own resources and trust only its own namespace.
enum IAMCheck {
    static func check(_ tenant: RenderedTenant, tenants: [String]) -> (Bool, String) {
        var resources = 0
        for (file, parsed) in documents(tenant) {
            guard let document = parsed else { return (false, "\(file) is not valid JSON") }
            for (index, statement) in statements(document).enumerated() where statement["Effect"].text == "Allow" {
                let place = "\(file) statement \(statement["Sid"].text ?? String(index + 1))"
                if !statement["Principal"].isNull {
                    guard statement["Principal"]["Service"].text == "pods.eks.amazonaws.com", statement["Principal"]["AWS"].isNull else {
                        return (false, "\(place) trusts a principal other than EKS Pod Identity (pods.eks.amazonaws.com)")
                    }
                    let namespaces = statement["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"]
                    let allowed = Set(namespaces.text.map { [$0] } ?? namespaces.items.compactMap(\.text))
                    let own = Set(tenant.namespaces.map(\.name))
                    if allowed.isEmpty || !allowed.isSubset(of: own) {
                        return (false, "\(place) trusts \(allowed.isEmpty ? "any namespace" : allowed.sorted().joined(separator: ", ")), not only the tenant's own")
                    }
                    continue
                }
                let listed = statement["Resource"]
                for resource in listed.text.map({ [$0] }) ?? listed.items.compactMap(\.text) {
                    resources += 1
                    if !isTenantOwned(resource, tenant: tenant.name, tenants: tenants) {
                        return (false, "\(place) allows '\(resource)', which is not one of tenant \(tenant.name)'s own resources")
                    }
                }
                if listed.isNull { return (false, "\(place) has no Resource") }
            }
        }
        return (true, resources == 0 ? "no permissions beyond its own pod identity" : "all \(resources) resource\(resources == 1 ? "" : "s") are the tenant's own")
    }

    /// The IAM JSON files beside the bundle and the policy documents inside ACK IAM objects (JSON strings in
    /// `assumeRolePolicyDocument`, `inlinePolicies` and `policyDocument`), by where they are.
    /// A document that is not valid JSON is nil.
    static func documents(_ tenant: RenderedTenant) -> [(String, CELValue?)] {
        var found: [(String, CELValue?)] = tenant.iamDocuments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for object in tenant.objects where object["apiVersion"].text?.hasPrefix("iam.services.k8s.aws/") == true {
            let spec = object["spec"]
            var texts: [(String, String)] = []
            for field in ["assumeRolePolicyDocument", "policyDocument"] { if let text = spec[field].text { texts.append((field, text)) } }
            for (key, value) in spec["inlinePolicies"].stringMap.sorted(by: { $0.key < $1.key }) { texts.append(("inlinePolicies.\(key)", value)) }
            for (field, text) in texts {
                let place = "\(object["kind"].text ?? "")/\(object.name) \(field)"
                found.append((place, try? CELValue(jsonBytes: Array(text.utf8))))
            }
        }
        return found
    }

    static func statements(_ document: CELValue) -> [CELValue] {
        let statement = document["Statement"]
        if case .map = statement { return [statement] }
        return statement.items
    }

    /// An ARN naming one specific resource of this tenant: no `*` in the account, the region or
    /// a name (a trailing `/*`, the objects of a bucket, is allowed), and a name component that
    /// carries the tenant's name as whole words, where no other tenant with a longer name on
    /// the cluster matches better (`acme-web-admin-data` belongs to `web-admin`, not `web`).
    static func isTenantOwned(_ arn: String, tenant: String, tenants: [String]) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[4].contains("*"), !parts[3].contains("*") else { return false }
        var components = parts[5].split(whereSeparator: { $0 == "/" || $0 == ":" }).map(String.init)
        if components.count > 1, components.last == "*" { components.removeLast() }
        guard !components.isEmpty, !components.contains(where: { $0.contains("*") }) else { return false }
        return components.contains { component in
            let owner = tenants.filter { matches(component, tenant: $0) }.max { $0.split(separator: "-").count < $1.split(separator: "-").count }
            return owner == tenant
        }
    }

    static func matches(_ name: String, tenant: String) -> Bool {
        let words = name.split(whereSeparator: { "-_.".contains($0) }).map(String.init)
        let tenantWords = tenant.split(separator: "-").map(String.init)
        return words.indices.contains { start in
            start + tenantWords.count <= words.count && Array(words[start..<start + tenantWords.count]) == tenantWords
        }
    }
}
