import BulkheadPolicy
import CoreMetrics
import Synchronization

/// What the webhook records, through swift-metrics, into a ``PrometheusMetrics`` registry:
/// decisions by policy and result, reviews by outcome, HTTP answers by code, latency.
final class WebhookMetrics: Sendable {
    let registry: PrometheusMetrics
    private let latency: CoreMetrics.Timer
    private let counters = Mutex<[String: Counter]>([:])

    init(registry: PrometheusMetrics) {
        self.registry = registry
        latency = CoreMetrics.Timer(label: "bulkhead_webhook_request_duration_seconds", factory: registry)
    }

    /// One answered review: each policy's result, whether it was allowed, how long it took.
    func recordReview(results: [PolicyResult], allowed: Bool, nanoseconds: Int64) {
        for result in results {
            counter("bulkhead_webhook_decisions_total", [("policy", result.policy), ("result", Self.label(result))]).increment()
        }
        counter("bulkhead_webhook_reviews_total", [("allowed", allowed ? "true" : "false")]).increment()
        recordHTTP(code: 200, nanoseconds: nanoseconds)
    }

    /// One HTTP answer on the review path.
    func recordHTTP(code: Int, nanoseconds: Int64) {
        counter("bulkhead_webhook_requests_total", [("code", String(code))]).increment()
        latency.recordNanoseconds(nanoseconds)
    }

    func recordReload(succeeded: Bool, policies: Int) {
        counter("bulkhead_webhook_reloads_total", [("result", succeeded ? "success" : "failure")]).increment()
        if succeeded { recordPolicyCount(policies) }
    }

    func recordPolicyCount(_ count: Int) {
        Gauge(label: "bulkhead_webhook_policies", factory: registry).record(count)
    }

    /// The result label, as the gate and PolicyReports name results.
    static func label(_ result: PolicyResult) -> String {
        switch result.outcome {
        case .pass: return "pass"
        case .skip: return "skip"
        case .error: return "error"
        case .fail: return result.denies ? "fail" : "warn"
        }
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = label + dimensions.map { "|\($0.1)" }.joined()
        return counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: registry)
            cache[key] = counter
            return counter
        }
    }
}
