import BulkheadModel
import BulkheadPolicy
import BulkheadRender
import Foundation

extension Pipeline {
    /// The platform's policy files (`policies/*.yaml`), loaded and type-checked, with the problems
    /// as declaration problems (file:line:column inside the expression).
    func policyFiles() throws -> (policies: PlatformPolicies, problems: [Problem]) {
        let folder = URL(fileURLWithPath: options.platformDirectory)
        do {
            let (policies, problems) = try PlatformPolicies.load(folder: folder, displayPrefix: folder.relativePath)
            return (policies, problems.map(Self.problem))
        } catch {
            throw CommandFailure.usage("error: \(error.description)")
        }
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
