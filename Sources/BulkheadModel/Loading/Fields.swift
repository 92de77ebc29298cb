import Yams

/// The entries of one mapping being decoded, looked up by key, with missing-field reporting.
struct Fields {
    let node: Node
    let path: String
    let values: [String: Node]

    /// Reads `node` as a mapping with the given allowed keys; `nil` when it is not a mapping.
    init?(_ node: Node, path: String, allowed: [String], reader: inout DocumentReader) {
        guard let entries = reader.mapping(node, path: path, allowed: allowed) else { return nil }
        self.node = node
        self.path = path
        self.values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    func path(_ key: String) -> String { DocumentReader.join(path, key) }

    subscript(_ key: String) -> Node? { values[key] }

    /// The field's node, or a `missing-field` problem at the mapping.
    func required(_ key: String, _ reader: inout DocumentReader, allowed: String? = nil) -> Node? {
        if let value = values[key], !DocumentReader.isNull(value) { return value }
        if values[key] != nil {
            reader.problem("missing-value", "required field '\(key)' has no value", values[key]!, path: path(key), allowed: allowed)
        } else if !reader.suggestedPaths.contains(path(key)) {
            reader.problem("missing-field", "required field '\(key)' is missing", node, path: path(key), allowed: allowed)
        }
        return nil
    }
}
