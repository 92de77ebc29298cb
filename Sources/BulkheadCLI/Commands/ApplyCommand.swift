import ArgumentParser
import BulkheadGitOps
import BulkheadModel
import BulkheadRender

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Render the platform into the GitOps repository and commit the change.",
        discussion: """
        Validates first and writes nothing when the declaration or placement has problems. Makes \
        exactly one commit when something changed and none otherwise. Tenants stay on the clusters \
        recorded in bulkhead.lock; --replace places one anew. An interrupted apply is rolled back \
        (or completed, if it had committed) by the next one.

        Examples:
          bulkhead apply examples/acme --repo out/gitops
          bulkhead apply examples/acme --repo out/gitops --replace payments
        """
    )

    @OptionGroup var options: PlatformOptions
    @OptionGroup var repository: RepositoryOptions
    @Option(name: .long, help: ArgumentHelp("Place this tenant anew instead of keeping its recorded clusters (repeatable).", valueName: "tenant"))
    var replace: [String] = []

    static func checkReplace(_ names: [String], in declaration: PlatformDeclaration) throws {
        for name in names where declaration.tenant(named: name) == nil {
            throw CommandFailure.usage("error: --replace \(name): no tenant of that name is declared")
        }
    }

    func run() throws {
        let pipeline = Pipeline(options: options)
        let declaration = try pipeline.load()
        try Self.checkReplace(replace, in: declaration)
        let repo = Pipeline.repository(repository.repo)
        try repo.recoverIfInterrupted()
        let rendered = try pipeline.render(declaration, lock: try Pipeline.lock(in: repo), replace: Set(replace))
        Terminal.progress("Writing and committing …")
        let result: GitOpsRepository.ApplyResult
        do {
            result = try repo.apply(rendered.files) { change in
                let entries = RepositoryLayout.summarize(added: change.added, changed: change.changed, removed: change.removed)
                return RepositoryLayout.commitMessage(platform: declaration.platform.name, entries: entries, added: change.added.count, changed: change.changed.count, removed: change.removed.count)
            }
        } catch {
            Terminal.clearProgress()
            throw CommandFailure.problems("error: \(error.description)\nThe repository was left as it was before this apply.")
        }
        Terminal.clearProgress()
        let report = ChangeReport(change: result.change, rendered: rendered, commit: result.commit)
        switch options.output {
        case .json: Terminal.printJSON(report)
        case .table:
            report.printTable(verb: "committed")
            if let commit = result.commit { print("Commit \(commit) in \(repository.repo).") }
        }
    }
}
