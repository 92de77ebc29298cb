public import BulkheadCEL
import Foundation
import Yams

/// Reads Kubernetes objects from manifest files (a Helm-rendered folder, `kubectl get -o yaml`
/// output): every document of every `*.yaml`, `*.yml` and `*.json` file, with `kind: List`
/// documents expanded into their items.
public enum ManifestReader {
    /// One object and where it was read.
    public struct Object: Sendable {
        public var value: CELValue
        public var location: SourceLocation
    }

    /// The objects of every manifest file at or below `path` (a file or a folder), in file order.
    /// Unreadable or malformed files are problems; the other files are still read.
    public static func objects(at path: String) -> (objects: [Object], problems: [PolicyProblem]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return ([], [PolicyProblem("missing-path", "no such file or folder", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        var files: [String] = []
        if isDirectory.boolValue {
            let walker = FileManager.default.enumerator(atPath: path)
            while let name = walker?.nextObject() as? String {
                if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") {
                    files.append((path as NSString).appendingPathComponent(name))
                }
            }
            files.sort()
        } else {
            files = [path]
        }
        var objects: [Object] = []
        var problems: [PolicyProblem] = []
        for file in files {
            do {
                let yaml = try YAMLFile(contentsOf: file)
                for document in yaml.documents { objects += expanded(document, in: yaml) }
            } catch {
                problems.append(error)
            }
        }
        return (objects, problems)
    }

    /// The objects of YAML text (for tests and the webhook).
    public static func objects(yaml: String, file: String) throws(PolicyProblem) -> [Object] {
        let parsed = try YAMLFile(path: file, text: yaml)
        return parsed.documents.flatMap { expanded($0, in: parsed) }
    }

    /// A document's object, or each item of a `kind: *List` at the item's own line.
    static func expanded(_ node: Node, in file: YAMLFile) -> [Object] {
        guard case .map(let map) = YAMLFile.celValue(node) else { return [] }
        if case .string(let kind)? = map["kind"], kind.hasSuffix("List"), case .mapping(let mapping) = node, let items = mapping["items"], case .sequence(let sequence) = items {
            return sequence.map { Object(value: YAMLFile.celValue($0), location: file.location($0)) }
        }
        return [Object(value: .map(map), location: file.location(node))]
    }
}
