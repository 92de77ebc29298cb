import BulkheadKube
import Yams

/// Every document read so far, by kind, with the problems found reading them.
struct DocumentSet: Sendable {
    var platforms: [Platform] = []
    var clusters: [Cluster] = []
    var tiers: [Tier] = []
    var tenants: [Tenant] = []
    var problems: [Problem] = []
    /// Names of documents that were declared but had errors, by kind, so that references to them
    /// are not reported a second time as "not declared".
    var invalidNames: [String: Set<String>] = [:]
    /// Regions and silo owners of clusters that had errors, for the same reason.
    var invalidClusterRegions: Set<String> = []
    var invalidClusterOwners: Set<String> = []

    static let kinds = ["Platform", "Cluster", "Tier", "Tenant"]

    /// Appends what another set read (the files after this set's).
    mutating func merge(_ other: DocumentSet) {
        platforms += other.platforms
        clusters += other.clusters
        tiers += other.tiers
        tenants += other.tenants
        problems += other.problems
        invalidNames.merge(other.invalidNames) { $0.union($1) }
        invalidClusterRegions.formUnion(other.invalidClusterRegions)
        invalidClusterOwners.formUnion(other.invalidClusterOwners)
    }

    mutating func parse(file: String, text: String) {
        // Yams keeps an error met half-way through a stream in the sequence's `error`; the
        // documents before it are still read.
        var sequence: YamlSequence<Node>
        do {
            sequence = try Yams.compose_all(yaml: text, .basic)
        } catch {
            problems.append(Self.syntaxProblem(error, file: file))
            return
        }
        var documents = 0
        while let root = sequence.next() {
            var reader = DocumentReader(file: file)
            read(root, with: &reader)
            problems += reader.problems
            if !DocumentReader.isNull(root) { documents += 1 }
        }
        if let error = sequence.error {
            problems.append(Self.syntaxProblem(error, file: file))
        } else if documents == 0 {
            problems.append(Problem("empty-file", "the file holds no documents", at: SourceLocation(file: file, line: 1, column: 1),
                                    allowed: "Platform, Cluster, Tier or Tenant documents, or remove the file"))
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
        let allowedMetadata = ["name", "labels", "annotations"]
        guard let metadata = reader.mapping(metadataNode, path: "metadata", allowed: allowedMetadata) else { return }
        guard let nameNode = metadata.first(where: { $0.key == "name" })?.value else {
            reader.problem("missing-field", "\(kind) has no 'metadata.name'", metadataNode, path: "metadata.name", allowed: Names.dnsLabelRule)
            return
        }
        let name = reader.dnsLabel(nameNode, path: "metadata.name")
        var labels: [String: String] = [:]
        if let labelsNode = metadata.first(where: { $0.key == "labels" })?.value, let read = reader.stringMap(labelsNode, path: "metadata.labels") {
            labels = read
            for (key, value) in read.sorted(by: { $0.key < $1.key }) where !isLabelValue(value) {
                let path = DocumentReader.join("metadata.labels", key)
                reader.problems.append(Problem("bad-label-value", "'\(value)' cannot be used as a Kubernetes label value", at: reader.fieldLocations[path], path: path, found: "'\(value)'", allowed: labelValueRule))
            }
        }
        let origin = reader.location(nameNode)
        let spec = fields["spec"]
        if spec == nil && kind != "Platform" {
            reader.problem("missing-field", "\(kind) '\(name ?? "")' has no 'spec'", root, path: "spec")
            return
        }
        let specNode = spec ?? Node.mapping(Node.Mapping([]))
        guard let name else { return }
        let before = reader.problems.count
        defer {
            if reader.problems.count > before { rememberInvalid(kind: kind, name: name, spec: specNode) }
        }
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

    /// Records what later checks need to know about a document that had errors.
    private mutating func rememberInvalid(kind: String, name: String, spec: Node) {
        invalidNames[kind, default: []].insert(name)
        guard kind == "Cluster", case .mapping(let mapping) = spec else { return }
        if case .scalar(let region)? = mapping["region"] { invalidClusterRegions.insert(region.string) }
        if case .scalar(let owner)? = mapping["dedicatedTo"] { invalidClusterOwners.insert(owner.string) }
    }
}
