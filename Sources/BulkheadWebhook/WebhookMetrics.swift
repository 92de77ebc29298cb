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
    /// Counters by name and labels, kept so that an answer does not look each one up in the registry.
    private let counters = Mutex<[String: Counter]>([:])
    /// Decision counters by policy, one per result label: a review takes the lock once, hashes
    /// each policy name once and builds no key text.
    private let decisionCounters = Mutex<[String: DecisionCounters]>([:])
    /// The counters every allowed or denied review increments.
    private let allowedReviews: Counter
    private let deniedReviews: Counter
    private let okRequests: Counter

    /// One policy's decision counters by result label (see ``labelIndex(_:)``), made when first needed.
    private final class DecisionCounters {
        var byLabel: [Counter?] = Array(repeating: nil, count: WebhookMetrics.labels.count)
    }

    /// The result labels, in the order ``labelIndex(_:)`` numbers them.
    static let labels = ["pass", "skip", "error", "fail", "warn"]

    public init() {
        latency = registry.makeDurationHistogram(descriptor: Self.name("request_duration", unit: "seconds", help: "Time to answer a request on the review path."),
                                                 labels: [], buckets: Self.latencyBuckets)
        allowedReviews = registry.makeCounter(descriptor: Self.reviewsName, labels: [("allowed", "true")])
        deniedReviews = registry.makeCounter(descriptor: Self.reviewsName, labels: [("allowed", "false")])
        okRequests = registry.makeCounter(descriptor: Self.requestsName, labels: [("code", "200")])
    }

    static var reviewsName: MetricNameDescriptor { name("reviews", unit: "total", help: "Reviews answered, by whether the object was allowed.") }
    static var requestsName: MetricNameDescriptor { name("requests", unit: "total", help: "Requests on the review path, by HTTP status.") }
    static var decisionsName: MetricNameDescriptor { name("decisions", unit: "total", help: "Policy decisions, by policy and result.") }

    static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "bulkhead", subsystem: "webhook", metricName: metric, unitName: unit, helpText: help)
    }

    /// One answered review: each policy's result, whether it was allowed, how long it took.
    func recordReview(results: [PolicyResult], allowed: Bool, duration: Duration) {
        decisionCounters.withLock { cache in
            for index in results.indices {
                let counters: DecisionCounters
                if let known = cache[results[index].policy] {
                    counters = known
                } else {
                    counters = DecisionCounters()
                    cache[results[index].policy] = counters
                }
                let label = Self.labelIndex(results[index])
                if let counter = counters.byLabel[label] {
                    counter.increment()
                } else {
                    let counter = registry.makeCounter(descriptor: Self.decisionsName,
                                                       labels: [("policy", results[index].policy), ("result", Self.labels[label])])
                    counters.byLabel[label] = counter
                    counter.increment()
                }
            }
        }
        (allowed ? allowedReviews : deniedReviews).increment()
        okRequests.increment()
        latency.record(duration)
    }

    /// One HTTP answer on the review path.
    func recordHTTP(code: Int, duration: Duration) {
        if code == 200 {
            okRequests.increment()
        } else {
            counter("requests", help: "Requests on the review path, by HTTP status.", [("code", String(code))]).increment()
        }
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

    /// The position of the result's label in ``labels``, as the gate and PolicyReports name results.
    static func labelIndex(_ result: PolicyResult) -> Int {
        switch result.outcome {
        case .pass: return 0
        case .skip: return 1
        case .error: return 2
        case .fail: return result.denies ? 3 : 4
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
