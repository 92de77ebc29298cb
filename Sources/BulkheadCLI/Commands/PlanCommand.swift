import ArgumentParser
import BulkheadGitOps
import BulkheadRender

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change: placements and files per cluster and tenant; writes nothing.",
        discussion: """
        Examples:
          bulkhead plan examples/acme --repo out/gitops
          bulkhead plan examples/acme --repo out/gitops --replace payments --output json
        """
    )

    @OptionGroup var options: PlatformOptions
    @OptionGroup var repository: RepositoryOptions
    @Option(name: .long, help: ArgumentHelp("Place this tenant anew instead of keeping its recorded clusters (repeatable).", valueName: "tenant"))
    var replace: [String] = []

    func run() throws {
        let pipeline = Pipeline(options: options)
        let declaration = try pipeline.load()
        try ApplyCommand.checkReplace(replace, in: declaration)
        let repo = Pipeline.repository(repository.repo)
        if repo.wasInterrupted {
            Terminal.error("warning: an earlier apply was interrupted; the next apply rolls it back first")
        }
        let render = try pipeline.renderIncrementally(declaration, repository: repo, replace: Set(replace), input: nil)
        let change = try repo.plan(render.rendered.files, scopes: render.plan.scopes)
        let report = ChangeReport(change: change, rendered: render.rendered, commit: nil)
        switch options.output {
        case .json: Terminal.printJSON(report)
        case .table: report.printTable(verb: "apply would make")
        }
    }
}
