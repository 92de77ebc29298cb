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
        let outcome = try Self.perform(Pipeline(options: options), repository: repository.repo, replace: replace,
                                       takesShortcut: options.output == .table, keepsUntilExit: true)
        guard let result = outcome.result, let rendered = outcome.rendered else {
            print("No changes: the declaration and the repository are as the last apply left them.")
            return
        }
        let report = ChangeReport(change: result.change, rendered: rendered, commit: result.commit)
        switch options.output {
        case .json: Terminal.printJSON(report)
        case .table:
            // Without a commit, the files were only edited by hand and are now back as HEAD has them.
            report.printTable(verb: result.commit == nil ? "undone in the working tree (HEAD already had them)" : "committed")
            if let commit = result.commit { print("Commit \(commit) in \(repository.repo).") }
        }
    }

    /// What an apply did: nothing (the shortcut found nothing changed), or a result.
    struct Outcome {
        var headBefore: String?
        var result: GitOpsRepository.ApplyResult?
        var rendered: RenderedRepository?
    }

    /// The cache of parsed declaration files kept in the repository's `.git/bulkhead/parsed/`,
    /// holding only what this load used once it is done; none before the repository exists.
    private static func parseCache(for repo: GitOpsRepository) -> ParseCache? {
        repo.stateFolder("parsed").map { ParseCache(folder: $0, build: BuildIdentity.current) }
    }

    /// Validates, places, renders, gates and commits, printing warnings and progress; the
    /// report is left to the caller (the command, or the service). `takesShortcut` allows
    /// answering "no changes" from the last apply's state without loading anything. A caller that
    /// already holds the folder's `declaration` (the service) passes it, and it is not read again.
    /// `memory`, `checksDrift` and `repacksInBackground` are the service's (see `ApplyMemory`
    /// and `GitOpsRepository.repacksInBackground`).
    static func perform(_ pipeline: Pipeline, repository path: String, replace: [String], takesShortcut: Bool,
                        declaration loaded: PlatformDeclaration? = nil, memory: ApplyMemory? = nil, checksDrift: Bool = true,
                        keepsUntilExit: Bool = false, repacksInBackground: Bool = false) throws -> Outcome {
        var repo = Pipeline.repository(path)
        repo.repacksInBackground = repacksInBackground
        try repo.recoverIfInterrupted()
        let headBefore = try repo.head()
        let input = Terminal.timed("input digest") { pipeline.inputDigest(replace: replace) }
        // The JSON report lists every placement, which needs the declaration: only the table
        // output takes the shortcut.
        if takesShortcut, replace.isEmpty, let state = try Terminal.timed("unchanged check", { try pipeline.unchangedSinceLastApply(repo, input: input) }) {
            for warning in sortedProblems(state.warnings.values.flatMap { $0 }) { Terminal.error(warning.description) }
            return Outcome(headBefore: headBefore)
        }
        // The repository's side is read while the folder loads (the service holds both already).
        let prefetch = loaded == nil && memory == nil && checksDrift ? RepositoryPrefetch(repo) : nil
        // However this apply ends, the prefetch's git run has finished before it returns.
        defer { _ = try? prefetch?.drifted.value() }
        // Before the repository exists the cache is kept in memory, and saved once it does.
        let cache = loaded == nil ? parseCache(for: repo) ?? ParseCache() : nil
        let declaration = try loaded ?? Terminal.timed("load") { try pipeline.load(cache: cache) }
        cache?.prune()
        try checkReplace(replace, in: declaration)
        // A repository without commits gets every file: git stores them while they render (see
        // `BlobImport`). Only in a repository that exists: a failed apply must not create one.
        let blobs = headBefore == nil && repo.exists ? BlobImport(repository: repo) : nil
        defer { blobs?.cancel() }
        let render = try pipeline.renderIncrementally(declaration, repository: repo, replace: Set(replace), input: input,
                                                      head: headBefore, memory: memory, checksDrift: checksDrift, prefetch: prefetch, blobs: blobs)
        // The shift-left gate: a rendered object that a Deny policy rejects would be rejected by
        // the cluster's API server too, so nothing is committed.
        let denied = render.rendered.findings.filter(\.denies)
        if !denied.isEmpty {
            Terminal.printFindings(denied)
            throw CommandFailure.problems("\(Pipeline.count(denied.count, "object")) rejected by Deny policies (see `bulkhead gate`); nothing was written.")
        }
        Terminal.progress("Writing and committing …")
        defer { Terminal.clearProgress() }
        do {
            let message = { (change: RepositoryChange) -> String in
                let entries = RepositoryLayout.summarize(added: change.added, changed: change.changed, removed: change.removed)
                return RepositoryLayout.commitMessage(platform: declaration.platform.name, entries: entries, added: change.added.count, changed: change.changed.count, removed: change.removed.count)
            }
            // The state's lines but its head are written out on another thread while git commits.
            let stateWithoutHead = render.state(head: nil)
            let stateBody = Background { stateWithoutHead.serializedBody() }
            let result = try Terminal.timed("write and commit") { try repo.apply(render.rendered.files, scopes: render.plan.scopes, blobs: blobs, message: message) }
            // Recorded only after the commit point: a run that dies before it leaves the old
            // state, which no longer matches HEAD, so the next apply renders everything.
            let state = render.state(head: result.commit ?? render.head)
            try Terminal.timed("write state") { try repo.writeStateFile(RenderState.fileName, state.serialized(body: stateBody.value())) }
            if let cache, !cache.isStored, let folder = repo.stateFolder("parsed") {
                Terminal.timed("save parse cache") { cache.save(to: folder, build: BuildIdentity.current) }
            }
            memory?.remember(state)
            if keepsUntilExit { UntilExit.keep([declaration, render, state, cache as Any, stateWithoutHead]) }
            return Outcome(headBefore: headBefore, result: result, rendered: render.rendered)
        } catch {
            throw CommandFailure.problems("error: \(error)\nThe repository was left as it was before this apply.")
        }
    }
}
