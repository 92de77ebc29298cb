public import Foundation
import Yams

/// Deterministic serialization of rendered objects: sorted keys, no line folding, no timestamps.
public enum Manifests {
    /// Encodes objects as one multi-document YAML file.
    public static func yaml(_ objects: [any KubeObject]) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options = Emitter.Options(indent: 2, width: -1, allowUnicode: true, sortKeys: true)
        var parts: [String] = []
        parts.reserveCapacity(objects.count)
        for object in objects {
            parts.append(try encoder.encode(object))
        }
        return parts.joined(separator: "---\n")
    }

    /// Encodes any value as YAML with the same options.
    public static func yaml<Value: Encodable>(value: Value) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options = Emitter.Options(indent: 2, width: -1, allowUnicode: true, sortKeys: true)
        return try encoder.encode(value)
    }

    /// Encodes a value as pretty JSON with sorted keys and a trailing newline.
    public static func json<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Encodes a value as compact JSON with sorted keys (for documents embedded in a field).
    public static func compactJSON<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
