import BulkheadGitOps
import BulkheadModel
import BulkheadRender
import Foundation

/// The shared steps of every command: load and validate the declaration, read the lock, render.
/// Nothing here writes.
struct Pipeline {
    let options: PlatformOptions

    /// Loads the folder; throws a usage failure for a missing folder and a problems failure
    /// (after printing them) when the declaration has errors. Warnings are printed. With a
    /// `cache`, files parsed by an earlier run are not parsed again.
    func load(cache: ParseCache? = nil) throws -> PlatformDeclaration {
        Terminal.progress("Loading \(options.platformDirectory) …")
        let result: DeclarationLoader.Result
        do {
            result = try DeclarationLoader.load(folder: URL(fileURLWithPath: options.platformDirectory), cache: cache)
        } catch {
            Terminal.clearProgress()
            throw CommandFailure.usage("error: \(error.description)")
        }
        Terminal.clearProgress()
        for warning in result.warnings { Terminal.error(warning.description) }
        guard let declaration = result.declaration else {
            throw CommandFailure.problems(result.errors.map(\.description).joined(separator: "\n") + "\n\(Self.count(result.errors.count, "problem")) found; nothing was written.")
        }
        return declaration
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// The repository driver for `--repo`.
    static func repository(_ path: String) -> GitOpsRepository {
        GitOpsRepository(root: URL(fileURLWithPath: path), isOwned: RepositoryLayout.isOwned)
    }

    /// The lock recorded in the repository's working tree, or an empty one.
    static func lock(in repository: GitOpsRepository) throws -> PlacementLock {
        try lock(parsing: repository.text(of: PlacementLock.fileName))
    }

    /// The lock from the lock file's text, or an empty one when there is no file.
    /// The lock file's text in `repo`'s working tree (nil when absent) and the lock it holds.
    static func readLock(in repo: GitOpsRepository) throws -> (text: String?, lock: PlacementLock) {
        let text = repo.text(of: PlacementLock.fileName)
        return (text, try lock(parsing: text))
    }

    static func lock(parsing text: String?) throws -> PlacementLock {
        guard let text else { return PlacementLock() }
        do {
            return try PlacementLock(parsing: text)
        } catch {
            throw CommandFailure.problems("error: \(error.description)")
        }
    }

    /// Renders the repository, turning placement failures into a problems failure.
    func render(_ declaration: PlatformDeclaration, lock: PlacementLock, replace: Set<String> = []) throws -> RenderedRepository {
        Terminal.progress("Placing and rendering \(Self.count(declaration.tenants.count, "tenant")) on \(Self.count(declaration.clusters.count, "cluster")) …")
        defer { Terminal.clearProgress() }
        do {
            let rendered = try RepositoryRenderer.render(declaration, lock: lock, replace: replace, policies: try loadPolicies())
            for warning in rendered.warnings { Terminal.error(warning.description) }
            return rendered
        } catch let failed as PlacementFailed {
            Terminal.clearProgress()
            throw Self.failure(failed)
        }
    }

    /// Placement alone, its warnings printed, for commands that need no files (`explain`).
    func place(_ declaration: PlatformDeclaration, lock: PlacementLock) throws -> PlacementResult {
        do {
            let placement = try RepositoryRenderer.place(declaration, lock: lock)
            for warning in placement.warnings { Terminal.error(warning.description) }
            return placement
        } catch {
            throw Self.failure(error)
        }
    }

    static func failure(_ failed: PlacementFailed) -> CommandFailure {
        .problems(failed.description + "\n\(count(failed.failures.count, "placement")) failed; nothing was written.")
    }
}

/// A change summary as data, shared by plan and apply output.
struct ChangeReport: Encodable {
    var added: [String]
    var changed: [String]
    var removed: [String]
    var summary: [RepositoryLayout.Entry]
    var placements: [String: [LockedPlacement]]
    var newPlacements: [PlacementLine]
    var commit: String?

    struct PlacementLine: Encodable {
        var tenant: String
        var environment: String
        var region: String
        var cluster: String
    }

    init(change: RepositoryChange, rendered: RenderedRepository, commit: String?) {
        added = change.added
        changed = change.changed
        removed = change.removed
        summary = RepositoryLayout.summarize(added: change.added, changed: change.changed, removed: change.removed)
        placements = rendered.placement.lock.placements
        newPlacements = rendered.placement.decisions.compactMap { decision in
            if case .locked = decision.reason { return nil }
            return PlacementLine(tenant: decision.tenant, environment: decision.placement.environment, region: decision.placement.region, cluster: decision.placement.cluster)
        }
        self.commit = commit
    }

    /// The table form: new placements, then one line per cluster part.
    func printTable(verb: String) {
        if !newPlacements.isEmpty {
            print("Placements:")
            for line in newPlacements {
                print("  \(line.tenant)  \(line.environment)/\(line.region)  ->  \(line.cluster)")
            }
        }
        if summary.isEmpty {
            print("No changes: the repository already matches the declaration.")
            return
        }
        print("Changes\(verb.isEmpty ? "" : " " + verb):")
        let width = summary.map { ($0.cluster.isEmpty ? "repository" : $0.cluster).count }.max() ?? 0
        for entry in summary {
            let cluster = entry.cluster.isEmpty ? "repository" : entry.cluster
            print("  \(cluster.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.part): \(entry.verb) (\(entry.counts))")
        }
        print("\(Pipeline.count(added.count, "file")) added, \(changed.count) changed, \(removed.count) removed.")
    }
}
