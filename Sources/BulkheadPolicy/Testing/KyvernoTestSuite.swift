import Foundation
import Yams

/// A Kyverno `kyverno-test.yaml` file (`cli.kyverno.io/v1alpha1` `Test`): policy and resource
/// files (paths relative to the test file), an optional values file, exceptions, and the result
/// expected for each policy, kind and resource.
public struct KyvernoTestSuite: Sendable {
    /// One `results` entry.
    public struct ExpectedResult: Sendable {
        public var policy: String
        public var rule: String?
        public var kind: String
        /// Resource names, optionally `namespace/name`.
        public var resources: [String]
        /// `pass`, `fail`, `skip`, `error` or `warn`.
        public var result: String
        public var location: SourceLocation
    }

    public var path: String
    public var name: String
    public var policies: [String]
    public var resources: [String]
    public var exceptions: [String]
    /// The values file (`cli.kyverno.io/v1alpha1` `Value`).
    public var variables: String?
    public var results: [ExpectedResult]

    /// The folder the test file is in; the other paths are relative to it.
    public var folder: String { (path as NSString).deletingLastPathComponent }

    public func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : ((folder as NSString).appendingPathComponent(relative) as NSString).standardizingPath
    }

    /// Reads and checks a test file.
    public static func load(path: String) throws(PolicyProblem) -> KyvernoTestSuite {
        let file = try YAMLFile(contentsOf: path)
        guard let document = file.documents.first, case .mapping = document else {
            throw PolicyProblem("bad-test-file", "a Kyverno test file must be a mapping", at: SourceLocation(file: path, line: 1, column: 1))
        }
        let kind = document["kind"]?.string ?? ""
        if !kind.isEmpty && kind != "Test" {
            throw PolicyProblem("bad-test-file", "expected kind Test (cli.kyverno.io/v1alpha1), found \(kind)", at: file.location(document))
        }
        func strings(_ key: String) -> [String] {
            guard let node = document[key] else { return [] }
            if case .sequence(let items) = node { return items.compactMap(\.string) }
            return node.string.map { [$0] } ?? []
        }
        var results: [ExpectedResult] = []
        if case .sequence(let items)? = document["results"] {
            for item in items {
                var resources: [String] = []
                if case .sequence(let names)? = item["resources"] { resources = names.compactMap(\.string) }
                if let single = item["resource"]?.string { resources.append(single) }
                guard let policy = item["policy"]?.string, let result = item["result"]?.string ?? item["status"]?.string else {
                    throw PolicyProblem("bad-test-file", "each result needs a policy and a result", at: file.location(item))
                }
                results.append(ExpectedResult(policy: policy, rule: item["rule"]?.string, kind: item["kind"]?.string ?? "",
                                              resources: resources, result: result.trimmingWhitespace.lowercased(),
                                              location: file.location(item)))
            }
        }
        return KyvernoTestSuite(path: path, name: document["metadata"]?["name"]?.string ?? document["name"]?.string ?? "",
                                policies: strings("policies"), resources: strings("resources"), exceptions: strings("exceptions"),
                                variables: document["variables"]?.string, results: results)
    }
}
