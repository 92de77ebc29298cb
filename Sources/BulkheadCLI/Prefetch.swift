import BulkheadGitOps
import BulkheadRender
import Foundation

/// Work on another thread, started now and waited for when its value is needed.
final class Background<Value: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    // Written once by the worker before `finished` is signalled; read only after waiting for it.
    private var result: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        // Its own thread: the work blocks on git (see `OwnThread`).
        OwnThread.start {
            self.result = Result { try work() }
            self.finished.signal()
        }
    }

    /// Waits for the work and returns its value or rethrows its error.
    func value() throws -> Value {
        finished.wait()
        finished.signal()
        return try result!.get()
    }
}

/// What an apply reads from the GitOps repository before it renders, started while the platform
/// folder loads: the search for hand-edited files (`git diff-files`, a `stat` of every tracked
/// file), the last render state and the placement lock. None depends on the declaration, and on
/// a large fleet they took a fifth of a one-tenant change after the load.
struct RepositoryPrefetch: Sendable {
    let drifted: Background<[String]>
    let state: Background<RenderState?>
    /// The lock file's text (nil when absent) and the lock it holds; a damaged lock's error is
    /// thrown when the value is taken.
    let lock: Background<(text: String?, lock: PlacementLock)>

    init(_ repo: GitOpsRepository) {
        drifted = Background { try repo.driftedFiles(inBackground: true) }
        state = Background { repo.stateFile(RenderState.fileName).flatMap { RenderState(parsing: $0) } }
        lock = Background { try Pipeline.readLock(in: repo) }
    }
}

/// Values a one-shot command keeps until the process exits instead of freeing them: freeing a
/// large fleet's declaration, placement, fingerprints and render piece by piece took a tenth of a
/// one-tenant change, and the system takes the whole memory back at exit at once. Never used by
/// the long-running service.
enum UntilExit {
    private static let kept = KeptValues()

    static func keep(_ values: [Any]) { kept.append(values) }

    private final class KeptValues: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Any] = []
        func append(_ more: [Any]) { lock.withLock { values += more } }
    }
}
