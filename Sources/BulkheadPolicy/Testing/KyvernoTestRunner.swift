import BulkheadCEL
import Foundation
import Yams

/// Runs Kyverno `kyverno-test.yaml` suites offline: loads the suite's policies and resources,
/// evaluates each expected (policy, kind, resource) as a CREATE request (or the operation the
/// values file sets) and compares the result with the expected `pass`, `fail`, `skip`, `error`.
///
/// Cases that cannot be decided here are reported as skipped with the reason and never as
/// passed: policies calling functions that need a live cluster or the network, and policy kinds
/// other than validating policies (Kyverno ClusterPolicy, MutatingPolicy...).
public struct KyvernoTestRunner: Sendable {
    public init() {}

    /// Every `kyverno-test.yaml` at or under `path` (hidden `.kyverno-test` folders included), in
    /// path order.
    public static func findSuites(under path: String, fileName: String = "kyverno-test.yaml") -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let root = URL(fileURLWithPath: path).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: []) else { return [] }
        var found: [String] = []
        for case let url as URL in enumerator where url.lastPathComponent == fileName {
            // Keep the caller's spelling of `path` in front of the part below it.
            let full = url.standardizedFileURL.path
            let relative = full.hasPrefix(root.path + "/") ? String(full.dropFirst(root.path.count + 1)) : full
            found.append(relative == full ? full : (path as NSString).appendingPathComponent(relative))
        }
        return found.sorted()
    }

    /// Runs one suite.
    public func run(suiteAt path: String) -> KyvernoSuiteReport {
        let suite: KyvernoTestSuite
        do {
            suite = try KyvernoTestSuite.load(path: path)
        } catch {
            return KyvernoSuiteReport(path: path, cases: [Self.broken("the test file", error.description)])
        }
        return run(suite)
    }

    /// Runs a parsed suite.
    public func run(_ suite: KyvernoTestSuite) -> KyvernoSuiteReport {
        var report = KyvernoSuiteReport(path: suite.path, cases: [])
        let loaded = PolicyLoader().load(files: suite.policies.map(suite.resolve))
        var values = KyvernoTestValues()
        if let variables = suite.variables {
            do {
                values = try KyvernoTestValues(path: suite.resolve(variables))
            } catch {
                report.cases.append(Self.broken("the values file", error.description))
            }
        }
        var resources: [CELValue] = []
        for file in suite.resources.map(suite.resolve) {
            do {
                resources += try YAMLFile(contentsOf: file).documents.map(YAMLFile.celValue).filter { !RequestMatcher.isNull($0) }
            } catch {
                report.cases.append(Self.broken("resource file \(file)", error.description))
            }
        }
        var exceptions: [KyvernoPolicyException] = []
        var exceptionProblems: [PolicyProblem] = []
        for file in suite.exceptions.map(suite.resolve) {
            do {
                exceptions += KyvernoPolicyException.load(try YAMLFile(contentsOf: file), problems: &exceptionProblems)
            } catch {
                report.cases.append(Self.broken("exception file \(file)", error.description))
            }
        }
        for problem in exceptionProblems where problem.severity == .error {
            report.cases.append(Self.broken("exception file \(problem.file)", problem.description))
        }
        let engine = PolicyEngine(policies: loaded.policies, bindings: loaded.bindings,
                                  options: PolicyEngine.Options(evaluatesUnboundAdmissionPolicies: true))
        for expected in suite.results {
            for resourceName in expected.resources {
                report.cases.append(evaluate(expected, resourceName: resourceName, loaded: loaded, engine: engine,
                                             resources: resources, values: values, exceptions: exceptions))
            }
        }
        return report
    }

    private static func broken(_ what: String, _ message: String) -> KyvernoSuiteReport.Case {
        KyvernoSuiteReport.Case(policy: "(suite)", kind: "", resource: what, expected: "loadable", got: nil, status: .failed,
                                message: message)
    }

    private func evaluate(_ expected: KyvernoTestSuite.ExpectedResult, resourceName: String, loaded: PolicyLoader.Result,
                          engine: PolicyEngine, resources: [CELValue], values: KyvernoTestValues,
                          exceptions: [KyvernoPolicyException]) -> KyvernoSuiteReport.Case {
        var item = KyvernoSuiteReport.Case(policy: expected.policy, kind: expected.kind, resource: resourceName,
                                           expected: expected.result, got: nil, status: .failed, message: "")
        guard let policy = loaded.policies.first(where: { $0.name == expected.policy }) else {
            if let other = loaded.otherDocuments.first(where: { $0.name == expected.policy }) {
                item.status = .skipped
                item.message = "\(other.kind) (\(other.apiVersion)) is not evaluated here; only ValidatingPolicy and ValidatingAdmissionPolicy are"
            } else {
                item.message = "no policy named '\(expected.policy)' in the suite's policy files"
            }
            return item
        }
        let calls = policy.clusterCalls
        if !calls.isEmpty {
            item.status = .skipped
            item.message = "needs a live cluster or network: the policy calls \(calls.joined(separator: ", "))"
            return item
        }
        if !policy.isCompiled {
            let problems = loaded.errors.filter { $0.file == policy.location.file }.map(\.description)
            item.message = "the policy does not compile: \(problems.joined(separator: "; "))"
            return item
        }
        let candidates = resources.filter { Self.matches($0, name: resourceName, kind: expected.kind) }
        guard !candidates.isEmpty else {
            item.message = "no \(expected.kind.isEmpty ? "resource" : expected.kind) named '\(resourceName)' in the suite's resource files"
            return item
        }
        var outcomes: [String] = []
        var messages: [String] = []
        for resource in candidates {
            guard let request = AdmissionRequest(object: resource, operation: values.operation) else {
                item.message = "resource '\(resourceName)' has no apiVersion or kind"
                return item
            }
            let namespaceObject = values.namespaces[request.namespace] ?? .null
            if let exception = exceptions.first(where: { $0.applies(to: policy.name, request: request, namespaceObject: namespaceObject) }) {
                outcomes.append(exception.reportResult)
                messages.append("exempted by policy exception '\(exception.name)'")
                continue
            }
            let results = engine.evaluate(policy, request: request, namespaceObject: namespaceObject)
            let (outcome, message) = Self.combine(results)
            outcomes.append(outcome)
            if !message.isEmpty { messages.append(message) }
        }
        let got = outcomes.allSatisfy { $0 == outcomes[0] } ? outcomes[0] : outcomes.joined(separator: ",")
        item.got = got
        item.message = messages.joined(separator: "; ")
        item.status = Self.agrees(expected: expected.result, got: got, policy: policy) ? .passed : .failed
        return item
    }

    /// One result for all of a policy's results (one per binding): fail over error over pass
    /// over skip.
    static func combine(_ results: [PolicyResult]) -> (String, String) {
        for outcome in [PolicyResult.Outcome.fail, .error, .pass] {
            if let result = results.first(where: { $0.outcome == outcome }) { return (outcome.rawValue, result.message) }
        }
        return ("skip", results.first?.message ?? "")
    }

    /// `warn` is what Kyverno reports for a failure of a policy marked not scored.
    static func agrees(expected: String, got: String, policy: Policy) -> Bool {
        if expected == got { return true }
        return expected == "warn" && got == "fail" && policy.annotations["policies.kyverno.io/scored"] == "false"
    }

    /// Whether `resource` is the one a result names (`name` or `namespace/name`, of `kind`).
    static func matches(_ resource: CELValue, name: String, kind: String) -> Bool {
        guard case .map(let root) = resource, case .map(let metadata)? = root["metadata"],
              case .string(let resourceName)? = metadata["name"] else { return false }
        if !kind.isEmpty {
            guard case .string(let resourceKind)? = root["kind"] else { return false }
            // `kind` may be qualified (`apps/v1/Deployment`).
            if resourceKind != kind && !kind.hasSuffix("/" + resourceKind) { return false }
        }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            var namespace = ""
            if case .string(let text)? = metadata["namespace"] { namespace = text }
            return resourceName == parts[1] && (namespace == parts[0] || namespace.isEmpty && parts[0] == "default")
        }
        return resourceName == name
    }
}
