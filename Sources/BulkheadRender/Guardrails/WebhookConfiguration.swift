import BulkheadKube
public import BulkheadModel
import BulkheadPolicy

/// The `ValidatingWebhookConfiguration` that sends a cluster's tenant-namespace requests to
/// Bulkhead's webhook (`spec.webhook` on the Platform): the same resources the guardrails match,
/// `failurePolicy: Ignore` unless the platform says otherwise, `sideEffects: None`, the CA bundle
/// the serving certificate was signed with.
public enum WebhookConfigurationDocument {
    public static let name = "bulkhead-guardrails"
    public static let fileName = "webhook.yaml"

    /// The YAML document for `cluster`, or nil when the platform declares no webhook.
    public static func yaml(platform: Platform, guardrails: ClusterGuardrails) -> String? {
        guard let webhook = platform.webhook else { return nil }
        var text = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata:
              name: \(name)
              labels:
                app.kubernetes.io/managed-by: bulkhead
            webhooks:
            - name: guardrails.bulkhead.dev
              admissionReviewVersions: [v1]
              clientConfig:
                caBundle: \(webhook.caBundle)
                service:
                  namespace: \(webhook.namespace)
                  name: \(webhook.service)
                  path: /validate
                  port: \(webhook.port)
              failurePolicy: \(webhook.failurePolicy)
              matchPolicy: Equivalent
              sideEffects: None
              timeoutSeconds: \(webhook.timeoutSeconds)
              namespaceSelector:
                matchExpressions:
                - {key: \(BulkheadLabels.tenant), operator: Exists}
              rules:

            """
        for rule in rules(guardrails) {
            text += "  - {apiGroups: [\(list(rule.apiGroups))], apiVersions: [\(list(rule.apiVersions))], operations: [\(list(rule.operations))], resources: [\(list(rule.resources))], scope: \"*\"}\n"
        }
        return text
    }

    /// The guardrails' resource rules, merged by group and version, in a fixed order.
    static func rules(_ guardrails: ClusterGuardrails) -> [ResourceRule] {
        var merged: [[String]: (resources: Set<String>, operations: Set<String>)] = [:]
        for policy in guardrails.policies {
            for rule in policy.matchConstraints?.resourceRules ?? [] {
                let key = [rule.apiGroups.joined(separator: ","), rule.apiVersions.joined(separator: ",")]
                merged[key, default: ([], [])].resources.formUnion(rule.resources)
                merged[key, default: ([], [])].operations.formUnion(rule.operations.filter { $0 != "DELETE" && $0 != "CONNECT" })
            }
        }
        return merged.keys.sorted { $0.joined(separator: "/") < $1.joined(separator: "/") }.compactMap { key in
            let entry = merged[key]!
            guard !entry.operations.isEmpty else { return nil }
            return ResourceRule(apiGroups: key[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                                apiVersions: key[1].split(separator: ",").map(String.init),
                                resources: entry.resources.sorted(), operations: entry.operations.sorted())
        }
    }

    /// A YAML flow list, every item double-quoted (`""` is the core group; `*` would be an alias).
    static func list(_ items: [String]) -> String {
        items.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
