public import BulkheadCEL
import BulkheadPolicy
public import BulkheadKube
import BulkheadModel
import Foundation

/// One policy's decision about one object, as the shift-left gate reports it.
public struct GateFinding: Sendable, Hashable, Encodable {
    /// The object, as a PolicyReport names it.
    public struct Resource: Sendable, Hashable, Encodable {
        public var apiVersion: String
        public var kind: String
        public var namespace: String?
        public var name: String
    }

    /// `pass`, `fail` (a Deny failure), `warn` (a failure under Warn or Audit only), `error`, `skip`.
    public enum Result: String, Sendable, Hashable, Encodable {
        case pass, fail, warn, error, skip
    }

    public var cluster: String
    public var resource: Resource
    public var policy: String
    public var binding: String?
    public var result: Result
    public var message: String
    /// Whether the API server would reject the object.
    public var denies: Bool
    /// The repository file or manifest the object came from.
    public var source: String
}

/// The shift-left gate for one cluster: the cluster's guardrails, compiled once, evaluated
/// against objects as if each were created. Pure: the same objects give the same findings.
public struct ClusterGate: Sendable {
    public let cluster: String
    let engine: PolicyEngine
    /// Plural resource names some policy's rules name (`*` when a rule names every resource).
    let resources: Set<String>

    public init(guardrails: ClusterGuardrails) {
        cluster = guardrails.cluster.name
        engine = PolicyEngine(policies: guardrails.policies, bindings: guardrails.bindings)
        var resources: Set<String> = []
        for policy in guardrails.policies {
            for rule in policy.matchConstraints?.resourceRules ?? [] {
                for resource in rule.resources { resources.insert(String(resource.split(separator: "/").first ?? "")) }
            }
        }
        self.resources = resources
    }

    /// Whether any policy could match objects of `kind`; objects of other kinds need not be
    /// converted and evaluated at all.
    public func mightMatch(kind: String) -> Bool {
        resources.contains("*") || resources.contains(AdmissionRequest.resourceName(forKind: kind))
    }

    /// Every applicable policy's decision on creating `object` (a Kubernetes object as a CEL
    /// map) in `namespace` (defaulted when the object names none) whose Namespace object is
    /// `namespaceObject`.
    public func evaluate(_ object: CELValue, namespace: String = "default", namespaceObject: CELValue, source: String) -> [GateFinding] {
        guard let request = AdmissionRequest(object: object, defaultNamespace: namespace) else { return [] }
        let resource = GateFinding.Resource(apiVersion: request.kind.apiVersion, kind: request.kind.kind,
                                            namespace: request.namespace.isEmpty ? nil : request.namespace, name: request.name)
        return engine.evaluate(request, namespaceObject: request.namespace.isEmpty ? .null : namespaceObject).map { decision in
            GateFinding(cluster: cluster, resource: resource, policy: decision.policy, binding: decision.binding,
                        result: Self.result(decision), message: Self.message(decision), denies: decision.denies, source: source)
        }
    }

    /// Evaluates a rendered object, given with its encoding. The render asks `mightMatch` first,
    /// once per kind, and converts only objects some policy may match.
    func evaluate(_ object: any KubeObject, encoded: TreeNode, namespaceObject: CELValue, source: String) -> [GateFinding] {
        evaluate(CELValue(encoded: encoded), namespace: object.metadata.namespace ?? "default", namespaceObject: namespaceObject, source: source)
    }

    /// A rendered object as the CEL value the API server would evaluate policies on.
    public static func celValue(_ object: any KubeObject) throws -> CELValue {
        CELValue(encoded: try TreeNode(encoding: object))
    }

    static func result(_ decision: PolicyResult) -> GateFinding.Result {
        switch decision.outcome {
        case .pass: return .pass
        case .skip: return .skip
        case .error: return .error
        case .fail: return decision.denies ? .fail : .warn
        }
    }

    static func message(_ decision: PolicyResult) -> String {
        decision.outcome == .pass ? "" : decision.failures.map(\.message).first ?? decision.message
    }
}
