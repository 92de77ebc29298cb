import ArgumentParser
import BulkheadPolicy
import Foundation

/// `bulkhead policy`: admission policies (Kubernetes ValidatingAdmissionPolicy, Kyverno
/// ValidatingPolicy).
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with admission policies: Kubernetes ValidatingAdmissionPolicy and Kyverno ValidatingPolicy.",
        subcommands: [PolicyTestCommand.self]
    )
}

/// `bulkhead policy test DIR...`: runs Kyverno `kyverno-test.yaml` suites offline.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run Kyverno kyverno-test.yaml suites against the policies and resources they name.",
        discussion: """
        Finds every kyverno-test.yaml at or below each folder (hidden .kyverno-test folders \
        included), evaluates each expected policy, kind and resource offline, including the \
        pod-controller rules Kyverno generates for pod policies, and prints one line per suite and \
        a total. A case whose policy needs a live cluster or the network (resource.Get, http.Get, \
        image data, global context, the authorizer) or is not a validating policy is reported as \
        skipped with the reason, never as passed.

        Examples:
          bulkhead policy test ../shared/conformance/kyverno-policies
          bulkhead policy test policies/tests --output json | jq '.total'

        Exit status: 0 when every evaluated case has its expected result (skips allowed), 1 when \
        any case fails, 2 for usage errors (missing folder, no suite found).
        """
    )

    @Argument(help: ArgumentHelp("Folders (or kyverno-test.yaml files) to run.", valueName: "dir"), completion: .directory)
    var directories: [String] = []

    @Option(name: .long, help: ArgumentHelp("The test file name to look for.", valueName: "name"))
    var fileName = "kyverno-test.yaml"

    @Option(name: .shortAndLong, help: "Output format: table for people, json for programs.")
    var output: OutputFormat = .table

    func validate() throws {
        guard !directories.isEmpty else {
            throw ValidationError("name at least one folder, e.g. bulkhead policy test policies/")
        }
    }

    func run() throws {
        var suites: [String] = []
        for directory in directories {
            guard FileManager.default.fileExists(atPath: directory) else {
                throw CommandFailure.usage("error: \(directory): no such file or folder")
            }
            let found = KyvernoTestRunner.findSuites(under: directory, fileName: fileName)
            guard !found.isEmpty else {
                throw CommandFailure.usage("error: no \(fileName) found at or below \(directory)")
            }
            suites += found
        }
        let runner = KyvernoTestRunner()
        var reports: [KyvernoSuiteReport] = []
        for (index, path) in suites.enumerated() {
            Terminal.progress("Running suite \(index + 1) of \(suites.count) …")
            let report = runner.run(suiteAt: path)
            reports.append(report)
            if output == .table {
                Terminal.clearProgress()
                print(report.summary())
                for line in report.details { print(line) }
            }
        }
        Terminal.clearProgress()
        let total = Total(suites: reports.count, passed: reports.reduce(0) { $0 + $1.passed },
                          failed: reports.reduce(0) { $0 + $1.failed }, skipped: reports.reduce(0) { $0 + $1.skipped })
        switch output {
        case .table:
            print("total: \(total.suites) suite\(total.suites == 1 ? "" : "s"), \(total.passed) passed, \(total.failed) failed, \(total.skipped) skipped")
        case .json:
            struct Report: Encodable {
                var suites: [KyvernoSuiteReport]
                var total: Total
            }
            Terminal.printJSON(Report(suites: reports, total: total))
        }
        if total.failed > 0 { throw ExitCode(1) }
    }

    struct Total: Encodable {
        var suites: Int
        var passed: Int
        var failed: Int
        var skipped: Int
    }
}
