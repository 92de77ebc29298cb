public import Foundation
import Synchronization

/// The GitOps repository on disk, driven through the real `git`.
///
/// An apply writes the owned files that changed, removes owned files no longer wanted, and makes
/// exactly one commit — or nothing at all when nothing changed. It is crash-safe: before touching
/// the working tree it records a journal in `.git/`; moving HEAD is the commit point. If the
/// process dies or fails before that, the next run (or the failing run itself) rolls the touched
/// paths back to the old HEAD; after it, forward to the new one. Either way the working tree,
/// index and HEAD agree with one of the two commits.
public struct GitOpsRepository: Sendable {
    public let root: URL
    let git: Git
    /// Which paths Bulkhead owns (and so may prune); everything else in the repository is left alone.
    public let isOwned: @Sendable (String) -> Bool
    /// Loose objects above which a commit repacks (see ``repackIfCluttered()``).
    public let looseObjectLimit: Int
    /// Packs above which a commit repacks (see ``repackIfCluttered()``).
    public let packLimit: Int
    /// Whether that repack runs after the apply returns, as git's own `gc --auto` detaches
    /// (`gc.autoDetach`), instead of inside it. The server sets it: a repack with git's delta
    /// search took 0.6–1.3 s on the 1,000-tenant platform, which one create in fifty waited for.
    public var repacksInBackground = false

    /// git's own threshold of loose objects for `gc --auto` (`gc.auto`).
    public static let defaultLooseObjectLimit = 6_700
    /// git's own threshold of packs for `gc --auto` (`gc.autoPackLimit`).
    public static let defaultPackLimit = 50

    public init(root: URL, isOwned: @escaping @Sendable (String) -> Bool, looseObjectLimit: Int = defaultLooseObjectLimit,
                packLimit: Int = defaultPackLimit) {
        self.root = root.standardizedFileURL
        self.git = Git(root: self.root)
        self.isOwned = isOwned
        self.looseObjectLimit = looseObjectLimit
        self.packLimit = packLimit
    }

    var gitDirectory: URL { root.appendingPathComponent(".git") }
    var journalURL: URL { gitDirectory.appendingPathComponent("bulkhead-journal") }

    public var exists: Bool { FileManager.default.fileExists(atPath: gitDirectory.path) }

    /// Creates the folder and runs `git init` when there is no repository yet.
    public func initializeIfNeeded() throws(GitOpsError) {
        guard !exists else { return }
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw GitOpsError("cannot create the repository folder \(root.path): \(error.localizedDescription)")
        }
        try git.run(["init", "-q", "-b", "main"])
    }

    /// Owned files that git tracks now, all or only those under `scopes`.
    public func ownedFiles(under scopes: [String]? = nil) throws(GitOpsError) -> Set<String> {
        guard exists else { return [] }
        return try ownedFiles(under: scopes, head: git.head())
    }

    /// `ownedFiles(under:)` for a caller that has just read HEAD.
    func ownedFiles(under scopes: [String]?, head: String?) throws(GitOpsError) -> Set<String> {
        guard exists else { return [] }
        let commit = head.flatMap { indexIsTree(of: $0) ? $0 : nil }
        return Set(try git.trackedFiles(under: scopes, commit: commit).filter(isOwned))
    }

    // MARK: The index as the last commit left it

    static let indexStampName = "index-stamp"

    /// The index file's identity: inode, size, and modification and change times in nanoseconds.
    /// Git replaces the index by renaming a new file over it, so any rewrite changes these.
    func indexFileIdentity() -> String? {
        var info = stat()
        guard stat(gitDirectory.appendingPathComponent("index").path, &info) == 0 else { return nil }
        return "\(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// Whether the index is still the one Bulkhead installed with `head` and HEAD is still there:
    /// then the index holds exactly `head`'s tree, so nothing is staged by hand and the tree can
    /// stand in for the index. Any git command that writes the index, or moves HEAD, ends this.
    func indexIsTree(of head: String) -> Bool {
        guard let stamp = stateFile(Self.indexStampName), let identity = indexFileIdentity() else { return false }
        return stamp == "\(head) \(identity)\n"
    }

    /// Notes that the index now holds exactly `head`'s tree (see `indexIsTree`).
    func stampIndex(head: String) {
        guard let identity = indexFileIdentity() else { return removeStateFile(Self.indexStampName) }
        do { try writeStateFile(Self.indexStampName, "\(head) \(identity)\n") } catch { removeStateFile(Self.indexStampName) }
    }

    /// The commit HEAD points at, or `nil` before the first commit or without a repository.
    public func head() throws(GitOpsError) -> String? {
        guard exists else { return nil }
        return try git.head()
    }

    /// Tracked files whose working-tree copy differs from the index (edited or deleted by hand).
    ///
    /// `diff-files` trusts the index's stat data: a file whose timestamps or inode changed while
    /// its bytes did not (the repository was copied, restored from a backup, or touched) is
    /// listed too. When anything is listed, the index's stat data is refreshed (git re-reads only
    /// those files, as `git status` does; no content of the index changes) and the question is
    /// asked again, so only real edits come back.
    /// `inBackground` runs git at a lower CPU priority, so that it takes what work in the
    /// foreground leaves of the machine.
    public func driftedFiles(inBackground: Bool = false) throws(GitOpsError) -> [String] {
        guard exists else { return [] }
        var git = git
        git.yieldsCPU = inBackground
        let first = try git.run(["diff-files", "--name-only", "-z"]).output
        guard !first.isEmpty else { return [] }
        try git.run(["update-index", "-q", "--refresh"], allowFailure: true)
        let data = try git.run(["diff-files", "--name-only", "-z"]).output
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    var stateDirectory: URL { gitDirectory.appendingPathComponent("bulkhead") }

    /// A folder in `.git/bulkhead/` for files Bulkhead keeps for itself (never committed), or nil
    /// while the repository does not exist yet (nothing is written before `git init`).
    public func stateFolder(_ name: String) -> URL? {
        exists ? stateDirectory.appendingPathComponent(name) : nil
    }

    /// A file Bulkhead keeps for itself in `.git/bulkhead/` (never committed), or `nil`.
    public func stateFile(_ name: String) -> String? {
        FileManager.default.contents(atPath: stateDirectory.appendingPathComponent(name).path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Replaces a file in `.git/bulkhead/` atomically (write a temporary file, then rename).
    public func writeStateFile(_ name: String, _ text: String) throws(GitOpsError) {
        let url = stateDirectory.appendingPathComponent(name)
        let temporary = url.path + ".tmp"
        do { try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true) } catch {
            throw GitOpsError("cannot create \(stateDirectory.path): \(error.localizedDescription)")
        }
        // Without `fsync` (which `FileManager.createFile` does): a state file lost in a crash only
        // costs the next apply time, as a missing one does.
        try Self.writeFile(atPath: temporary, text, name: url.path)
        guard rename(temporary, url.path) == 0 else {
            throw GitOpsError("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes a file from `.git/bulkhead/`, if present.
    public func removeStateFile(_ name: String) {
        try? FileManager.default.removeItem(at: stateDirectory.appendingPathComponent(name))
    }

    /// The current bytes of a file in the working tree, or `nil` when it is absent.
    public func contents(of path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map { [UInt8]($0) }
    }

    /// The text of a file in the working tree.
    public func text(of path: String) -> String? {
        contents(of: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// What writing `desired` would change, without writing anything. `scopes` limits pruning to
    /// owned files under those paths (files, or folders ending in `/`); `nil` means every owned file.
    public func plan(_ desired: [String: String], scopes: [String]? = nil) throws(GitOpsError) -> RepositoryChange {
        try plan(desired, scopes: scopes, head: head())
    }

    func plan(_ desired: [String: String], scopes: [String]?, head: String?) throws(GitOpsError) -> RepositoryChange {
        let owned = try ownedFiles(under: scopes, head: head)
        return RepositoryChange.compute(desired: desired, owned: owned) { contents(of: $0) }
    }

    /// The outcome of an apply.
    public struct ApplyResult: Sendable {
        public var change: RepositoryChange
        /// The new commit, or `nil` when HEAD already held the result (nothing changed, or only
        /// working-tree edits were undone).
        public var commit: String?
    }

    /// Writes `desired` (all owned files, by path) and commits the difference with `message`.
    /// `scopes` as for `plan`. `blobs` holds files handed to git ahead of the commit (see
    /// `BlobImport`); it is finished or cancelled here.
    public func apply(_ desired: [String: String], scopes: [String]? = nil, blobs: BlobImport? = nil,
                      message: (RepositoryChange) -> String) throws(GitOpsError) -> ApplyResult {
        defer { blobs?.cancel() }
        try initializeIfNeeded()
        try recoverIfInterrupted()
        let old = try git.head()
        let change = try plan(desired, scopes: scopes, head: old)
        guard !change.isEmpty else { return ApplyResult(change: change, commit: nil) }
        try writeJournal(Journal(head: old, paths: change.touched))
        Fault.point("after-journal")
        do {
            let commit = try writeAndCommit(desired, change: change, parent: old, message: message(change), blobs: blobs)
            Fault.point("after-commit-point")
            // `commit` is nil when the working tree only went back to what HEAD holds (files
            // edited or deleted by hand were restored): there is nothing to commit.
            try? FileManager.default.removeItem(at: journalURL)
            return ApplyResult(change: change, commit: commit)
        } catch {
            try? recoverIfInterrupted()
            throw error
        }
    }

    /// Writes the working tree and stages it while `git fast-import` makes the commit from
    /// `desired` (see `importCommit`), then moves HEAD to the commit: the commit point. Returns
    /// `nil` when the commit's tree is the parent's (only files edited by hand were restored).
    func writeAndCommit(_ desired: [String: String], change: RepositoryChange, parent: String?, message: String,
                        blobs: BlobImport? = nil) throws(GitOpsError) -> String? {
        // What someone staged by hand is not Bulkhead's to commit: the commit is made from
        // `desired`, not from the index, and such paths stay staged as they were. Only then is
        // the index not the commit's tree afterwards (see `indexIsTree`).
        let stagedByHand = try parent.map { parent throws(GitOpsError) in try hasPathsStagedByHand(besides: change, parent: parent) } ?? false
        let identity = try git.commitIdentity()
        let importing = DispatchGroup()
        let result = ImportResult()
        importing.enter()
        OwnThread.start {
            result.value = Result { () throws(GitOpsError) in
                try importCommit(desired, change: change, parent: parent, message: message, identity: identity, blobs: blobs)
            }
            importing.leave()
        }
        // A first commit's index holds exactly the files written: Bulkhead writes it from what
        // it hashed while writing them (see `IndexFile`), unless an index exists already.
        let writesIndex = parent == nil && !FileManager.default.fileExists(atPath: gitDirectory.appendingPathComponent("index").path)
        let staged = Result { () throws(GitOpsError) in
            let entries = try writeWorkingTree(desired, change: change, recordsIndexEntries: writesIndex)
            Fault.point("after-write")
            if let entries {
                try IndexFile.write(entries, gitDirectory: gitDirectory)
            } else {
                try stage(change.touched)
            }
        }
        importing.wait()
        try staged.get()
        let imported = try result.value!.get()
        removeStateFile(Self.indexStampName)
        if imported.tree == imported.parentTree {
            try git.run(["update-ref", "-d", Self.importRef])
            if !stagedByHand, let parent { stampIndex(head: parent) }
            return nil
        }
        Fault.point("before-commit-point")
        let old = parent ?? String(repeating: "0", count: 40)
        try git.run(["update-ref", "-m", "bulkhead apply", "--stdin"],
                    input: Data("update HEAD \(imported.commit) \(old)\ndelete \(Self.importRef)\n".utf8))
        if !stagedByHand { stampIndex(head: imported.commit) }
        repackIfCluttered()
        return imported.commit
    }

    /// Repacks once there are more than ``packLimit`` packs or ``looseObjectLimit`` loose
    /// objects. A commit made with `fast-import` never runs git's own housekeeping, which
    /// `git commit` would: each apply adds a pack (see `importCommit`), and commits made by hand
    /// add loose objects, so a repository that took thousands of applies would otherwise keep
    /// thousands of packs.
    ///
    /// Both counts are single directory reads, no process. The loose count is git's own estimate
    /// for `gc --auto`: objects spread evenly over 256 folders by their first byte, so one
    /// folder's files times 256. `repack --geometric=2` rolls the loose objects and the small
    /// packs up into one pack and leaves the big pack of a first apply as it is, so each run
    /// costs about what it packs.
    ///
    /// It runs after the commit point, so a failure (a full disk, say) must not turn a made
    /// commit into a failed apply: the packs stay as they are, and the next commit tries again.
    ///
    /// In the background (``repacksInBackground``) one repack runs at a time per process; git
    /// itself lets a repack run beside other commands, as its detached `gc --auto` does.
    func repackIfCluttered() {
        let objects = gitDirectory.appendingPathComponent("objects")
        let packs = (try? FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent("pack").path))?
            .filter { $0.hasSuffix(".pack") }.count ?? 0
        let looseEstimate = ((try? FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent("17").path))?.count ?? 0) * 256
        guard packs > packLimit || looseEstimate > looseObjectLimit else { return }
        let git = git
        let repack: @Sendable () -> Void = { _ = try? git.run(["repack", "-d", "-q", "--geometric=2"]) }
        guard repacksInBackground else { return repack() }
        guard Self.repacking.withLock({ running in defer { running = true }; return !running }) else { return }
        OwnThread.start {
            repack()
            Self.repacking.withLock { $0 = false }
        }
    }

    /// Whether a background repack of this process is running.
    static let repacking = Mutex(false)

    /// Waits until no background repack of this process runs (at most `seconds`).
    public static func waitForBackgroundRepack(seconds: Double = 60) {
        let deadline = Date().addingTimeInterval(seconds)
        while repacking.withLock({ $0 }) && Date() < deadline { usleep(10_000) }
    }

    /// Whether the index holds staged changes to paths other than `change`'s, compared with
    /// `parent`. Known to be false without asking git while the index is as the last apply left it.
    func hasPathsStagedByHand(besides change: RepositoryChange, parent: String) throws(GitOpsError) -> Bool {
        guard !indexIsTree(of: parent) else { return false }
        let touched = Set(change.touched)
        return try git.run(["diff-index", "--cached", "--name-only", "-z", parent]).output.split(separator: 0)
            .contains { !touched.contains(String(decoding: $0, as: UTF8.self)) }
    }

    /// Records the touched paths' working-tree files in the index (`--info-only`: the objects
    /// come from the import; git hashes each file and keeps its stat data).
    ///
    /// Index version 4 compresses paths: a third smaller for a fleet's deep, repetitive folders,
    /// so every later read and write of the index is faster. The index is split
    /// (`core.splitIndex`): most entries stay in a shared file that is written rarely, so staging
    /// a few files writes a small part of a large index.
    func stage(_ paths: [String]) throws(GitOpsError) {
        try git.run(["-c", "core.splitIndex=true", "update-index", "--index-version", "4", "--add", "--remove", "--info-only", "-z", "--stdin"],
                    input: Data(paths.joined(separator: "\0").utf8))
    }

    /// Writes the added and changed files, then removes the pruned ones. Files are written in
    /// place, in parallel, without `fsync` (as git itself writes the working tree): the journal
    /// written before makes an interrupted write roll back to HEAD, so no per-file rename is needed.
    /// With `recordsIndexEntries`, returns each written file's index entry (see `IndexFile`).
    @discardableResult
    func writeWorkingTree(_ desired: [String: String], change: RepositoryChange, recordsIndexEntries: Bool = false) throws(GitOpsError) -> [IndexFile.Entry]? {
        let paths = change.added + change.changed
        var folders: Set<String> = []
        for path in paths { folders.insert((path as NSString).deletingLastPathComponent) }
        try createFolders(folders)
        let slots = recordsIndexEntries ? IndexEntrySlots(count: paths.count) : nil
        let rootPath = root.path
        let write: @Sendable (Int, String) throws(GitOpsError) -> Void = { index, path throws(GitOpsError) in
            let entry = try Self.writeFile(atPath: rootPath + "/" + path, desired[path]!, name: path, recordsIndexEntry: slots != nil)
            if let slots, let entry { slots.set(index, entry) }
        }
        if let first = paths.first {
            try write(0, first)
            Fault.point("after-first-file")
        }
        try Self.forEachInParallel(paths.dropFirst(), write)
        for path in change.removed {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(path))
            removeEmptyParents(of: path)
        }
        return slots?.entries
    }

    /// Creates `folders` (relative to the root) and their parents: one depth at a time, the
    /// folders of a depth in parallel with plain `mkdir`. A full apply creates tens of thousands
    /// of tenant folders, and a new inode is most of what a file system charges for each.
    func createFolders(_ folders: Set<String>) throws(GitOpsError) {
        var withParents: Set<String> = []
        for folder in folders {
            var current = Substring(folder)
            while !current.isEmpty, withParents.insert(String(current)).inserted {
                guard let slash = current.lastIndex(of: "/") else { break }
                current = current[..<slash]
            }
        }
        var byDepth: [[String]] = []
        for folder in withParents {
            let depth = folder.utf8.count { $0 == UInt8(ascii: "/") }
            while byDepth.count <= depth { byDepth.append([]) }
            byDepth[depth].append(folder)
        }
        let rootPath = root.path
        for level in byDepth {
            try Self.forEachInParallel(level[...]) { _, folder throws(GitOpsError) in
                try Self.createFolder(atPath: rootPath + "/" + folder, name: folder)
            }
        }
    }

    /// Makes one folder whose parent exists; a folder already there is fine, a file is not.
    static func createFolder(atPath fullPath: String, name: String) throws(GitOpsError) {
        if mkdir(fullPath, 0o755) == 0 { return }
        let failure = errno
        var status = stat()
        if failure == EEXIST, stat(fullPath, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { return }
        if failure == EEXIST { throw GitOpsError("cannot create the folder \(name): a file of that name is in the way") }
        throw GitOpsError("cannot create the folder \(name): \(String(cString: strerror(failure)))")
    }

    /// Runs `body` for every item over the cores and rethrows the first failure; after a failure
    /// the workers stop taking new items. The items are cut into 64 runs of neighbours, taken by
    /// the cores in turn: sorted paths keep one folder's files in one run, so two threads seldom
    /// create files in the same folder at once (its lock made that 10–20 % slower).
    static func forEachInParallel(_ items: ArraySlice<String>, _ body: @Sendable (Int, String) throws(GitOpsError) -> Void) throws(GitOpsError) {
        let runs = min(items.count, 64)
        guard runs > 0 else { return }
        let failures = FirstFailure()
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            var index = items.startIndex + items.count * run / runs
            let end = items.startIndex + items.count * (run + 1) / runs
            while index < end, !failures.isSet {
                do throws(GitOpsError) { try body(index, items[index]) } catch { failures.record(error) }
                index += 1
            }
        }
        if let error = failures.error { throw error }
    }

    /// Writes one file of the working tree with plain POSIX calls (`FileManager.createFile`
    /// writes a temporary file and `fsync`s it, which costs a disk flush per file).
    func writeFile(_ path: String, _ text: String) throws(GitOpsError) {
        try Self.writeFile(atPath: root.appendingPathComponent(path).path, text, name: path)
    }

    /// Writes `text` to the file at `fullPath`; errors name the file as `name`. With
    /// `recordsIndexEntry`, returns the file's index entry: the blob id of the bytes just written
    /// and the stat data of the open file.
    @discardableResult
    static func writeFile(atPath fullPath: String, _ text: String, name path: String, recordsIndexEntry: Bool = false) throws(GitOpsError) -> IndexFile.Entry? {
        let descriptor = open(fullPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw GitOpsError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var text = text
        var entry: IndexFile.Entry?
        let failure: Int32? = text.withUTF8 { bytes in
            if let failure = writeAll(descriptor, UnsafeRawBufferPointer(bytes)) { return failure }
            guard recordsIndexEntry else { return nil }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { return errno }
            entry = IndexFile.Entry(path: path, blob: IndexFile.blobID(of: bytes), stat: IndexFile.StatData(status))
            return nil
        }
        if let failure {
            throw GitOpsError("cannot write \(path): \(String(cString: strerror(failure))) (is the disk full or read-only?)")
        }
        return entry
    }

    /// Writes all of `bytes` to `descriptor`, retrying after interruptions: nil, or the error
    /// number of the write that failed.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Removes folders left empty by a prune, up to the repository root.
    func removeEmptyParents(of path: String) {
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty {
            let url = root.appendingPathComponent(folder)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: url.path), entries.isEmpty else { return }
            try? FileManager.default.removeItem(at: url)
            folder = (folder as NSString).deletingLastPathComponent
        }
    }

    // MARK: Journal and recovery

    struct Journal: Codable {
        /// HEAD before the apply; `nil` in a repository without commits.
        var head: String?
        var paths: [String]
    }

    func writeJournal(_ journal: Journal) throws(GitOpsError) {
        let temporary = journalURL.path + ".tmp"
        do {
            let data = try JSONEncoder().encode(journal)
            guard FileManager.default.createFile(atPath: temporary, contents: data), rename(temporary, journalURL.path) == 0 else {
                throw GitOpsError("cannot write \(journalURL.path)")
            }
        } catch let error as GitOpsError {
            throw error
        } catch {
            throw GitOpsError("cannot write the apply journal: \(error)")
        }
    }

    /// Whether an interrupted apply left a journal behind.
    public var wasInterrupted: Bool { FileManager.default.fileExists(atPath: journalURL.path) }

    /// Finishes or undoes an interrupted apply: the touched paths are made to match HEAD, which is
    /// the old commit unless the interrupted run got past its commit point.
    public func recoverIfInterrupted() throws(GitOpsError) {
        guard let data = FileManager.default.contents(atPath: journalURL.path) else { return }
        guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
            throw GitOpsError("\(journalURL.path) is damaged; inspect `git status` and remove the file by hand")
        }
        let manager = FileManager.default
        let head = try git.head()
        let inHead = try head.map { commit throws(GitOpsError) in try git.files(in: commit) } ?? []
        let restore = journal.paths.filter { inHead.contains($0) }
        let drop = journal.paths.filter { !inHead.contains($0) }
        if let head, !restore.isEmpty {
            try git.run(["checkout", "-q", head, "--pathspec-from-file=-", "--pathspec-file-nul"], input: Data(restore.joined(separator: "\0").utf8))
        }
        if !drop.isEmpty {
            try git.run(["rm", "-q", "--cached", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul"], input: Data(drop.joined(separator: "\0").utf8))
            for path in drop {
                try? manager.removeItem(at: root.appendingPathComponent(path))
                removeEmptyParents(of: path)
            }
        }
        try? manager.removeItem(at: journalURL)
    }
}

/// The import's outcome, written by its worker before the group is left and read after waiting.
final class ImportResult: @unchecked Sendable {
    var value: Result<GitOpsRepository.ImportedCommit, GitOpsError>?
}

/// The first error of parallel workers; later ones are dropped.
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: GitOpsError?
    var isSet: Bool { lock.withLock { first != nil } }
    var error: GitOpsError? { lock.withLock { first } }
    func record(_ error: GitOpsError) { lock.withLock { if first == nil { first = error } } }
}

/// Test-only fault injection: with `BULKHEAD_FAULT=<point>` in the environment the process dies
/// at that point as if killed, so tests can check crash safety at exact places.
enum Fault {
    static let target = ProcessInfo.processInfo.environment["BULKHEAD_FAULT"]

    static func point(_ name: String) {
        guard let target, target == name else { return }
        kill(getpid(), SIGKILL)
    }
}
