import BulkheadPolicy
import Foundation
import Testing

/// Runs every Kyverno suite in the shared conformance folder (kyverno/policies'
/// pod-security-vpol and best-practices-vpol) and requires every expected result.
@Suite struct KyvernoConformanceTests {
    static let folder: String = {
        // Tests/BulkheadPolicyTests/<this file> -> repository root -> ../shared/conformance/kyverno-policies
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/conformance/kyverno-policies").standardizedFileURL.path
    }()

    @Test func everySuitePasses() throws {
        let suites = KyvernoTestRunner.findSuites(under: Self.folder)
        #expect(suites.count == 31, "expected the 31 suites of pod-security-vpol and best-practices-vpol in \(Self.folder)")
        let runner = KyvernoTestRunner()
        var passed = 0
        var failed = 0
        var skipped = 0
        for path in suites {
            let report = runner.run(suiteAt: path)
            let display = path.hasPrefix(Self.folder + "/") ? String(path.dropFirst(Self.folder.count + 1)) : path
            print(report.summary(displayPath: display))
            for line in report.details { print(line) }
            passed += report.passed
            failed += report.failed
            skipped += report.skipped
            #expect(report.failed == 0, "\(display): \(report.details.joined(separator: "\n"))")
        }
        print("total: \(suites.count) suites, \(passed) passed, \(failed) failed, \(skipped) skipped")
        #expect(passed > 0)
    }
}
