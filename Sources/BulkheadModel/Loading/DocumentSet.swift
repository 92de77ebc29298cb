import BulkheadKube
import Yams

/// Every document read so far, by kind, with the problems found reading them.
struct DocumentSet: Sendable {
    var platforms: [Platform] = []
    var clusters: [Cluster] = []
    var tiers: [Tier] = []
    var tenants: [Tenant] = []
    /// What each Tenant document whose spec is a mapping refers to, whether or not it has errors.
    var tenantReferences: [TenantReferences] = []
    /// Every document that has a name, with or without errors, in file order: duplicates are
    /// found among these, so that a document with an error still counts.
    var declarations: [DeclaredName] = []
    var problems: [Problem] = []
    /// The text of each Tenant document read without errors, by the tenant's document location;
    /// missing for files `DocumentTexts` cannot split.
    var tenantSources: [SourceLocation: TenantSource] = [:]
    /// Regions and silo owners of clusters that had errors, so that references to them are not
    /// reported a second time as unknown.
    var invalidClusterRegions: Set<String> = []
    var invalidClusterOwners: Set<String> = []

    static let kinds = ["Platform", "Cluster", "Tier", "Tenant"]

    /// Appends what another set read (the files after this set's).
    mutating func merge(_ other: DocumentSet) {
        platforms += other.platforms
        clusters += other.clusters
        tiers += other.tiers
        tenants += other.tenants
        tenantReferences += other.tenantReferences
        declarations += other.declarations
        problems += other.problems
        tenantSources.merge(other.tenantSources) { first, _ in first }
        invalidClusterRegions.formUnion(other.invalidClusterRegions)
        invalidClusterOwners.formUnion(other.invalidClusterOwners)
    }

    mutating func parse(file: String, text: String) {
        // An error met half-way through a stream stops it; the documents before it are still
        // read. A repeated key does not stop it (see `RepeatedKeys`).
        let (roots, error, repeatedKeys) = RepeatedKeys.compose(file: file, text: text)
        var documents = 0
        var metRenamedKeys: Set<SourceLocation> = []
        let texts = Self.documentTexts(of: text, roots: roots)
        for root in roots {
            var reader = DocumentReader(file: file, repeatedKeys: repeatedKeys)
            let tenantCount = tenants.count
            read(root, with: &reader)
            if tenants.count > tenantCount, let texts, let line = root.mark?.line {
                let chunk = texts.chunk(containing: line)
                tenantSources[tenants[tenants.count - 1].origin.location] = TenantSource(line: chunk.line, text: chunk.text)
            }
            problems += reader.problems
            metRenamedKeys.formUnion(reader.metRenamedKeys)
            if !DocumentReader.isNull(root) { documents += 1 }
        }
        problems += repeatedKeys.unmet(seen: metRenamedKeys)
        if let error {
            problems.append(Self.syntaxProblem(error, file: file))
        } else if documents == 0 {
            problems.append(Problem("empty-file", "the file holds no documents", at: SourceLocation(file: file, line: 1, column: 1),
                                    allowed: "Platform, Cluster, Tier or Tenant documents, or remove the file"))
        }
    }

    /// The file's documents by text, when each root lies in a chunk of its own.
    private static func documentTexts(of text: String, roots: [Node]) -> DocumentTexts? {
        guard let texts = DocumentTexts(text) else { return nil }
        var used: Set<Int> = []
        for root in roots where !DocumentReader.isNull(root) {
            guard let line = root.mark?.line, used.insert(texts.chunk(containing: line).number).inserted else { return nil }
        }
        return texts
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
        // A name that is not a DNS label still declares the document, for references to it.
        let declaredName = name ?? (DocumentReader.isNull(nameNode) ? nil : nameNode.scalar?.string)
        var labels: [String: String] = [:]
        if let labelsNode = metadata.first(where: { $0.key == "labels" })?.value, let read = reader.stringMap(labelsNode, path: "metadata.labels") {
            labels = read
            for (key, value) in read.sorted(by: { $0.key < $1.key }) where !isLabelValue(value) {
                let path = DocumentReader.join("metadata.labels", key)
                reader.problems.append(Problem("bad-label-value", "'\(value)' cannot be used as a Kubernetes label value", at: reader.fieldLocations[path], path: path, found: "'\(value)'", allowed: labelValueRule))
            }
        }
        let origin = reader.location(nameNode)
        if let declaredName { declarations.append(DeclaredName(kind: kind, name: declaredName, location: origin)) }
        let spec = fields["spec"]
        let specNode = spec ?? Node.mapping(Node.Mapping([]))
        if spec == nil && kind != "Platform" {
            reader.problem("missing-field", "\(kind) '\(name ?? "")' has no 'spec'", root, path: "spec")
        }
        guard let declaredName, spec != nil || kind == "Platform" else {
            if kind == "Cluster" { rememberInvalidCluster(spec: specNode) }
            return
        }
        // A document whose name has an error is still read, for its other problems and a
        // tenant's references, but its value is not kept.
        let before = reader.problems.count
        defer {
            if kind == "Cluster", name == nil || reader.problems.count > before { rememberInvalidCluster(spec: specNode) }
        }
        switch kind {
        case "Platform":
            let value = PlatformDecoder.platform(name: declaredName, spec: specNode, origin: origin, reader: &reader)
            if let value, name != nil { platforms.append(value) }
        case "Cluster":
            let value = ClusterDecoder.cluster(name: declaredName, labels: labels, spec: specNode, origin: origin, reader: &reader)
            if let value, name != nil { clusters.append(value) }
        case "Tier":
            let value = TierDecoder.tier(name: declaredName, spec: specNode, origin: origin, reader: &reader)
            if let value, name != nil { tiers.append(value) }
        default:
            let (tenant, references) = TenantDecoder.tenant(name: declaredName, spec: specNode, origin: origin, reader: &reader)
            if let tenant, name != nil { tenants.append(tenant) }
            if let references { tenantReferences.append(references) }
        }
    }

    /// Records what later checks need to know about a Cluster document that had errors.
    private mutating func rememberInvalidCluster(spec: Node) {
        guard case .mapping(let mapping) = spec else { return }
        if case .scalar(let region)? = mapping["region"] { invalidClusterRegions.insert(region.string) }
        if case .scalar(let owner)? = mapping["dedicatedTo"] { invalidClusterOwners.insert(owner.string) }
    }
}

/// A document's kind and name, and where the name is written.
struct DeclaredName: Sendable {
    var kind: String
    var name: String
    var location: SourceLocation
}
