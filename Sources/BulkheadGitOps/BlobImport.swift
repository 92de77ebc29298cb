import Foundation

/// A `git fast-import` that takes a first apply's files while they are still being rendered,
/// before the commit is known: git hashes and compresses each file (about 10 s of one core for
/// the 10,000-tenant benchmark) beside the render instead of after it, and the commit made at
/// the end (`GitOpsRepository.apply(_:scopes:blobs:message:)`) names the stored blobs by mark.
///
/// git starts with the first file handed over, so an apply that fails before rendering starts
/// nothing. One that fails after (a Deny policy, say) ends the import without a commit: the
/// blobs stay in the object store as unreachable objects, which `git gc` prunes, as it does
/// those of an apply killed during its import.
public final class BlobImport: @unchecked Sendable {
    private let git: Git
    private let feed = ImportFeed()
    private let lock = NSLock()
    /// The mark and text of every file handed over, by path.
    private var marks: [String: (mark: Int, text: String)] = [:]
    private var nextMark = BlobImport.firstBlobMark
    private var started = false
    private var ended = false
    private let finished = DispatchGroup()
    private var result: Result<Data, GitOpsError>?

    /// The first mark given to a blob; marks below are the import's commit's.
    static let firstBlobMark = 2

    public init(repository: GitOpsRepository) {
        git = repository.git
    }

    /// Hands `files` (contents by path) to git. Blocks while git is more than a few megabytes
    /// behind, so the files wait in one place only. Safe to call from several threads.
    public func add(_ files: [String: String]) {
        let entries = Array(files)
        // Marks are handed out under the lock; the stream is built outside it.
        let first: Int? = lock.withLock {
            guard !ended, !entries.isEmpty else { return nil }
            startIfNeeded()
            let first = nextMark
            nextMark += entries.count
            for (offset, (path, text)) in entries.enumerated() { marks[path] = (first + offset, text) }
            return first
        }
        guard let first else { return }
        // Sent in pieces of about 1 MiB, so little waits beside what the feed holds.
        var chunk: [UInt8] = []
        for (offset, (_, text)) in entries.enumerated() {
            chunk.append(contentsOf: "blob\nmark :\(first + offset)\ndata \(text.utf8.count)\n".utf8)
            chunk.append(contentsOf: text.utf8)
            chunk.append(UInt8(ascii: "\n"))
            if chunk.count >= 1 << 20 {
                feed.send(chunk)
                chunk = []
            }
        }
        if !chunk.isEmpty { feed.send(chunk) }
    }

    /// The mark of `path`'s blob when it was handed over with exactly `text`.
    func mark(of path: String, text: String) -> Int? {
        lock.withLock { marks[path].flatMap { $0.text == text ? $0.mark : nil } }
    }

    /// Whether files were handed over (git runs) and the import is neither finished nor cancelled.
    var isOpen: Bool { lock.withLock { started && !ended } }

    /// Sends the end of the stream (`tail`: the commit and the questions about it) and waits for
    /// git: its standard output. Only once, and only while `isOpen`.
    func finish(tail: [UInt8]) throws(GitOpsError) -> Data {
        lock.withLock { ended = true }
        feed.send(tail)
        feed.close()
        finished.wait()
        return try result!.get()
    }

    /// Ends an import that will make no commit; the blobs stored so far stay unreachable. Does
    /// nothing once finished or when nothing was handed over.
    public func cancel() {
        let running = lock.withLock { () -> Bool in
            defer { ended = true }
            return started && !ended
        }
        guard running else { return }
        feed.send(Array("done\n".utf8))
        feed.close()
        finished.wait()
    }

    /// Starts git on its own thread, reading the feed. Called with the lock held.
    private func startIfNeeded() {
        guard !started else { return }
        started = true
        finished.enter()
        let git = git, feed = feed
        OwnThread.start {
            let outcome = Result { () throws(GitOpsError) in
                try git.run(GitOpsRepository.fastImportArguments, writeInput: { handle in feed.drain(into: handle) }).output
            }
            self.lock.withLock { self.result = outcome }
            self.finished.leave()
        }
    }
}

/// Byte chunks passed from the threads that produce them to the one that writes them to git,
/// at most `limit` bytes waiting at a time.
final class ImportFeed: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var waiting = 0
    private var closed = false
    static let limit = 8 << 20

    /// Queues `chunk`, first waiting while more than `limit` bytes wait.
    func send(_ chunk: [UInt8]) {
        condition.lock()
        defer { condition.unlock() }
        while waiting > Self.limit && !closed { condition.wait() }
        guard !closed else { return }
        chunks.append(chunk)
        waiting += chunk.count
        condition.broadcast()
    }

    /// No more chunks will come.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes every chunk to `handle` until the feed is closed and empty. After a failed write
    /// (git exited early) the rest is dropped; git's exit status reports the failure.
    func drain(into handle: FileHandle) {
        var failed = false
        while true {
            condition.lock()
            while chunks.isEmpty && !closed { condition.wait() }
            let taken = chunks
            chunks.removeAll()
            waiting = 0
            condition.broadcast()
            let done = closed && taken.isEmpty
            condition.unlock()
            if done { return }
            for chunk in taken where !failed {
                do { try handle.write(contentsOf: chunk) } catch { failed = true }
            }
        }
    }
}
