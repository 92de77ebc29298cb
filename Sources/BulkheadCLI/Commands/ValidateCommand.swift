import ArgumentParser
import BulkheadModel
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a platform declaration and report every problem; writes nothing.",
        discussion: """
        Each problem names file:line:column, the field path, what was found and what is allowed.
        Policy files in policies/ are loaded too: every CEL expression is compiled and
        type-checked, and an error points at the line and column inside the expression.
        Exit status 0 when valid, 1 when problems were found, 2 for usage errors.

        Examples:
          bulkhead validate examples/acme
          bulkhead validate examples/acme --output json | jq '.problems[].message'
        """
    )

    @OptionGroup var options: PlatformOptions

    func run() throws {
        let result: DeclarationLoader.Result
        do {
            result = try DeclarationLoader.load(folder: URL(fileURLWithPath: options.platformDirectory))
        } catch {
            throw CommandFailure.usage("error: \(error.description)")
        }
        let pipeline = Pipeline(options: options)
        let policyProblems = try pipeline.policyFiles().problems
        let problems = sortedProblems(result.problems + policyProblems)
        let errors = problems.filter { $0.severity == .error }
        let valid = errors.isEmpty
        switch options.output {
        case .json:
            struct Report: Encodable {
                var valid: Bool
                var problems: [Problem]
            }
            Terminal.printJSON(Report(valid: valid, problems: problems))
        case .table:
            for problem in problems { print(problem.description) }
            if valid, let declaration = result.declaration {
                print("Valid: \(Pipeline.count(declaration.clusters.count, "cluster")), \(Pipeline.count(declaration.tiers.count, "tier")), \(Pipeline.count(declaration.tenants.count, "tenant")).")
            } else {
                print("\(Pipeline.count(errors.count, "problem")) found.")
            }
        }
        if !valid { throw ExitCode(1) }
    }
}
