import BulkheadKube
import BulkheadModel

extension TenantBundleRenderer {
    /// Default deny both ways, then: DNS to kube-system, traffic inside the namespace, the
    /// gateway to app ports, the EKS Pod Identity Agent, and HTTPS to public addresses (AWS APIs).
    /// Other tenants' pods have private addresses, so they stay unreachable.
    func networkPolicies() -> [NetworkPolicy] {
        let namespaceKey = "kubernetes.io/metadata.name"
        var policies = [
            NetworkPolicy(metadata: meta("default-deny"), spec: .init(policyTypes: ["Ingress", "Egress"])),
            NetworkPolicy(metadata: meta("allow-dns"), spec: .init(policyTypes: ["Egress"], egress: [
                .init(to: [.init(namespaceSelector: LabelSelector(matchLabels: [namespaceKey: "kube-system"]),
                                 podSelector: LabelSelector(matchLabels: ["k8s-app": "kube-dns"]))],
                      ports: [.init(protocol: "UDP", port: .int(53)), .init(protocol: "TCP", port: .int(53))]),
            ])),
            NetworkPolicy(metadata: meta("allow-same-namespace"), spec: .init(policyTypes: ["Ingress", "Egress"],
                ingress: [.init(from: [.init(podSelector: LabelSelector())])],
                egress: [.init(to: [.init(podSelector: LabelSelector())])])),
            NetworkPolicy(metadata: meta("allow-pod-identity-agent"), spec: .init(policyTypes: ["Egress"], egress: [
                .init(to: [.init(ipBlock: .init(cidr: "169.254.170.23/32"))], ports: [.init(protocol: "TCP", port: .int(80))]),
            ])),
            NetworkPolicy(metadata: meta("allow-https-to-public"), spec: .init(policyTypes: ["Egress"], egress: [
                .init(to: [.init(ipBlock: .init(cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"]))],
                      ports: [.init(protocol: "TCP", port: .int(443))]),
            ])),
        ]
        let ports = tenant.apps.compactMap(\.port)
        if !ports.isEmpty {
            policies.append(NetworkPolicy(metadata: meta("allow-gateway"), spec: .init(policyTypes: ["Ingress"], ingress: [
                .init(from: [.init(namespaceSelector: LabelSelector(matchLabels: [namespaceKey: cluster.gateway.namespace]))],
                      ports: Array(Set(ports)).sorted().map { .init(protocol: "TCP", port: .int($0)) }),
            ])))
        }
        return policies
    }

    /// What the tenant-admin Role may do: manage workloads, services, config, secrets, routes and
    /// scalers; read (never write) its quota, limits and network policies.
    static let tenantAdminRules: [PolicyRule] = {
        let manage = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
        let read = ["get", "list", "watch"]
        return [
            PolicyRule(apiGroups: [""], resources: ["pods", "services", "endpoints", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"], verbs: manage),
            PolicyRule(apiGroups: [""], resources: ["pods/log", "pods/exec", "pods/portforward"], verbs: ["get", "create"]),
            PolicyRule(apiGroups: [""], resources: ["events", "resourcequotas", "limitranges"], verbs: read),
            PolicyRule(apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets", "deployments/scale", "statefulsets/scale"], verbs: manage),
            PolicyRule(apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: manage),
            PolicyRule(apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: manage),
            PolicyRule(apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: manage),
            PolicyRule(apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: read),
            PolicyRule(apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: manage),
            PolicyRule(apiGroups: ["keda.sh"], resources: ["scaledobjects", "scaledjobs", "triggerauthentications"], verbs: manage),
        ]
    }()

    func rbac() -> [any KubeObject] {
        [
            Role(metadata: meta("tenant-admin"), rules: Self.tenantAdminRules),
            RoleBinding(metadata: meta("tenant-admin"), roleName: "tenant-admin", groups: tenant.owners),
        ]
    }
}
