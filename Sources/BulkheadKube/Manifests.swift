/// Deterministic serialization of rendered objects: sorted keys, no line folding, no timestamps.
public enum Manifests {
    /// Encodes objects as one multi-document YAML file.
    public static func yaml(_ objects: [any KubeObject]) throws -> String {
        yaml(encoded: try objects.map { try TreeNode(encoding: $0) })
    }

    /// Writes already encoded objects as one multi-document YAML file.
    public static func yaml(encoded objects: [TreeNode]) -> String {
        YAMLWriter.documents(objects)
    }

    /// Encodes a value as pretty JSON with sorted keys and a trailing newline.
    public static func json<Value: Encodable>(_ value: Value) throws -> String {
        JSONWriter.pretty(try TreeNode(encoding: value))
    }

    /// Encodes a value as compact JSON with sorted keys (for documents embedded in a field).
    public static func compactJSON<Value: Encodable>(_ value: Value) throws -> String {
        JSONWriter.compact(try TreeNode(encoding: value))
    }
}
