import BulkheadCEL
import Yams

/// The parts of a Kyverno values file (`cli.kyverno.io/v1alpha1` `Value`) that validating
/// policies use: Namespace objects (for `namespaceObject` and namespace selectors), namespace
/// labels, and the request operation from `globalValues`.
struct KyvernoTestValues {
    var namespaces: [String: CELValue] = [:]
    var operation: AdmissionRequest.Operation = .create
    /// Per-policy and per-resource values: context variables of Kyverno ClusterPolicies, which
    /// validating policies do not read.
    var ignoredSections: [String] = []

    init() {}

    init(path: String) throws(PolicyProblem) {
        let file = try YAMLFile(contentsOf: path)
        guard let document = file.documents.first else { return }
        if case .sequence(let items)? = document["namespaces"] {
            for item in items {
                let value = YAMLFile.celValue(item)
                if let name = item["metadata"]?["name"]?.string { namespaces[name] = value }
            }
        }
        if case .sequence(let items)? = document["namespaceSelector"] {
            for item in items {
                guard let name = item["name"]?.string, namespaces[name] == nil else { continue }
                let labels = item["labels"].map(YAMLFile.celValue) ?? .map(CELMap())
                namespaces[name] = .map(CELMap(["apiVersion": "v1", "kind": "Namespace",
                                                "metadata": .map(CELMap(["name": .string(name), "labels": labels]))]))
            }
        }
        if let text = document["globalValues"]?["request.operation"]?.string,
           let operation = AdmissionRequest.Operation(rawValue: text.uppercased()) {
            self.operation = operation
        }
        for section in ["policies", "subresources"] where document[section] != nil { ignoredSections.append(section) }
    }
}
