import BulkheadGitOps
import BulkheadModel
import BulkheadRender
import Foundation

/// Plan and apply against a repository: place, fingerprint every render unit, and render only the
/// units whose inputs changed since the last apply (all of them when its state does not match).
struct RepositoryRender {
    var rendered: RenderedRepository
    var plan: IncrementalRender.Plan
    var fingerprints: [RenderUnit: Fingerprint]
    /// Warnings of every unit, rendered now or carried over from the last apply.
    var unitWarnings: [RenderUnit: [Problem]]
    var build: String
    var head: String?
    var input: String
    /// The last apply's state, kept with the result (see `UntilExit`).
    var previous: RenderState?

    /// Placement and rendering warnings, sorted.
    var warnings: [Problem] {
        sortedProblems(rendered.placement.warnings + unitWarnings.values.flatMap { $0 })
    }

    /// The state to record once the repository holds this render at `head`.
    func state(head: String?) -> RenderState {
        var warnings = unitWarnings
        if !rendered.placement.warnings.isEmpty { warnings[.lock] = rendered.placement.warnings }
        return RenderState(build: build, head: head, input: input, fingerprints: fingerprints, warnings: warnings)
    }
}

extension Pipeline {
    /// A digest of the declaration files and `replace`, or nil when a file cannot be read.
    func inputDigest(replace: [String]) -> String? {
        let folder = URL(fileURLWithPath: options.platformDirectory)
        guard let declarations = try? DeclarationLoader.declarationFiles(in: folder),
              let policies = try? DeclarationLoader.policyFiles(in: folder) else { return nil }
        let names = declarations + policies
        var files: [(name: String, bytes: Data)] = []
        for name in names {
            guard let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { return nil }
            files.append((name, bytes))
        }
        return RenderFingerprints.inputDigest(files: files, build: BuildIdentity.current, replace: replace)
    }

    /// The last apply's state when nothing it depended on changed since: the same build, the same
    /// declaration bytes, HEAD where it left it and no owned file edited by hand. Then there is
    /// nothing to load, place or render.
    func unchangedSinceLastApply(_ repo: GitOpsRepository, input: String?) throws -> RenderState? {
        guard let input, let state = repo.stateFile(RenderState.fileName).flatMap({ RenderState(parsing: $0, fingerprints: false) }),
              state.input == input, state.build == BuildIdentity.current, state.head != nil, try repo.head() == state.head else { return nil }
        let drifted = try repo.driftedFiles()
        return drifted.contains(where: { RenderUnit.containing($0) != nil }) ? nil : state
    }

    /// Places and renders what `repo` needs; prints the warnings. Writes nothing. `head` is the
    /// repository's HEAD when the caller just read it; `memory` and `checksDrift` are the
    /// service's (see `ApplyMemory`).
    func renderIncrementally(_ declaration: PlatformDeclaration, repository repo: GitOpsRepository, replace: Set<String>, input: String?,
                             head knownHead: String?? = nil, memory: ApplyMemory? = nil, checksDrift: Bool = true,
                             prefetch: RepositoryPrefetch? = nil, blobs: BlobImport? = nil) throws -> RepositoryRender {
        let (lockText, lock) = try Terminal.timed("read lock") { try prefetch?.lock.value() ?? Pipeline.readLock(in: repo) }
        Terminal.progress("Placing \(Self.count(declaration.tenants.count, "tenant")) on \(Self.count(declaration.clusters.count, "cluster")) …")
        let placement: PlacementResult
        do {
            placement = try Terminal.timed("place") { try RepositoryRenderer.place(declaration, lock: lock, replace: replace) }
        } catch let failed as PlacementFailed {
            Terminal.clearProgress()
            throw CommandFailure.problems(failed.description + "\n\(Self.count(failed.failures.count, "placement")) failed; nothing was written.")
        }
        let build = BuildIdentity.current
        let policies = try Terminal.timed("load policies") { try loadPolicies() }
        let fingerprints = try Terminal.timed("fingerprint") { try RenderFingerprints.compute(declaration, placement: placement, build: build, policies: policies.digest) }
        let head = try knownHead ?? repo.head()
        let previous = try memory?.state(at: head, build: build)
            ?? Terminal.timed("read state") { try prefetch.map { try $0.state.value() } ?? repo.stateFile(RenderState.fileName).flatMap { RenderState(parsing: $0) } }
        let trusted = previous.map { $0.build == build && $0.head == head } ?? false
        let drifted = trusted && checksDrift ? try Terminal.timed("drift") { try prefetch?.drifted.value() ?? repo.driftedFiles() } : []
        let plan = IncrementalRender.plan(previous: previous, build: build, head: head, fingerprints: fingerprints,
                                          drifted: drifted, lockChanged: lockText == nil || placement.lock != lock)
        let selection: RepositoryRenderer.UnitSelection
        switch plan {
        case .everything(let reason):
            selection = .all
            Terminal.timingNote("rendering every unit: \(reason)")
        case .units(let render, let removed):
            selection = .only(render)
            Terminal.timingNote("rendering \(render.count) units (\(render.sorted().prefix(5).map(\.description).joined(separator: ", "))), \(removed.count) removed")
        }
        Terminal.progress("Rendering …")
        var filesRendered: (@Sendable ([String: String]) -> Void)?
        if let blobs { filesRendered = { files in blobs.add(files) } }
        let rendered = try Terminal.timed("render") {
            try RepositoryRenderer.render(declaration, placement: placement, units: selection, policies: policies, filesRendered: filesRendered)
        }
        Terminal.clearProgress()
        var unitWarnings = IncrementalRender.carriedWarnings(previous: previous, plan: plan, fingerprints: fingerprints)
        unitWarnings.merge(rendered.unitWarnings) { _, new in new }
        let result = RepositoryRender(rendered: rendered, plan: plan, fingerprints: fingerprints, unitWarnings: unitWarnings, build: build, head: head,
                                      input: input ?? "-", previous: previous)
        for warning in result.warnings { Terminal.error(warning.description) }
        return result
    }
}

/// What `bulkhead serve` keeps between its applies to its GitOps repository: the render state
/// it wrote last, so the next change need not read it back. (A change through the service also
/// skips looking for files edited by hand in the repository's working tree: the server is its
/// only writer while it runs, and start-up and `POST /v1/sync` still look.)
final class ApplyMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var state: RenderState?

    /// The remembered state, when it describes `head` as rendered by `build`.
    func state(at head: String?, build: String) -> RenderState? {
        lock.withLock { state.flatMap { $0.head == head && $0.build == build ? $0 : nil } }
    }

    func remember(_ state: RenderState) { lock.withLock { self.state = state } }
}

/// Identifies the running executable (version, size and modification time), so render state
/// written by another build is never trusted: a rebuilt renderer may render differently.
enum BuildIdentity {
    static let current: String = {
        let path = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(BulkheadCommand.version)+\(size)+\(String(format: "%.6f", modified))"
    }()
}
