/// The `ResourceQuota.spec.hard` keys Kubernetes accepts.
public enum ResourceQuotaKeys {
    /// Compute, storage and object-count keys with fixed names.
    public static let fixed: [String] = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.storage", "persistentvolumeclaims",
        "pods", "services", "services.loadbalancers", "services.nodeports", "configmaps", "secrets",
        "replicationcontrollers", "resourcequotas",
    ]

    /// Keys that count objects and so take whole numbers.
    public static func isCount(_ key: String) -> Bool {
        ["pods", "services", "services.loadbalancers", "services.nodeports", "configmaps", "secrets",
         "replicationcontrollers", "resourcequotas", "persistentvolumeclaims"].contains(key)
            || key.hasPrefix("count/") || key.hasSuffix(".storageclass.storage.k8s.io/persistentvolumeclaims")
    }

    /// What is allowed, in words for error messages.
    public static let rule = "one of \(fixed.joined(separator: ", ")), count/<resource>[.<group>], <class>.storageclass.storage.k8s.io/requests.storage|persistentvolumeclaims, requests.<domain>/<extended-resource>, hugepages-<size>"

    public static func isValid(_ key: String) -> Bool {
        if fixed.contains(key) { return true }
        if key.hasPrefix("count/") { return key.count > 6 && !key.contains(" ") }
        if key.hasPrefix("hugepages-") || key.hasPrefix("requests.hugepages-") || key.hasPrefix("limits.hugepages-") { return true }
        if key.hasSuffix(".storageclass.storage.k8s.io/requests.storage") || key.hasSuffix(".storageclass.storage.k8s.io/persistentvolumeclaims") {
            return !key.hasPrefix(".")
        }
        // Extended resources: requests.<domain>/<name> with a domain outside kubernetes.io.
        if key.hasPrefix("requests."), key.contains("/") {
            let resource = key.dropFirst("requests.".count)
            let domain = resource.split(separator: "/").first ?? ""
            return domain.contains(".") && !domain.hasSuffix("kubernetes.io")
        }
        return false
    }

    /// Keys whose values Bulkhead fills in when neither tier nor tenant sets them.
    public static let defaults: [(key: String, value: String)] = [
        ("requests.ephemeral-storage", "10Gi"),
        ("services", "20"), ("configmaps", "50"), ("secrets", "50"), ("persistentvolumeclaims", "10"),
        ("services.nodeports", "0"), ("services.loadbalancers", "0"),
    ]
}
