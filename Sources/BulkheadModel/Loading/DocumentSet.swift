import BulkheadKube
import Yams

/// Every document read so far, by kind, with the problems found reading them.
struct DocumentSet {
    var platforms: [Platform] = []
    var clusters: [Cluster] = []
    var tiers: [Tier] = []
    var tenants: [Tenant] = []
    var problems: [Problem] = []

    static let kinds = ["Platform", "Cluster", "Tier", "Tenant"]

    mutating func parse(file: String, text: String) {
        let roots: [Node]
        do {
            roots = Array(try Yams.compose_all(yaml: text))
        } catch {
            problems.append(Self.syntaxProblem(error, file: file))
            return
        }
        for root in roots {
            var reader = DocumentReader(file: file)
            read(root, with: &reader)
            problems += reader.problems
        }
    }

    static func syntaxProblem(_ error: any Error, file: String) -> Problem {
        switch error {
        case let YamlError.scanner(context, problem, mark, _), let YamlError.parser(context, problem, mark, _), let YamlError.composer(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return Problem("yaml-syntax", "YAML syntax error: \(detail)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case let YamlError.duplicatedKeysInMapping(duplicates, context):
            return Problem("duplicate-key", "key '\(duplicates.sorted().joined(separator: "', '"))' appears more than once in one mapping",
                           at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return Problem("yaml-syntax", "YAML syntax error: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    private mutating func read(_ root: Node, with reader: inout DocumentReader) {
        if DocumentReader.isNull(root) { return }
        guard let top = reader.mapping(root, path: "", allowed: ["apiVersion", "kind", "metadata", "spec"]) else { return }
        let fields = Dictionary(top.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let kindNode = fields["kind"] else {
            reader.problem("missing-field", "the document has no 'kind'", root, path: "kind", allowed: Self.kinds.joined(separator: " | "))
            return
        }
        guard let kind = reader.oneOf(kindNode, path: "kind", allowed: Self.kinds) else { return }
        if let apiVersion = fields["apiVersion"] {
            _ = reader.oneOf(apiVersion, path: "apiVersion", allowed: [declarationAPIVersion])
        } else {
            reader.problem("missing-field", "the document has no 'apiVersion'", root, path: "apiVersion", allowed: declarationAPIVersion)
        }
        guard let metadataNode = fields["metadata"] else {
            reader.problem("missing-field", "\(kind) has no 'metadata'", root, path: "metadata", allowed: "metadata: {name: ...}")
            return
        }
        let allowedMetadata = kind == "Cluster" ? ["name", "labels"] : ["name", "labels", "annotations"]
        guard let metadata = reader.mapping(metadataNode, path: "metadata", allowed: allowedMetadata) else { return }
        guard let nameNode = metadata.first(where: { $0.key == "name" })?.value else {
            reader.problem("missing-field", "\(kind) has no 'metadata.name'", metadataNode, path: "metadata.name", allowed: Names.dnsLabelRule)
            return
        }
        let name = reader.dnsLabel(nameNode, path: "metadata.name")
        var labels: [String: String] = [:]
        if let labelsNode = metadata.first(where: { $0.key == "labels" })?.value, let read = reader.stringMap(labelsNode, path: "metadata.labels") {
            labels = read
        }
        let origin = reader.location(nameNode)
        let spec = fields["spec"]
        if spec == nil && kind != "Platform" {
            reader.problem("missing-field", "\(kind) '\(name ?? "")' has no 'spec'", root, path: "spec")
            return
        }
        let specNode = spec ?? Node.mapping(Node.Mapping([]))
        guard let name else { return }
        switch kind {
        case "Platform":
            if let value = PlatformDecoder.platform(name: name, spec: specNode, origin: origin, reader: &reader) { platforms.append(value) }
        case "Cluster":
            if let value = ClusterDecoder.cluster(name: name, labels: labels, spec: specNode, origin: origin, reader: &reader) { clusters.append(value) }
        case "Tier":
            if let value = TierDecoder.tier(name: name, spec: specNode, origin: origin, reader: &reader) { tiers.append(value) }
        default:
            if let value = TenantDecoder.tenant(name: name, spec: specNode, origin: origin, reader: &reader) { tenants.append(value) }
        }
    }
}
