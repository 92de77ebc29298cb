import BulkheadKube
import Foundation
import Yams

/// Label values must be at most 63 characters of letters, digits, '-', '_' and '.', alphanumeric at both ends.
func isLabelValue(_ text: String) -> Bool {
    if text.isEmpty { return true }
    guard text.count <= 63, let first = text.first, let last = text.last,
          first.isASCII && (first.isLetter || first.isNumber), last.isASCII && (last.isLetter || last.isNumber) else { return false }
    return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
}
let labelValueRule = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"

extension DocumentReader {
    mutating func labelValue(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        guard isLabelValue(text) else {
            problem("bad-label-value", "'\(text)' cannot be used as a Kubernetes label value", node, path: path, found: "'\(text)'", allowed: labelValueRule)
            return nil
        }
        return text
    }

    /// A quota mapping: valid ResourceQuota keys to quantities (whole numbers for object counts).
    mutating func quota(_ node: Node, path: String) -> [String: String]? {
        guard let entries = mapping(node, path: path, allowed: nil) else { return nil }
        var quota: [String: String] = [:]
        var ok = true
        for entry in entries {
            let entryPath = DocumentReader.join(path, entry.key)
            guard ResourceQuotaKeys.isValid(entry.key) else {
                let hint = Suggestion.hint(for: entry.key, among: ResourceQuotaKeys.fixed)
                problem("bad-quota-key", "'\(entry.key)' is not a ResourceQuota key\(hint)", entry.keyNode, path: entryPath, found: "'\(entry.key)'", allowed: ResourceQuotaKeys.rule)
                ok = false
                continue
            }
            guard let value = quantity(entry.value, path: entryPath) else { ok = false; continue }
            if ResourceQuotaKeys.isCount(entry.key), value.value.millis % 1000 != 0 {
                problem("bad-quantity", "'\(entry.key)' counts objects and needs a whole number", entry.value, path: entryPath, found: "'\(value.text)'", allowed: "a whole number such as 20")
                ok = false
                continue
            }
            quota[entry.key] = value.text
        }
        return ok ? quota : nil
    }

    /// A mapping of `cpu`/`memory`/`ephemeral-storage` to quantities (LimitRange entries).
    mutating func resourceList(_ node: Node, path: String) -> [String: String]? {
        guard let fields = Fields(node, path: path, allowed: ["cpu", "memory", "ephemeral-storage"], reader: &self) else { return nil }
        var result: [String: String] = [:]
        for (key, value) in fields.values {
            if let q = quantity(value, path: fields.path(key)) { result[key] = q.text }
        }
        return result
    }
}

enum PlatformDecoder {
    static func platform(name: String, spec: Node, origin: SourceLocation, reader: inout DocumentReader) -> Platform? {
        let before = reader.problems.count
        guard let fields = Fields(spec, path: "spec", allowed: ["gitops", "bucketPrefix", "repoURL", "revision", "policyEngine", "allowedRegistries", "webhook"], reader: &reader) else { return nil }
        var platform = Platform.defaults(at: origin)
        platform.name = name
        if let node = fields["gitops"], let value = reader.oneOf(node, path: "spec.gitops", allowed: GitOpsEngine.allCases.map(\.rawValue)) {
            platform.gitops = GitOpsEngine(rawValue: value)!
        }
        if let node = fields["bucketPrefix"], let value = reader.dnsLabel(node, path: "spec.bucketPrefix") { platform.bucketPrefix = value }
        if let node = fields["repoURL"], let value = reader.string(node, path: "spec.repoURL") {
            if value.hasPrefix("https://") || value.hasPrefix("ssh://") || value.hasPrefix("git@") || value.hasPrefix("http://") {
                platform.repoURL = value
            } else {
                reader.problem("bad-url", "'\(value)' is not a git URL", node, path: "spec.repoURL", found: "'\(value)'", allowed: "https://..., ssh://... or git@host:path")
            }
        }
        if let node = fields["revision"], let value = reader.string(node, path: "spec.revision") { platform.revision = value }
        if let node = fields["policyEngine"], let value = reader.oneOf(node, path: "spec.policyEngine", allowed: PolicyEngineChoice.allCases.map(\.rawValue)) {
            platform.policyEngine = PolicyEngineChoice(rawValue: value)!
        }
        if let node = fields["allowedRegistries"] {
            platform.allowedRegistries = reader.stringList(node, path: "spec.allowedRegistries") { reader, item, path in
                guard let value = reader.string(item, path: path) else { return nil }
                // A registry host (with an optional port) and optional path: no scheme, tag, digest
                // or trailing slash.
                let segments = value.split(separator: "/", omittingEmptySubsequences: false)
                let valid = !value.isEmpty && !value.hasSuffix("/") && !value.contains("@") && !value.contains(where: \.isWhitespace)
                    && !segments.dropFirst().contains { $0.isEmpty || $0.contains(":") }
                guard valid else {
                    reader.problem("bad-registry", "'\(value)' is not an image registry prefix", item, path: path, found: "'\(value)'", allowed: "a registry host with an optional path, such as registry.example.com or ghcr.io/acme (no scheme, tag or trailing slash)")
                    return nil
                }
                return value
            } ?? []
        }
        if let node = fields["webhook"] { platform.webhook = webhook(node, reader: &reader) }
        platform.origin = Origin(location: origin, fields: reader.fieldLocations)
        return reader.problems.count == before ? platform : nil
    }

    static func webhook(_ node: Node, reader: inout DocumentReader) -> WebhookSettings? {
        guard let fields = Fields(node, path: "spec.webhook", allowed: ["caBundle", "namespace", "service", "port", "timeoutSeconds", "failurePolicy"], reader: &reader),
              let bundleNode = fields.required("caBundle", &reader, allowed: "base64 of the PEM CA certificate (bulkhead webhook certs prints it)"),
              let bundle = reader.string(bundleNode, path: "spec.webhook.caBundle") else { return nil }
        let decoded = Data(base64Encoded: bundle).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard decoded.contains("-----BEGIN CERTIFICATE-----") else {
            reader.problem("bad-ca-bundle", "not a base64-encoded PEM certificate", bundleNode, path: "spec.webhook.caBundle",
                           allowed: "base64 of the CA's PEM text, as printed by 'bulkhead webhook certs' (base64 -w0 ca.crt)")
            return nil
        }
        var settings = WebhookSettings(caBundle: bundle)
        if let node = fields["namespace"], let value = reader.dnsLabel(node, path: "spec.webhook.namespace") { settings.namespace = value }
        if let node = fields["service"], let value = reader.dnsLabel(node, path: "spec.webhook.service") { settings.service = value }
        if let node = fields["port"], let value = reader.int(node, path: "spec.webhook.port", range: 1...65535) { settings.port = value }
        if let node = fields["timeoutSeconds"], let value = reader.int(node, path: "spec.webhook.timeoutSeconds", range: 1...30) { settings.timeoutSeconds = value }
        if let node = fields["failurePolicy"], let value = reader.oneOf(node, path: "spec.webhook.failurePolicy", allowed: ["Ignore", "Fail"]) { settings.failurePolicy = value }
        return settings
    }
}

enum ClusterDecoder {
    static let specFields = ["environment", "region", "location", "accountId", "kubernetesVersion", "addons", "capacity", "overcommit", "gateway", "dedicatedTo"]

    static func cluster(name: String, labels: [String: String], spec: Node, origin: SourceLocation, reader: inout DocumentReader) -> Cluster? {
        let before = reader.problems.count
        guard let fields = Fields(spec, path: "spec", allowed: specFields, reader: &reader) else { return nil }
        let environment = fields.required("environment", &reader, allowed: Environment.allCases.map(\.rawValue).joined(separator: " | "))
            .flatMap { reader.oneOf($0, path: "spec.environment", allowed: Environment.allCases.map(\.rawValue)) }
            .flatMap(Environment.init(rawValue:))
        let region = fields.required("region", &reader, allowed: "an AWS region such as us-east-1").flatMap { node -> String? in
            guard let text = reader.string(node, path: "spec.region") else { return nil }
            let parts = text.split(separator: "-")
            guard parts.count >= 3, Names.isDNSLabel(text), Int(parts.last!) != nil else {
                reader.problem("bad-region", "'\(text)' is not an AWS region name", node, path: "spec.region", found: "'\(text)'", allowed: "a region such as us-east-1 or eu-west-1")
                return nil
            }
            return text
        }
        var location = ClusterLocation.region
        if let node = fields["location"], let value = reader.oneOf(node, path: "spec.location", allowed: ClusterLocation.allCases.map(\.rawValue)) {
            location = ClusterLocation(rawValue: value)!
        }
        let accountId = fields.required("accountId", &reader, allowed: "a 12-digit AWS account id, quoted").flatMap { node -> String? in
            guard let text = reader.string(node, path: "spec.accountId") else { return nil }
            guard text.count == 12, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                reader.problem("bad-account", "'\(text)' is not a 12-digit AWS account id", node, path: "spec.accountId", found: "'\(text)'", allowed: "12 digits, quoted so leading zeros stay")
                return nil
            }
            return text
        }
        let range = KubernetesVersion.supported
        let versionRule = "\(range.lowerBound) to \(range.upperBound)"
        let version = fields.required("kubernetesVersion", &reader, allowed: versionRule).flatMap { node -> KubernetesVersion? in
            guard let text = reader.string(node, path: "spec.kubernetesVersion") else { return nil }
            guard let version = KubernetesVersion(text) else {
                reader.problem("bad-version", "'\(text)' is not a Kubernetes version", node, path: "spec.kubernetesVersion", found: "'\(text)'", allowed: "major.minor, quoted, from \(versionRule)")
                return nil
            }
            guard range.contains(version) else {
                reader.problem("unsupported-version", "Kubernetes \(version) is outside what Bulkhead renders for", node, path: "spec.kubernetesVersion", found: "'\(text)'", allowed: versionRule)
                return nil
            }
            return version
        }
        var addons: [String: String] = [:]
        if let node = fields["addons"], let map = reader.stringMap(node, path: "spec.addons") {
            addons = map
            for (addon, text) in map.sorted(by: { $0.key < $1.key }) {
                let path = DocumentReader.join("spec.addons", addon)
                let valueNode = reader.fieldLocations[path]
                guard let version = SemanticVersion(text) else {
                    reader.problems.append(Problem("bad-version", "'\(text)' is not a version", at: valueNode, path: path, found: "'\(text)'", allowed: "major.minor.patch such as 1.14.1"))
                    continue
                }
                if addon == "karpenter", version < AddonSupport.karpenterMinimum {
                    reader.problems.append(Problem("unsupported-version", "Karpenter \(version) is older than the v1 API Bulkhead renders", at: valueNode, path: path, found: "'\(text)'", allowed: "\(AddonSupport.karpenterMinimum) or newer"))
                }
                if addon == "keda", version < AddonSupport.kedaMinimum {
                    reader.problems.append(Problem("unsupported-version", "KEDA \(version) is older than Bulkhead renders for", at: valueNode, path: path, found: "'\(text)'", allowed: "\(AddonSupport.kedaMinimum) or newer"))
                }
            }
        }
        var capacity: Capacity?
        if let node = fields.required("capacity", &reader, allowed: "{cpu, memory, pods}"), let cap = Fields(node, path: "spec.capacity", allowed: ["cpu", "memory", "pods"], reader: &reader) {
            let cpu = cap.required("cpu", &reader).flatMap { reader.quantity($0, path: "spec.capacity.cpu") }
            let memory = cap.required("memory", &reader).flatMap { reader.quantity($0, path: "spec.capacity.memory") }
            let pods = cap.required("pods", &reader).flatMap { reader.quantity($0, path: "spec.capacity.pods") }
            if let cpu, let memory, let pods { capacity = Capacity(cpu: cpu.value, memory: memory.value, pods: pods.value) }
        }
        var overcommit = 1.0
        if let node = fields["overcommit"], let value = reader.double(node, path: "spec.overcommit", range: 1.0...10.0) { overcommit = value }
        var gateway = GatewayReference(name: "shared", namespace: "gateway")
        if let node = fields["gateway"], let gw = Fields(node, path: "spec.gateway", allowed: ["name", "namespace"], reader: &reader) {
            if let value = gw.required("name", &reader).flatMap({ reader.dnsLabel($0, path: "spec.gateway.name") }) { gateway.name = value }
            if let value = gw.required("namespace", &reader).flatMap({ reader.dnsLabel($0, path: "spec.gateway.namespace") }) { gateway.namespace = value }
        }
        let dedicatedTo = fields["dedicatedTo"].flatMap { reader.dnsLabel($0, path: "spec.dedicatedTo") }
        guard reader.problems.count == before, let environment, let region, let accountId, let version, let capacity else { return nil }
        return Cluster(name: name, labels: labels, environment: environment, region: region, location: location, accountId: accountId,
                       kubernetesVersion: version, addons: addons, capacity: capacity, overcommit: overcommit, gateway: gateway,
                       dedicatedTo: dedicatedTo, origin: Origin(location: origin, fields: reader.fieldLocations))
    }
}

/// The add-on versions Bulkhead renders objects for.
public enum AddonSupport {
    /// Karpenter's v1 API (NodePool `karpenter.sh/v1`, EC2NodeClass `karpenter.k8s.aws/v1`).
    public static let karpenterMinimum = SemanticVersion(1, 0, 0)
    /// On-Demand Capacity Reservations (`reserved` capacity type, `capacityReservationSelectorTerms`).
    public static let karpenterReservedCapacity = SemanticVersion(1, 3, 0)
    /// `podIdentity.provider: aws` in TriggerAuthentication.
    public static let kedaMinimum = SemanticVersion(2, 13, 0)
}

enum TierDecoder {
    static func tier(name: String, spec: Node, origin: SourceLocation, reader: inout DocumentReader) -> Tier? {
        let before = reader.problems.count
        guard let fields = Fields(spec, path: "spec", allowed: ["isolation", "podSecurity", "quota", "limitRange", "nodes", "storage"], reader: &reader) else { return nil }
        let isolation = fields.required("isolation", &reader, allowed: Isolation.allCases.map(\.rawValue).joined(separator: " | "))
            .flatMap { reader.oneOf($0, path: "spec.isolation", allowed: Isolation.allCases.map(\.rawValue)) }
            .flatMap(Isolation.init(rawValue:))
        var podSecurity = PodSecurityLevel.restricted
        if let node = fields["podSecurity"], let value = reader.oneOf(node, path: "spec.podSecurity", allowed: PodSecurityLevel.allCases.map(\.rawValue)) {
            podSecurity = PodSecurityLevel(rawValue: value)!
        }
        var quota: [String: String] = [:]
        if let node = fields.required("quota", &reader, allowed: "ResourceQuota keys with quantities, at least requests.cpu, requests.memory and pods"),
           let value = reader.quota(node, path: "spec.quota") {
            quota = value
            for key in ["requests.cpu", "requests.memory", "pods"] where value[key] == nil {
                reader.problem("missing-field", "the tier quota must set '\(key)'; placement budgets on it", node, path: DocumentReader.join("spec.quota", key))
            }
        }
        var limitRange = LimitRangeSettings(defaultRequest: [:], default: [:], max: [:])
        if let node = fields["limitRange"], let lr = Fields(node, path: "spec.limitRange", allowed: ["defaultRequest", "default", "max"], reader: &reader) {
            limitRange.defaultRequest = lr["defaultRequest"].flatMap { reader.resourceList($0, path: "spec.limitRange.defaultRequest") } ?? [:]
            limitRange.default = lr["default"].flatMap { reader.resourceList($0, path: "spec.limitRange.default") } ?? [:]
            limitRange.max = lr["max"].flatMap { reader.resourceList($0, path: "spec.limitRange.max") } ?? [:]
            LimitRangeOrder.check(limitRange, reader: &reader)
        }
        var capacityTypes: [CapacityType] = [.onDemand]
        var families: [String] = []
        if let node = fields["nodes"], let nodes = Fields(node, path: "spec.nodes", allowed: ["capacityTypes", "instanceFamilies"], reader: &reader) {
            if let list = nodes["capacityTypes"], let values = reader.stringList(list, path: "spec.nodes.capacityTypes", nonEmpty: true, element: { reader, node, path in
                reader.oneOf(node, path: path, allowed: CapacityType.allCases.map(\.rawValue))
            }) {
                capacityTypes = values.compactMap(CapacityType.init(rawValue:))
            }
            if let list = nodes["instanceFamilies"], let values = reader.stringList(list, path: "spec.nodes.instanceFamilies", element: { reader, node, path in
                guard let text = reader.string(node, path: path) else { return nil }
                guard text.count <= 16, text.first?.isLetter == true, text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                    reader.problem("bad-instance-family", "'\(text)' is not an EC2 instance family", node, path: path, found: "'\(text)'", allowed: "a family such as m7i, c7g or r6a")
                    return nil
                }
                return text
            }) {
                families = values
            }
        }
        var versioning = false
        if let node = fields["storage"], let storage = Fields(node, path: "spec.storage", allowed: ["versioning"], reader: &reader),
           let value = storage["versioning"].flatMap({ reader.bool($0, path: "spec.storage.versioning") }) {
            versioning = value
        }
        guard reader.problems.count == before, let isolation else { return nil }
        return Tier(name: name, isolation: isolation, podSecurity: podSecurity, quota: quota, limitRange: limitRange,
                    capacityTypes: capacityTypes, instanceFamilies: families, versioning: versioning,
                    origin: Origin(location: origin, fields: reader.fieldLocations))
    }
}
