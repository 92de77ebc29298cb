import Foundation
import Prometheus

/// The service's Prometheus metrics (swift-prometheus), served at `/metrics`.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                             .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "bulkhead", metricName: metric, unitName: unit, helpText: help)
    }

    /// One answered API request, by route template (`/v1/tenants/{name}`), method and status.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", help: "API requests answered, by route template, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", unit: "seconds", help: "API request latency by route template and method."),
                                       labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets).record(duration)
    }

    /// One change (create, delete, sync): its result and how long validation, render and commits took.
    func recordChange(action: String, accepted: Bool, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("changes", unit: "total", help: "Changes requested, by action and result."),
                             labels: [("action", action), ("result", accepted ? "accepted" : "refused")]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("change_duration", unit: "seconds", help: "Time to validate, apply (render and commit) and commit the platform folder, by action."),
                                       labels: [("action", action)], buckets: Self.latencyBuckets).record(duration)
    }

    /// One record appended to the audit trail.
    func recordAudit() {
        registry.makeCounter(descriptor: Self.name("audit_records", unit: "total", help: "Records appended to the audit trail by this process.")).increment()
    }

    /// The fleet as of the scrape: tenants declared, and placements per cluster.
    func recordFleet(tenants: Int, placements: [String: Int]) {
        registry.makeGauge(descriptor: Self.name("tenants", unit: "", help: "Tenants declared.")).set(Double(tenants))
        for (cluster, count) in placements {
            registry.makeGauge(descriptor: Self.name("placements", unit: "", help: "Tenants placed on each cluster."), labels: [("cluster", cluster)])
                .set(Double(count))
        }
    }

    /// The text exposition format.
    func exposition() -> String { registry.emitToString() }
}
