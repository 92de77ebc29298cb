import BulkheadCEL
import BulkheadPolicy

/// Proves the cluster's admission policies block host access, privileged pods and NodePorts in
/// the tenant's namespace: each probe object differs from a baseline object by one violation,
/// and some Deny policy must reject the probe that does not reject the baseline.
struct AdmissionProbe {
    let engine: PolicyEngine

    init(cluster: RenderedCluster) {
        engine = PolicyEngine(policies: cluster.policies, bindings: cluster.bindings)
    }

    /// A violation and how it changes the baseline object.
    struct Violation: Sendable {
        var name: String
        var kind: Kind
        var change: @Sendable (inout [String: CELValue]) -> Void

        enum Kind: Sendable { case pod, service }
    }

    static let violations: [Violation] = [
        Violation(name: "hostPath volume", kind: .pod) { spec in
            spec["volumes"] = .list([map(["name": "host", "hostPath": map(["path": "/var/run"])])])
        },
        Violation(name: "host network", kind: .pod) { spec in spec["hostNetwork"] = .bool(true) },
        Violation(name: "host PID", kind: .pod) { spec in spec["hostPID"] = .bool(true) },
        Violation(name: "privileged container", kind: .pod) { spec in
            var container = containerFields
            container["securityContext"] = map(["privileged": .bool(true), "allowPrivilegeEscalation": .bool(true)])
            spec["containers"] = .list([.map(CELMap(container))])
        },
        Violation(name: "NodePort Service", kind: .service) { spec in spec["type"] = .string("NodePort") },
    ]

    func check(_ tenant: RenderedTenant) -> (Bool, String) {
        guard !engine.policies.isEmpty else { return (false, "the cluster renders no admission policies (platform/policies is empty)") }
        var caught: [String] = []
        for namespace in tenant.namespaces {
            let baselinePod = denials(Self.pod(namespace: namespace), namespace: namespace)
            let baselineService = denials(Self.service(namespace: namespace), namespace: namespace)
            for violation in Self.violations {
                let (object, baseline): (CELValue, Set<String>)
                switch violation.kind {
                case .pod: (object, baseline) = (Self.pod(namespace: namespace, change: violation.change), baselinePod)
                case .service: (object, baseline) = (Self.service(namespace: namespace, change: violation.change), baselineService)
                }
                let denied = denials(object, namespace: namespace).subtracting(baseline)
                guard !denied.isEmpty else { return (false, "no Deny policy rejects a \(violation.name) in namespace \(namespace.name)") }
                caught.append("\(violation.name) (\(denied.sorted().joined(separator: ", ")))")
            }
        }
        return (true, "rejected: " + Array(Set(caught)).sorted().joined(separator: "; "))
    }

    /// The names of the policies that deny creating `object`.
    func denials(_ object: CELValue, namespace: CELValue) -> Set<String> {
        guard let request = AdmissionRequest(object: object, defaultNamespace: namespace.name) else { return [] }
        return Set(engine.evaluate(request, namespaceObject: namespace).filter(\.denies).map(\.policy))
    }

    static func map(_ fields: [String: CELValue]) -> CELValue { .map(CELMap(fields)) }

    static let containerFields: [String: CELValue] = [
        "name": "app", "image": "registry.invalid/probe:1.0",
        "resources": map(["limits": map(["cpu": "100m", "memory": "64Mi"]), "requests": map(["cpu": "50m", "memory": "32Mi"])]),
        "securityContext": map(["allowPrivilegeEscalation": false, "runAsNonRoot": true,
                                "capabilities": map(["drop": ["ALL"]]), "seccompProfile": map(["type": "RuntimeDefault"])]),
    ]

    /// A restricted-compliant pod labelled as the namespace's tenant and team.
    static func pod(namespace: CELValue, change: (inout [String: CELValue]) -> Void = { _ in }) -> CELValue {
        let labels = namespace.labels.filter { $0.key == "bulkhead.dev/tenant" || $0.key == "bulkhead.dev/team" }
        var spec: [String: CELValue] = ["containers": .list([.map(CELMap(containerFields))])]
        change(&spec)
        return map(["apiVersion": "v1", "kind": "Pod",
                    "metadata": map(["name": "bulkhead-verify-probe", "namespace": .string(namespace.name), "labels": .map(CELMap(labels.mapValues(CELValue.string)))]),
                    "spec": map(spec)])
    }

    static func service(namespace: CELValue, change: (inout [String: CELValue]) -> Void = { _ in }) -> CELValue {
        var spec: [String: CELValue] = ["type": "ClusterIP", "ports": .list([map(["port": 80])])]
        change(&spec)
        return map(["apiVersion": "v1", "kind": "Service", "metadata": map(["name": "bulkhead-verify-probe", "namespace": .string(namespace.name)]),
                    "spec": map(spec)])
    }
}
