public import BulkheadKube

/// Gate findings as wg-policy `PolicyReport` objects (one per cluster and namespace) and
/// `ClusterPolicyReport` objects (one per cluster, for cluster-scoped objects), the format
/// Kyverno, Policy Reporter and other tools read. Deterministic: no timestamps.
public enum PolicyReports {
    public static let apiVersion = "wgpolicyk8s.io/v1alpha2"

    public struct Summary: Encodable, Sendable, Equatable {
        public var pass = 0, fail = 0, warn = 0, error = 0, skip = 0

        public init(_ findings: [GateFinding]) {
            for finding in findings {
                switch finding.result {
                case .pass: pass += 1
                case .fail: fail += 1
                case .warn: warn += 1
                case .error: error += 1
                case .skip: skip += 1
                }
            }
        }
    }

    struct ResultEntry: Encodable, Sendable {
        struct Reference: Encodable, Sendable {
            var apiVersion: String
            var kind: String
            var name: String
            var namespace: String?
        }
        var policy: String
        var rule: String
        var result: String
        var message: String?
        var source = "bulkhead"
        var scored = true
        var resources: [Reference]
        var properties: [String: String]
    }

    public struct Report: KubeObject {
        public let apiVersion = PolicyReports.apiVersion
        public let kind: String
        public var metadata: ObjectMeta
        var summary: Summary
        var results: [ResultEntry]
    }

    /// The reports for `findings`, ordered by cluster, then cluster-scoped first, then namespace,
    /// named `<prefix>-<cluster>`. Each cluster in `clusterReportsFor` gets a ClusterPolicyReport
    /// even when it has no cluster-scoped findings.
    public static func reports(_ findings: [GateFinding], prefix: String = "bulkhead-gate", clusterReportsFor clusters: [String] = []) -> [Report] {
        var groups = Dictionary(grouping: findings) { GroupKey(cluster: $0.cluster, namespace: $0.resource.namespace ?? "") }
        for cluster in clusters where groups[GroupKey(cluster: cluster, namespace: "")] == nil { groups[GroupKey(cluster: cluster, namespace: "")] = [] }
        return groups.keys.sorted().map { key in
            let members = groups[key]!
            let results = members.map { finding in
                ResultEntry(policy: finding.policy, rule: finding.binding ?? finding.policy, result: finding.result.rawValue,
                            message: finding.message.isEmpty ? nil : finding.message,
                            resources: [.init(apiVersion: finding.resource.apiVersion, kind: finding.resource.kind, name: finding.resource.name, namespace: finding.resource.namespace)],
                            properties: ["cluster": finding.cluster, "source": finding.source])
            }
            let labels = [BulkheadLabels.managedBy: "bulkhead", "bulkhead.dev/cluster": key.cluster]
            let name = "\(prefix)-\(key.cluster)"
            return key.namespace.isEmpty
                ? Report(kind: "ClusterPolicyReport", metadata: ObjectMeta(name: name, labels: labels), summary: Summary(members), results: results)
                : Report(kind: "PolicyReport", metadata: ObjectMeta(name: name, namespace: key.namespace, labels: labels), summary: Summary(members), results: results)
        }
    }

    struct GroupKey: Hashable, Comparable {
        var cluster: String
        var namespace: String
        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool { (lhs.cluster, lhs.namespace) < (rhs.cluster, rhs.namespace) }
    }
}
