public import BulkheadCEL

extension AdmissionRequest {
    /// Kinds whose objects have no namespace.
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "StorageClass", "PriorityClass", "FlowSchema", "PriorityLevelConfiguration", "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "APIService", "CSIDriver", "CSINode",
        "RuntimeClass", "PodSecurityPolicy", "IngressClass", "VolumeAttachment", "CertificateSigningRequest",
        "ComponentStatus", "ClusterPolicy", "ValidatingPolicy", "ClusterIssuer", "GatewayClass",
    ]

    /// Irregular plurals; other kinds are lowercased and pluralized by English rules.
    static let irregularResources: [String: String] = ["Endpoints": "endpoints", "ComponentStatus": "componentstatuses"]

    /// The plural resource name Kubernetes serves a kind under (`Ingress` → `ingresses`,
    /// `NetworkPolicy` → `networkpolicies`).
    public static func resourceName(forKind kind: String) -> String {
        if let irregular = irregularResources[kind] { return irregular }
        let lower = kind.lowercased()
        if lower.hasSuffix("y"), let beforeLast = lower.dropLast().last, !"aeiou".contains(beforeLast) {
            return lower.dropLast() + "ies"
        }
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            return lower + "es"
        }
        return lower + "s"
    }

    /// Whether objects of `kind` live in a namespace.
    public static func isNamespaced(kind: String) -> Bool { !clusterScopedKinds.contains(kind) }

    /// A request about `object` (a Kubernetes object as a CEL map), its kind, resource, name and
    /// namespace read from the object. A namespaced object without a namespace is taken to be in
    /// `defaultNamespace`, as `kubectl` and `kyverno test` do. Nil when the object has no
    /// apiVersion or kind.
    public init?(object: CELValue, oldObject: CELValue = .null, operation: Operation = .create,
                 defaultNamespace: String = "default", userInfo: UserInfo = UserInfo()) {
        let subject = operation == .delete ? oldObject : object
        guard case .map(let root) = subject, case .string(let apiVersion)? = root["apiVersion"],
              case .string(let kind)? = root["kind"] else { return nil }
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let group = parts.count == 2 ? parts[0] : ""
        let version = parts.last ?? ""
        var name = ""
        var namespace = ""
        if case .map(let metadata)? = root["metadata"] {
            if case .string(let text)? = metadata["name"] { name = text }
            if case .string(let text)? = metadata["namespace"] { namespace = text }
        }
        if namespace.isEmpty && Self.isNamespaced(kind: kind) { namespace = defaultNamespace }
        if !Self.isNamespaced(kind: kind) { namespace = "" }
        self.init(kind: GroupVersionKind(group: group, version: version, kind: kind),
                  resource: GroupVersionResource(group: group, version: version, resource: Self.resourceName(forKind: kind)),
                  namespace: namespace, name: name, operation: operation,
                  object: operation == .delete ? .null : object, oldObject: oldObject, userInfo: userInfo)
    }
}
