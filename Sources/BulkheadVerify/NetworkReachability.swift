import BulkheadCEL
import BulkheadPolicy

/// Which namespaces can open connections to which, computed from rendered NetworkPolicies with
/// the API's semantics: a connection needs the source's egress and the destination's ingress to
/// allow it; a pod no policy of that direction selects is unrestricted in that direction.
///
/// Sound for isolation rather than exact: a policy with a non-empty podSelector is assumed to
/// select some pod (its rules count as allowing), and only an empty podSelector makes every pod
/// of a namespace isolated. Ports are ignored: any open port is a connection.
struct NetworkReachability {
    /// A namespace as the policies see it: its labels (with `kubernetes.io/metadata.name`).
    struct Namespace {
        var name: String
        var labels: [String: String]
    }

    enum Direction: String {
        case ingress = "Ingress", egress = "Egress"
    }

    /// Address ranges pods may have (private, carrier-grade NAT): an ipBlock covering any part of
    /// them that its `except` does not remove can reach pods.
    static let podRanges: [IPv4Range] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].compactMap(IPv4Range.init)

    /// The NetworkPolicies by namespace.
    let policies: [String: [CELValue]]

    init(policies: [CELValue]) {
        self.policies = Dictionary(grouping: policies) { $0.namespace ?? "" }
    }

    /// Whether a pod in `source` can connect to a pod in `destination`, and why.
    func canConnect(from source: Namespace, to destination: Namespace) -> (Bool, String) {
        let egress = allows(.egress, in: source, peer: destination)
        let ingress = allows(.ingress, in: destination, peer: source)
        switch (egress.0, ingress.0) {
        case (true, true): return (true, "\(source.name) → \(destination.name): egress \(egress.1); ingress \(ingress.1)")
        case (false, _): return (false, "\(source.name) egress \(egress.1)")
        case (_, false): return (false, "\(destination.name) ingress \(ingress.1)")
        }
    }

    /// Whether `namespace`'s policies of `direction` let traffic to or from `peer` through.
    func allows(_ direction: Direction, in namespace: Namespace, peer: Namespace) -> (Bool, String) {
        let applying = (policies[namespace.name] ?? []).filter { Self.types(of: $0).contains(direction) }
        guard applying.contains(where: { $0["spec"]["podSelector"].selector.isEmpty }) else {
            return (true, "is not restricted (no \(direction.rawValue) policy selects every pod)")
        }
        let rulesKey = direction == .ingress ? "ingress" : "egress"
        let peersKey = direction == .ingress ? "from" : "to"
        for policy in applying {
            for rule in policy["spec"][rulesKey].items {
                let peers = rule[peersKey]
                if peers.isNull || peers.items.isEmpty {
                    return (true, "allowed by \(policy.name) (a rule with no \(peersKey) admits everyone)")
                }
                for peerRule in peers.items where matches(peerRule, policyNamespace: namespace.name, peer: peer) {
                    return (true, "allowed by \(policy.name)")
                }
            }
        }
        return (false, "blocked (no \(direction.rawValue) rule admits \(peer.name))")
    }

    /// Whether a NetworkPolicyPeer covers pods of `peer`.
    func matches(_ rule: CELValue, policyNamespace: String, peer: Namespace) -> Bool {
        if !rule["ipBlock"].isNull {
            guard let block = rule["ipBlock"]["cidr"].text.flatMap(IPv4Range.init) else { return true }
            let excepts = rule["ipBlock"]["except"].items.compactMap { $0.text.flatMap(IPv4Range.init) }
            return Self.podRanges.contains { range in
                block.overlaps(range) && !excepts.contains { $0.covers(block.intersection(range)) }
            }
        }
        if rule["namespaceSelector"].isNull {
            return peer.name == policyNamespace
        }
        return rule["namespaceSelector"].selector.matches(peer.labels)
    }

    static func types(of policy: CELValue) -> [Direction] {
        let declared = policy["spec"]["policyTypes"].items.compactMap { $0.text.flatMap(Direction.init) }
        if !declared.isEmpty { return declared }
        // As the API server defaults it: Egress only when egress rules are present.
        return policy["spec"]["egress"].items.isEmpty ? [.ingress] : [.ingress, .egress]
    }
}

/// An IPv4 CIDR block.
struct IPv4Range {
    var start: UInt32
    var end: UInt32

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits) else { return nil }
        let octets = parts[0].split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        let address = octets.reduce(0) { $0 << 8 | $1 }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        start = address & mask
        end = start | ~mask
    }

    init(start: UInt32, end: UInt32) {
        self.start = start
        self.end = end
    }

    func overlaps(_ other: IPv4Range) -> Bool { start <= other.end && other.start <= end }
    func covers(_ other: IPv4Range) -> Bool { start <= other.start && other.end <= end }
    func intersection(_ other: IPv4Range) -> IPv4Range { IPv4Range(start: max(start, other.start), end: min(end, other.end)) }
}
