public import Foundation
import Synchronization

/// A failure running git or touching the repository, with what was being done.
public struct GitOpsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the real `git` program in one repository.
public struct Git: Sendable {
    public let root: URL
    /// Extra environment, e.g. `GIT_INDEX_FILE` for a temporary index.
    public var environment: [String: String] = [:]
    /// Runs git at a lower CPU priority (`nice`), for work in the background of other work.
    public var yieldsCPU = false

    public init(root: URL) { self.root = root }

    /// Runs `git args` in the repository; throws with git's own message when it fails.
    @discardableResult
    public func run(_ args: [String], input: Data? = nil, allowFailure: Bool = false) throws(GitOpsError) -> (status: Int32, output: Data) {
        try run(args, writeInput: input.map { data in { try? $0.write(contentsOf: data) } }, allowFailure: allowFailure)
    }

    /// Runs `git args` with standard input produced by `writeInput`, which writes to the pipe
    /// piece by piece (for inputs too large to hold twice in memory); `nil` means no input.
    @discardableResult
    public func run(_ args: [String], writeInput: ((FileHandle) -> Void)?, allowFailure: Bool = false) throws(GitOpsError) -> (status: Int32, output: Data) {
        // A git that exits before reading all its input must not kill Bulkhead with SIGPIPE: the
        // write fails instead, and git's exit status and message say what went wrong.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        let command = (yieldsCPU ? Self.nice + ["-n", "10"] : []) + Self.git + ["-C", root.path] + args
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = writeInput == nil ? FileHandle.nullDevice : stdin
        // `waitUntilExit()` polls a run loop in 50 ms steps on Linux; a termination handler
        // signals as soon as git exits.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw GitOpsError("cannot run git (\(error)); install git and make sure it is on PATH")
        }
        // Read output on other threads while writing input, so large inputs and outputs cannot deadlock.
        let outBox = DataBox(), errBox = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(stdout, outBox), (stderr, errBox)] {
            group.enter()
            OwnThread.start {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        if let writeInput {
            writeInput(stdin.fileHandleForWriting)
            try? stdin.fileHandleForWriting.close()
        }
        exited.wait()
        group.wait()
        let status = process.terminationStatus
        if status != 0 && !allowFailure {
            let message = String(decoding: errBox.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GitOpsError("git \(args.first ?? "") failed in \(root.path): \(message)")
        }
        return (status, outBox.data)
    }

    /// How to start `git` and `nice`: the program found on PATH once per process (starting each
    /// git through `/usr/bin/env` cost a second program start and a PATH search per run), or
    /// `/usr/bin/env <name>` when none is found, whose failure names it.
    static let git = command(named: "git")
    static let nice = command(named: "nice")

    static func command(named name: String) -> [String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 { return [candidate] }
        }
        return ["/usr/bin/env", name]
    }

    /// This git, set to commit as "Bulkhead <bulkhead@localhost>" when the repository has no
    /// `user.email` configured (git would refuse to commit). Asked once per repository in a
    /// process: every commit asking again cost a git run.
    public func committing() throws(GitOpsError) -> Git {
        let key = root.path
        let configured: Bool
        if let known = Self.identityConfigured.withLock({ $0[key] }) {
            configured = known
        } else {
            configured = try run(["config", "user.email"], allowFailure: true).status == 0
            Self.identityConfigured.withLock { $0[key] = configured }
        }
        guard !configured else { return self }
        var identity = self
        identity.environment.merge(["GIT_AUTHOR_NAME": "Bulkhead", "GIT_AUTHOR_EMAIL": "bulkhead@localhost",
                                    "GIT_COMMITTER_NAME": "Bulkhead", "GIT_COMMITTER_EMAIL": "bulkhead@localhost"]) { _, new in new }
        return identity
    }

    private static let identityConfigured = Mutex<[String: Bool]>([:])

    /// The author and committer of a new commit ("Name <email> seconds zone"), as git itself
    /// would write them.
    public struct CommitIdentity: Sendable {
        public var author: String
        public var committer: String
    }

    /// Who a commit made now is by: `git var` reads the environment (`GIT_AUTHOR_NAME`,
    /// `GIT_COMMITTER_DATE`, …) and the configuration as `git commit` does, with the identity of
    /// `committing()` when none is configured.
    public func commitIdentity() throws(GitOpsError) -> CommitIdentity {
        let listing = try committing().text(["var", "-l"]).split(separator: "\n")
        // The identities come after the configuration; the last line of each name wins.
        func value(_ name: String) -> String? {
            listing.last { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        guard let author = value("GIT_AUTHOR_IDENT"), let committer = value("GIT_COMMITTER_IDENT") else {
            throw GitOpsError("git var -l in \(root.path) gave no author or committer identity; set user.name and user.email")
        }
        return CommitIdentity(author: author, committer: committer)
    }

    /// Output as trimmed text.
    public func text(_ args: [String], input: Data? = nil) throws(GitOpsError) -> String {
        String(decoding: try run(args, input: input).output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The commit HEAD points at, or `nil` in a repository without commits. Read from the
    /// repository's files when they are the usual ones (see `HeadFile`), else from git.
    public func head() throws(GitOpsError) -> String? {
        if environment["GIT_DIR"] == nil && ProcessInfo.processInfo.environment["GIT_DIR"] == nil {
            switch HeadFile.read(gitDirectory: root.appendingPathComponent(".git")) {
            case .commit(let name): return name
            case .unborn: return nil
            case .unknown: break
            }
        }
        return try headFromGit()
    }

    /// The commit HEAD points at, as `git rev-parse` says.
    public func headFromGit() throws(GitOpsError) -> String? {
        let result = try run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], allowFailure: true)
        guard result.status == 0 else { return nil }
        return String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Tracked files, all of them or only those under `scopes` (files, or folders ending in `/`),
    /// NUL-separated by git so any name is safe. They are read from the index, or from `commit`'s
    /// tree when the caller knows the two agree (reading a few folders of a tree is several times
    /// faster than reading a large index). The filter runs here for many scopes: `git ls-files`
    /// reads pathspecs only as arguments in git 2.39.
    public func trackedFiles(under scopes: [String]? = nil, commit: String? = nil) throws(GitOpsError) -> [String] {
        if let scopes, scopes.isEmpty { return [] }
        let list = commit.map { ["ls-tree", "-r", "--name-only", "-z", $0] } ?? ["ls-files", "-z"]
        // A few scopes go to git as literal pathspecs; many are filtered here.
        if let scopes, scopes.count <= 256 {
            let data = try run(["--literal-pathspecs"] + list + ["--"] + scopes).output
            return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        }
        let data = try run(list).output
        let all = data.split(separator: 0)
        guard let scopes else { return all.map { String(decoding: $0, as: UTF8.self) } }
        let scopeSet = Set(scopes)
        return all.compactMap { bytes in
            let path = String(decoding: bytes, as: UTF8.self)
            if scopeSet.contains(path) { return path }
            var index = path.startIndex
            while let slash = path[index...].firstIndex(of: "/") {
                if scopeSet.contains(String(path[...slash])) { return path }
                index = path.index(after: slash)
            }
            return nil
        }
    }

    /// Paths of a commit's tree.
    public func files(in commit: String) throws(GitOpsError) -> Set<String> {
        let data = try run(["ls-tree", "-r", "-z", "--name-only", commit]).output
        return Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }
}

/// Starts blocking work (waiting for a child process, reading its pipes) on a thread of its own.
///
/// Such work must not wait on libdispatch's global pool: on Linux the pool adds a thread only
/// when its monitor notices that the running ones are blocked, which it checks about once a
/// second. A pool blocked that way delayed the reading of git's output, and the first create
/// after `bulkhead serve` started took 0.4–0.6 s more than the ones after it.
public enum OwnThread {
    public static func start(_ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread(body)
    }
}

private final class DataBox: @unchecked Sendable {
    // Written by exactly one reader thread before `group.leave()`, read after `group.wait()`.
    var data = Data()
}
