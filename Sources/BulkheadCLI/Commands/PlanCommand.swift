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
        let rendered = try pipeline.render(declaration, lock: try Pipeline.lock(in: repo), replace: Set(replace))
        let change = try repo.plan(rendered.files)
        let report = ChangeReport(change: change, rendered: rendered, commit: nil)
        switch options.output {
        case .json: Terminal.printJSON(report)
        case .table: report.printTable(verb: "apply would make")
        }
    }
}
