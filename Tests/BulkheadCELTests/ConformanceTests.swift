import BulkheadCEL
import Foundation
import Testing

/// Runs the cel-spec conformance suite from `../shared/conformance/cel-spec` and requires at least
/// 95 % of the cases that need no protobuf message types to pass.
@Suite struct ConformanceTests {
    @Test func celSpecConformance() throws {
        guard let directory = ConformanceRunner.suiteDirectory() else {
            Issue.record("cel-spec conformance data not found: expected <repository>/../shared/conformance/cel-spec")
            return
        }
        let files = try ConformanceRunner.loadCases(in: directory)
        var total = ConformanceRunner.Tally()
        var failures: [String] = []
        var skipReasons: [String: Int] = [:]
        for file in files.keys.sorted() {
            var tally = ConformanceRunner.Tally()
            for test in files[file]! {
                switch ConformanceRunner.run(test) {
                case .passed: tally.passed += 1
                case .failed(let why):
                    tally.failed += 1
                    failures.append("\(test.label): `\(test.expression)` — \(why)")
                case .skipped(let reason):
                    tally.skipped += 1
                    skipReasons[reason, default: 0] += 1
                }
            }
            print("cel-spec \(file).json: \(tally.passed) passed, \(tally.failed) failed, \(tally.skipped) skipped")
            total.passed += tally.passed
            total.failed += tally.failed
            total.skipped += tally.skipped
        }
        let ran = total.passed + total.failed
        let rate = ran == 0 ? 0 : Double(total.passed) / Double(ran)
        print("cel-spec total: \(total.passed) passed, \(total.failed) failed, \(total.skipped) skipped; "
              + String(format: "pass rate over non-skipped cases %.1f %%", rate * 100))
        for (reason, count) in skipReasons.sorted(by: { $0.value > $1.value }) {
            print("  skipped \(count): \(reason)")
        }
        let limit = ProcessInfo.processInfo.environment["CEL_CONFORMANCE_ALL_FAILURES"] == nil ? 30 : failures.count
        for failure in failures.prefix(limit) { print("  not conformant: \(failure)") }
        if failures.count > limit { print("  ... and \(failures.count - limit) more failures (set CEL_CONFORMANCE_ALL_FAILURES=1 to list all)") }
        #expect(ran > 1500, "expected the suite to run most of its non-protobuf cases")
        #expect(rate >= 0.95, "cel-spec pass rate \(rate) is below 95 %")
    }
}
