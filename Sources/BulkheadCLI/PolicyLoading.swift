import BulkheadModel
import BulkheadPolicy
import BulkheadRender
import Foundation

extension Pipeline {
    /// The platform's policy files (`policies/*.yaml`), loaded and type-checked, with the problems
    /// as declaration problems (file:line:column inside the expression).
    func policyFiles() throws -> (policies: PlatformPolicies, problems: [Problem]) {
        let folder = URL(fileURLWithPath: options.platformDirectory)
        let names: [String]
        do { names = try DeclarationLoader.policyFiles(in: folder) } catch { throw CommandFailure.usage("error: \(error.description)") }
        guard !names.isEmpty else { return (.none, []) }
        let paths = names.map { (options.platformDirectory as NSString).appendingPathComponent($0) }
        let result = PolicyLoader().load(files: paths)
        let bytes = paths.map { (name: $0, bytes: FileManager.default.contents(atPath: $0) ?? Data()) }
        let digest = RenderFingerprints.inputDigest(files: bytes, build: "", replace: [])
        let problems = result.problems.map(Self.problem)
        return (PlatformPolicies(policies: result.policies, bindings: result.bindings, digest: digest), problems)
    }

    /// The platform's policies; throws (after printing warnings) when a policy file has errors.
    func loadPolicies() throws -> PlatformPolicies {
        let (policies, problems) = try policyFiles()
        for problem in problems where problem.severity == .warning { Terminal.error(problem.description) }
        let errors = problems.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw CommandFailure.problems(errors.map(\.description).joined(separator: "\n") + "\n\(Self.count(errors.count, "problem")) in policy files; nothing was written.")
        }
        return policies
    }

    static func problem(_ problem: PolicyProblem) -> Problem {
        Problem(problem.code, problem.message, at: BulkheadModel.SourceLocation(file: problem.file, line: problem.line, column: problem.column),
                severity: problem.severity == .error ? .error : .warning)
    }
}
