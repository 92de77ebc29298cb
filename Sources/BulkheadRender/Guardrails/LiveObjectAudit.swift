public import BulkheadCEL
public import BulkheadPolicy
import BulkheadKube

/// The audit of what already runs: exported live objects evaluated against a cluster's
/// guardrails, as if each were created now (Kyverno's background scan does the same). Pure.
public struct LiveObjectAudit: Sendable {
    /// Results per tenant; objects outside tenant namespaces are grouped under
    /// ``clusterScoped`` and ``notATenant``.
    public struct TenantSummary: Sendable, Encodable, Equatable {
        public var tenant: String
        public var objects: Int
        public var summary: PolicyReports.Summary
    }

    public static let clusterScoped = "(cluster-scoped)"
    public static let notATenant = "(not a tenant namespace)"

    public var findings: [GateFinding]
    public var tenants: [TenantSummary]
    /// How many objects were read and how many some policy applied to.
    public var objectCount: Int
    public var evaluatedCount: Int

    /// Audits `objects` on the gate's cluster. A namespace's labels come from a Namespace object
    /// in the export when there is one (what really runs), else from `renderedNamespaces`.
    public init(objects: [ManifestReader.Object], gate: ClusterGate, renderedNamespaces: [String: CELValue]) {
        var namespaces = renderedNamespaces
        for object in objects {
            if case .map(let root) = object.value, root["kind"] == .string("Namespace"), let name = Self.name(of: object.value) {
                namespaces[name] = object.value
            }
        }
        var findings: [GateFinding] = []
        var findingsPerTenant: [String: [GateFinding]] = [:]
        var objectsPerTenant: [String: Int] = [:]
        var evaluated = 0
        for object in objects {
            guard case .map(let root) = object.value, case .string(let kind)? = root["kind"] else { continue }
            let namespace = AdmissionRequest.isNamespaced(kind: kind) ? Self.namespace(of: object.value) ?? "default" : nil
            let tenant = namespace.map { Self.tenant(of: namespaces[$0]) ?? Self.notATenant } ?? Self.clusterScoped
            objectsPerTenant[tenant, default: 0] += 1
            guard gate.mightMatch(kind: kind) else { continue }
            let found = gate.evaluate(object.value, namespace: namespace ?? "default", namespaceObject: namespace.flatMap { namespaces[$0] } ?? .null,
                                      source: object.location.description)
            if !found.isEmpty { evaluated += 1 }
            findingsPerTenant[tenant, default: []] += found
            findings += found
        }
        self.findings = findings.sorted { ($0.resource.namespace ?? "", $0.resource.kind, $0.resource.name, $0.policy) < ($1.resource.namespace ?? "", $1.resource.kind, $1.resource.name, $1.policy) }
        tenants = objectsPerTenant.keys.sorted().map {
            TenantSummary(tenant: $0, objects: objectsPerTenant[$0]!, summary: PolicyReports.Summary(findingsPerTenant[$0] ?? []))
        }
        objectCount = objects.count
        evaluatedCount = evaluated
    }

    static func name(of object: CELValue) -> String? {
        guard case .map(let root) = object, case .map(let metadata)? = root["metadata"], case .string(let name)? = metadata["name"] else { return nil }
        return name
    }

    static func namespace(of object: CELValue) -> String? {
        guard case .map(let root) = object, case .map(let metadata)? = root["metadata"], case .string(let namespace)? = metadata["namespace"] else { return nil }
        return namespace
    }

    /// The `bulkhead.dev/tenant` label of a Namespace object.
    static func tenant(of namespace: CELValue?) -> String? {
        guard case .map(let root)? = namespace, case .map(let metadata)? = root["metadata"], case .map(let labels)? = metadata["labels"],
              case .string(let tenant)? = labels[BulkheadLabels.tenant] else { return nil }
        return tenant
    }
}
