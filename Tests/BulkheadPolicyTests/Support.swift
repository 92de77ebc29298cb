import BulkheadCEL
import BulkheadPolicy
import Foundation
import Testing

/// Builders shared by the tests: objects as Swift dictionaries, converted the way a webhook
/// converts the JSON it receives.
enum Fixture {
    static func value(_ json: [String: Any]) -> CELValue {
        (try? CELValue(json: json)) ?? .null
    }

    static func pod(_ name: String, namespace: String = "team-a", labels: [String: String] = [:],
                    image: String = "registry.example/app:1.0", privileged: Bool? = nil) -> [String: Any] {
        var container: [String: Any] = ["name": "app", "image": image]
        if let privileged { container["securityContext"] = ["privileged": privileged] }
        return ["apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": name, "namespace": namespace, "labels": labels],
                "spec": ["containers": [container]]]
    }

    static func deployment(_ name: String, template pod: [String: Any]) -> [String: Any] {
        ["apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": ["name": name, "namespace": "team-a", "labels": ["owner": "deployment"]],
         "spec": ["replicas": 2, "template": ["metadata": pod["metadata"]!, "spec": pod["spec"]!]]]
    }

    static func cronJob(_ name: String, template pod: [String: Any]) -> [String: Any] {
        ["apiVersion": "batch/v1", "kind": "CronJob",
         "metadata": ["name": name, "namespace": "team-a"],
         "spec": ["schedule": "* * * * *",
                  "jobTemplate": ["spec": ["template": ["metadata": pod["metadata"]!, "spec": pod["spec"]!]]]]]
    }

    static func namespace(_ name: String, labels: [String: String]) -> CELValue {
        value(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": name, "labels": labels]])
    }

    static func request(_ object: [String: Any], operation: AdmissionRequest.Operation = .create,
                        subResource: String = "") throws -> AdmissionRequest {
        var request = try #require(AdmissionRequest(object: value(object), operation: .create))
        request.operation = operation
        request.subResource = subResource
        if operation == .update { request.oldObject = request.object }
        return request
    }

    /// Loads YAML and requires it to load without errors.
    static func load(_ yaml: String, file: String = "policy.yaml") throws -> PolicyLoader.Result {
        let result = PolicyLoader().load(yaml: yaml, file: file)
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        return result
    }

    static func engine(_ yaml: String, options: PolicyEngine.Options = PolicyEngine.Options()) throws -> PolicyEngine {
        let loaded = try load(yaml)
        return PolicyEngine(policies: loaded.policies, bindings: loaded.bindings, options: options)
    }
}
