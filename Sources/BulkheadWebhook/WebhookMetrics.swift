import BulkheadPolicy
import Prometheus
import Synchronization

/// The webhook's Prometheus metrics (swift-prometheus), served at `/metrics`: decisions by policy
/// and result, reviews by outcome, HTTP answers by code, and the latency histogram.
public final class WebhookMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Admission latency is measured in microseconds to milliseconds: buckets from 50 µs to 10 s.
    static let latencyBuckets: [Duration] = [.microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                             .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                             .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(10)]
    private let latency: DurationHistogram
    /// Counters by name and labels, kept so a review does not look each one up in the registry.
    private let counters = Mutex<[String: Counter]>([:])
    /// Decision counters by policy and result: a review takes the lock once for all of them and
    /// builds no key text.
    private let decisionCounters = Mutex<[DecisionKey: Counter]>([:])

    private struct DecisionKey: Hashable {
        var policy: String
        var result: String
    }

    public init() {
        latency = registry.makeDurationHistogram(descriptor: Self.name("request_duration", unit: "seconds", help: "Time to answer a request on the review path."),
                                                 labels: [], buckets: Self.latencyBuckets)
    }

    static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "bulkhead", subsystem: "webhook", metricName: metric, unitName: unit, helpText: help)
    }

    /// One answered review: each policy's result, whether it was allowed, how long it took.
    func recordReview(results: [PolicyResult], allowed: Bool, duration: Duration) {
        let decisions = decisionCounters.withLock { cache in
            results.map { result in
                let key = DecisionKey(policy: result.policy, result: Self.label(result))
                if let counter = cache[key] { return counter }
                let counter = registry.makeCounter(descriptor: Self.name("decisions", unit: "total", help: "Policy decisions, by policy and result."),
                                                   labels: [("policy", key.policy), ("result", key.result)])
                cache[key] = counter
                return counter
            }
        }
        for counter in decisions { counter.increment() }
        counter("reviews", help: "Reviews answered, by whether the object was allowed.", [("allowed", allowed ? "true" : "false")]).increment()
        recordHTTP(code: 200, duration: duration)
    }

    /// One HTTP answer on the review path.
    func recordHTTP(code: Int, duration: Duration) {
        counter("requests", help: "Requests on the review path, by HTTP status.", [("code", String(code))]).increment()
        latency.record(duration)
    }

    func recordReload(succeeded: Bool, policies: Int) {
        counter("reloads", help: "Policy reloads on SIGHUP, by result.", [("result", succeeded ? "success" : "failure")]).increment()
        if succeeded { recordPolicyCount(policies) }
    }

    func recordPolicyCount(_ count: Int) {
        registry.makeGauge(descriptor: Self.name("policies", unit: "", help: "Policies loaded.")).set(Double(count))
    }

    /// The text exposition format.
    func exposition() -> String { registry.emitToString() }

    /// The result label, as the gate and PolicyReports name results.
    static func label(_ result: PolicyResult) -> String {
        switch result.outcome {
        case .pass: return "pass"
        case .skip: return "skip"
        case .error: return "error"
        case .fail: return result.denies ? "fail" : "warn"
        }
    }

    private func counter(_ metric: String, help: String, _ labels: [(String, String)]) -> Counter {
        let key = metric + labels.map { "\u{0}\($0.1)" }.joined()
        return counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.name(metric, unit: "total", help: help), labels: labels)
            cache[key] = counter
            return counter
        }
    }
}
