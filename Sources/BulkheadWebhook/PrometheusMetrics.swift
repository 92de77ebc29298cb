public import CoreMetrics
import Foundation
import Synchronization

/// A swift-metrics backend that keeps every metric in memory and renders the Prometheus text
/// exposition format for `/metrics`. Written here because none of the listed packages exports
/// Prometheus text; swift-metrics supplies the API the server records through.
///
/// Counters become `counter`s, recorders and meters `gauge`s, timers `histogram`s in seconds
/// over fixed buckets suited to admission latency (50 µs to 10 s).
public final class PrometheusMetrics: MetricsFactory, Sendable {
    /// Histogram bucket upper bounds, in seconds.
    public static let latencyBuckets: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10]

    private struct Key: Hashable, Comparable {
        var label: String
        var dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.map { "\($0.0)=\"\(Self.escape($0.1))\"" }
        }

        static func escape(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.label, lhs.dimensions.joined(separator: ",")) < (rhs.label, rhs.dimensions.joined(separator: ","))
        }

        /// `{a="1",b="2"}` with `extra` appended, or nothing when there are no labels.
        func labels(_ extra: String? = nil) -> String {
            let all = dimensions + (extra.map { [$0] } ?? [])
            return all.isEmpty ? "" : "{" + all.joined(separator: ",") + "}"
        }
    }

    private let counters = Mutex<[Key: CounterBox]>([:])
    private let gauges = Mutex<[Key: GaugeBox]>([:])
    private let histograms = Mutex<[Key: HistogramBox]>([:])

    public init() {}

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Self.box(in: counters, Key(label, dimensions), make: CounterBox.init)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        gauge(label, dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        gauge(label, dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Self.box(in: histograms, Key(label, dimensions)) { HistogramBox(bounds: Self.latencyBuckets) }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> GaugeBox {
        Self.box(in: gauges, Key(label, dimensions), make: GaugeBox.init)
    }

    /// The metric registered under `key`, made on first use: one metric per name and labels.
    private static func box<Box>(in table: borrowing Mutex<[Key: Box]>, _ key: Key, make: () -> Box) -> Box {
        table.withLock { boxes in
            if let box = boxes[key] { return box }
            let box = make()
            boxes[key] = box
            return box
        }
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Every metric in the Prometheus text exposition format (version 0.0.4), sorted by name and
    /// labels.
    public func exposition() -> String {
        var lines: [String] = []
        var typed: Set<String> = []
        func type(_ name: String, _ kind: String) {
            if typed.insert(name).inserted { lines.append("# TYPE \(name) \(kind)") }
        }
        let counterValues = counters.withLock { $0.map { ($0.key, $0.value.value) } }.sorted { $0.0 < $1.0 }
        for (key, value) in counterValues {
            type(key.label, "counter")
            lines.append("\(key.label)\(key.labels()) \(value)")
        }
        let gaugeValues = gauges.withLock { $0.map { ($0.key, $0.value.value) } }.sorted { $0.0 < $1.0 }
        for (key, value) in gaugeValues {
            type(key.label, "gauge")
            lines.append("\(key.label)\(key.labels()) \(Self.number(value))")
        }
        let histogramValues = histograms.withLock { $0.map { ($0.key, $0.value.snapshot) } }.sorted { $0.0 < $1.0 }
        for (key, snapshot) in histogramValues {
            type(key.label, "histogram")
            var cumulative = 0
            for (bound, count) in zip(Self.latencyBuckets, snapshot.buckets) {
                cumulative += count
                lines.append("\(key.label)_bucket\(key.labels("le=\"\(Self.number(bound))\"")) \(cumulative)")
            }
            lines.append("\(key.label)_bucket\(key.labels("le=\"+Inf\"")) \(snapshot.count)")
            lines.append("\(key.label)_sum\(key.labels()) \(Self.number(snapshot.sum))")
            lines.append("\(key.label)_count\(key.labels()) \(snapshot.count)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

private final class CounterBox: CounterHandler, Sendable {
    private let total = Mutex<Int64>(0)
    var value: Int64 { total.withLock { $0 } }
    func increment(by amount: Int64) { total.withLock { $0 += amount } }
    func reset() { total.withLock { $0 = 0 } }
}

private final class GaugeBox: RecorderHandler, MeterHandler, Sendable {
    private let current = Mutex<Double>(0)
    var value: Double { current.withLock { $0 } }
    func record(_ value: Int64) { current.withLock { $0 = Double(value) } }
    func record(_ value: Double) { current.withLock { $0 = value } }
    func set(_ value: Int64) { record(value) }
    func set(_ value: Double) { record(value) }
    func increment(by amount: Double) { current.withLock { $0 += amount } }
    func decrement(by amount: Double) { current.withLock { $0 -= amount } }
}

private final class HistogramBox: TimerHandler, Sendable {
    struct Snapshot {
        var buckets: [Int]
        var count = 0
        var sum = 0.0
    }

    private let bounds: [Double]
    private let state: Mutex<Snapshot>

    init(bounds: [Double]) {
        self.bounds = bounds
        state = Mutex(Snapshot(buckets: Array(repeating: 0, count: bounds.count)))
    }

    var snapshot: Snapshot { state.withLock { $0 } }

    func recordNanoseconds(_ duration: Int64) {
        let seconds = Double(duration) / 1e9
        let bucket = bounds.firstIndex { seconds <= $0 }
        state.withLock { snapshot in
            if let bucket { snapshot.buckets[bucket] += 1 }
            snapshot.count += 1
            snapshot.sum += seconds
        }
    }
}
