import BulkheadCEL
import BulkheadPolicy

/// One check on one tenant on one cluster.
public struct IsolationCheck: Sendable, Hashable, Encodable {
    public var cluster: String
    public var tenant: String
    public var check: String
    public var passed: Bool
    public var reason: String
}

/// Checks a rendered repository against the multi-tenancy benchmark, one result per check per
/// tenant per cluster: quota, LimitRange, Pod Security, network isolation (every pair of tenant
/// namespaces), DNS and gateway reachability, RBAC, IAM scope, and the admission policies that
/// block host access and NodePorts. Pure: reads parsed files, decides.
public enum IsolationVerifier {
    /// The checks, in output order.
    public static let checks = ["quota", "limit-range", "pod-security", "default-deny", "network-isolation", "dns-egress", "gateway-ingress",
                                "rbac", "iam", "admission-policies"]

    public static func verify(_ cluster: RenderedCluster) -> [IsolationCheck] {
        let namespaces = cluster.tenants.flatMap { tenant in tenant.namespaces.map { (tenant: tenant.name, namespace: reachabilityNamespace($0)) } }
        let network = NetworkReachability(policies: cluster.tenants.flatMap { $0.objects(kind: "NetworkPolicy") })
        let admission = AdmissionProbe(cluster: cluster)
        var results: [IsolationCheck] = []
        for tenant in cluster.tenants.sorted(by: { $0.name < $1.name }) {
            func record(_ check: String, _ outcome: (Bool, String)) {
                results.append(IsolationCheck(cluster: cluster.name, tenant: tenant.name, check: check, passed: outcome.0, reason: outcome.1))
            }
            let own = tenant.namespaces
            guard !own.isEmpty else {
                record("namespace", (false, "the tenant folder renders no Namespace"))
                continue
            }
            record("quota", TenantChecks.quota(tenant))
            record("limit-range", TenantChecks.limitRange(tenant))
            record("pod-security", TenantChecks.podSecurity(tenant))
            record("default-deny", defaultDeny(tenant))
            record("network-isolation", isolation(tenant, namespaces: namespaces, network: network))
            record("dns-egress", dns(tenant, network: network))
            record("gateway-ingress", gateway(tenant, network: network))
            record("rbac", RBACCheck.check(tenant))
            record("iam", IAMCheck.check(tenant, tenants: cluster.tenants.map(\.name)))
            record("admission-policies", admission.check(tenant))
        }
        return results
    }

    static func reachabilityNamespace(_ object: CELValue) -> NetworkReachability.Namespace {
        var labels = object.labels
        labels["kubernetes.io/metadata.name"] = object.name
        return .init(name: object.name, labels: labels)
    }

    /// No pod of another tenant's namespace can reach this tenant's, and this tenant's reach none.
    static func isolation(_ tenant: RenderedTenant, namespaces: [(tenant: String, namespace: NetworkReachability.Namespace)],
                          network: NetworkReachability) -> (Bool, String) {
        var open: [String] = []
        let mine = namespaces.filter { $0.tenant == tenant.name }
        let others = namespaces.filter { $0.tenant != tenant.name }
        for own in mine {
            for other in others {
                for (source, destination) in [(other.namespace, own.namespace), (own.namespace, other.namespace)] {
                    let (reachable, why) = network.canConnect(from: source, to: destination)
                    if reachable { open.append(why) }
                }
            }
        }
        if open.isEmpty { return (true, "no connection between its namespaces and the \(others.count) other tenant namespaces, either way") }
        return (false, "\(open.count) open path\(open.count == 1 ? "" : "s"): " + open.prefix(3).joined(separator: "; ") + (open.count > 3 ? "; …" : ""))
    }

    /// Each namespace has a NetworkPolicy that selects every pod and denies all ingress and
    /// egress, so that isolation never rests on the allow rules alone.
    static func defaultDeny(_ tenant: RenderedTenant) -> (Bool, String) {
        for namespace in tenant.namespaces {
            let denies = tenant.objects(kind: "NetworkPolicy").contains { policy in
                let spec = policy["spec"]
                return policy.namespace == namespace.name && spec["podSelector"].selector.isEmpty
                    && Set(NetworkReachability.types(of: policy)) == [.ingress, .egress]
                    && spec["ingress"].items.isEmpty && spec["egress"].items.isEmpty
            }
            if !denies { return (false, "namespace \(namespace.name) has no NetworkPolicy denying all ingress and egress to every pod") }
        }
        return (true, "every namespace has a default-deny NetworkPolicy")
    }

    static let kubeSystem = NetworkReachability.Namespace(name: "kube-system", labels: ["kubernetes.io/metadata.name": "kube-system"])

    static func dns(_ tenant: RenderedTenant, network: NetworkReachability) -> (Bool, String) {
        for namespace in tenant.namespaces.map(reachabilityNamespace) {
            let (allowed, why) = network.allows(.egress, in: namespace, peer: kubeSystem)
            if !allowed { return (false, "\(namespace.name) cannot reach cluster DNS in kube-system: egress \(why)") }
        }
        return (true, "every namespace can reach DNS in kube-system")
    }

    /// The gateway namespaces its HTTPRoutes attach to can reach the routed namespace.
    static func gateway(_ tenant: RenderedTenant, network: NetworkReachability) -> (Bool, String) {
        let routes = tenant.objects(kind: "HTTPRoute")
        guard !routes.isEmpty else { return (true, "no HTTPRoutes, so no gateway needs to reach the tenant") }
        var gateways: Set<String> = []
        for route in routes {
            let namespace = tenant.namespaces.map(reachabilityNamespace).first { $0.name == route.namespace } ?? reachabilityNamespace(tenant.namespaces[0])
            for parent in route["spec"]["parentRefs"].items {
                let gateway = parent["namespace"].text ?? namespace.name
                gateways.insert(gateway)
                let peer = NetworkReachability.Namespace(name: gateway, labels: ["kubernetes.io/metadata.name": gateway])
                let (allowed, why) = network.allows(.ingress, in: namespace, peer: peer)
                if !allowed { return (false, "route \(route.name) attaches to the gateway in \(gateway), but \(namespace.name) ingress \(why)") }
            }
        }
        return (true, "the gateway in \(gateways.sorted().joined(separator: ", ")) can reach the routed namespaces")
    }
}
