import BulkheadKube
import Yams

enum TenantDecoder {
    static let specFields = ["tier", "owners", "team", "costCenter", "environments", "regions", "dataClassification", "quota", "apps", "buckets"]
    /// Namespaces a tenant may not take: Kubernetes' own and the GitOps engines'.
    static let reservedNames: Set<String> = ["default", "argocd", "flux-system", "karpenter", "keda", "gateway", "ack-system"]

    /// The tenant when the document has no errors, and what it refers to whenever its spec is a
    /// mapping (checked against the other documents even when the tenant has errors).
    static func tenant(name: String, spec: Node, origin: SourceLocation, reader: inout DocumentReader) -> (tenant: Tenant?, references: TenantReferences?) {
        let before = reader.problems.count
        if name.hasPrefix("kube-") || reservedNames.contains(name) {
            reader.problems.append(Problem("reserved-name", "'\(name)' is reserved for the platform and cannot name a tenant", at: origin, path: "metadata.name", found: "'\(name)'",
                                           allowed: "any DNS-1123 label except default, kube-*, \(reservedNames.subtracting(["default"]).sorted().joined(separator: ", "))"))
        }
        guard let fields = Fields(spec, path: "spec", allowed: specFields, reader: &reader) else { return (nil, nil) }
        let tier = fields.required("tier", &reader).flatMap { reader.string($0, path: "spec.tier") }
        let owners = fields.required("owners", &reader, allowed: "a list of groups").flatMap {
            reader.stringList($0, path: "spec.owners", nonEmpty: true) { reader, node, path in
                guard let text = reader.string(node, path: path) else { return nil }
                guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else {
                    reader.problem("bad-group", "'\(text)' is not a group name", node, path: path, found: "'\(text)'", allowed: "a non-empty group name without spaces")
                    return nil
                }
                return text
            }
        }
        let team = fields.required("team", &reader).flatMap { reader.labelValue($0, path: "spec.team") }
        let costCenter = fields.required("costCenter", &reader).flatMap { reader.labelValue($0, path: "spec.costCenter") }
        let environments = fields.required("environments", &reader, allowed: Environment.allCases.map(\.rawValue).joined(separator: ", ")).flatMap {
            reader.stringList($0, path: "spec.environments", nonEmpty: true) { reader, node, path in
                reader.oneOf(node, path: path, allowed: Environment.allCases.map(\.rawValue))
            }
        }
        let regions = fields["regions"].flatMap {
            reader.stringList($0, path: "spec.regions", nonEmpty: true) { reader, node, path in reader.string(node, path: path) }
        }
        var classification = DataClassification.internal
        if let node = fields["dataClassification"], let value = reader.oneOf(node, path: "spec.dataClassification", allowed: DataClassification.allCases.map(\.rawValue)) {
            classification = DataClassification(rawValue: value)!
        }
        let quota = fields["quota"].flatMap { reader.quota($0, path: "spec.quota") } ?? [:]
        let apps = fields["apps"].flatMap { readApps(node: $0, reader: &reader) } ?? []
        let buckets = fields["buckets"].flatMap {
            reader.stringList($0, path: "spec.buckets") { reader, node, path in reader.dnsLabel(node, path: path) }
        } ?? []
        let references = TenantReferences(name: name, tier: tier, regions: fields["regions"].map(TenantReferences.strings) ?? [],
                                          origin: Origin(location: origin, fields: reader.fieldLocations))
        guard reader.problems.count == before, let tier, let owners, let team, let costCenter, let environments else { return (nil, references) }
        let tenant = Tenant(name: name, tier: tier, owners: owners, team: team, costCenter: costCenter,
                            environments: environments.compactMap(Environment.init(rawValue:)), regions: regions,
                            dataClassification: classification, quota: quota, apps: apps, buckets: buckets,
                            origin: Origin(location: origin, fields: reader.fieldLocations))
        return (tenant, references)
    }

    static func readApps(node: Node, reader: inout DocumentReader) -> [App]? {
        guard let items = reader.list(node, path: "spec.apps") else { return nil }
        var apps: [App] = []
        for (index, item) in items {
            let path = "spec.apps[\(index)]"
            guard let fields = Fields(item, path: path, allowed: ["name", "port", "queue"], reader: &reader) else { continue }
            guard let name = fields.required("name", &reader, allowed: Names.dnsLabelRule).flatMap({ reader.dnsLabel($0, path: "\(path).name") }) else { continue }
            if apps.contains(where: { $0.name == name }) {
                reader.problem("duplicate", "app '\(name)' is declared twice", fields["name"]!, path: "\(path).name", found: "'\(name)'")
                continue
            }
            let port = fields["port"].flatMap { reader.int($0, path: "\(path).port", range: 1...65535) }
            var queue: App.Queue?
            if let queueNode = fields["queue"], let q = Fields(queueNode, path: "\(path).queue", allowed: ["targetLength", "maxReplicas"], reader: &reader) {
                let target = q.required("targetLength", &reader, allowed: "1 to 100000").flatMap { reader.int($0, path: "\(path).queue.targetLength", range: 1...100_000) }
                let maxReplicas = q.required("maxReplicas", &reader, allowed: "1 to 1000").flatMap { reader.int($0, path: "\(path).queue.maxReplicas", range: 1...1000) }
                if let target, let maxReplicas { queue = App.Queue(targetLength: target, maxReplicas: maxReplicas) }
            }
            if fields["port"] == nil && fields["queue"] == nil {
                reader.problem("missing-field", "app '\(name)' needs a 'port' (a routed service) or a 'queue' (a queue worker)", item, path: path, allowed: "{name, port} or {name, queue: {targetLength, maxReplicas}}")
                continue
            }
            if fields["port"] != nil && fields["queue"] != nil {
                reader.problem("conflicting-fields", "app '\(name)' has both 'port' and 'queue'; declare the service and the worker as two apps", item, path: path)
                continue
            }
            apps.append(App(name: name, port: port, queue: queue))
        }
        return apps
    }
}

/// The names a Tenant document refers to: its tier and regions. Read even when the tenant has
/// errors elsewhere, so that a wrong tier or region is reported in the same run as those errors.
struct TenantReferences: Sendable {
    var name: String
    /// `nil` when `spec.tier` is missing or not a string (already reported).
    var tier: String?
    /// Each region written as a string, with its index in `spec.regions`.
    var regions: [(index: Int, name: String)]
    var origin: Origin

    /// The string items of a list, with their indexes; other items were reported by the decoder.
    static func strings(_ node: Node) -> [(index: Int, name: String)] {
        guard case .sequence(let items) = node else { return [] }
        return items.enumerated().compactMap { index, item in
            guard case .scalar(let scalar) = item, !DocumentReader.isNull(item) else { return nil }
            return (index, scalar.string)
        }
    }
}
