import BulkheadGitOps
import Foundation
import Testing

/// HEAD read from the repository's files gives what `git rev-parse` gives, in every state a
/// repository's refs can be in: no commit yet, a loose branch ref, refs packed by `git pack-refs`
/// (then loose again), a detached HEAD, another branch, and a linked worktree (read by git).
@Suite struct HeadFileTests {
    @Test func headAgreesWithGitInEveryRefState() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-test-\(UUID().uuidString)")
        let worktree = root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + "-worktree")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: worktree)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let git = Git(root: root)
        try git.run(["init", "-q", "-b", "main"])
        func commit(_ message: String) throws {
            try git.run(["commit", "-q", "--allow-empty", "-m", message])
        }
        var states: [(String, String?)] = []
        func check(_ state: String) throws {
            let fromFiles = try git.head()
            #expect(fromFiles == (try git.headFromGit()), "\(state)")
            // Read from the files, not from a git process.
            let answer = HeadFile.read(gitDirectory: root.appendingPathComponent(".git"))
            #expect(answer == (fromFiles.map { .commit($0) } ?? .unborn), "\(state): \(answer)")
            states.append((state, fromFiles))
        }
        try check("no commit yet")
        #expect(states.last?.1 == nil)
        try commit("first")
        try check("a loose branch ref")
        try git.run(["pack-refs", "--all"])
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".git/refs/heads/main").path), "the ref is only packed now")
        try check("a packed branch ref")
        try commit("second")
        try check("a loose ref beside a stale packed one")
        try git.run(["checkout", "-q", "--detach", "HEAD~1"])
        try check("a detached HEAD")
        try git.run(["checkout", "-q", "-b", "other"])
        try commit("on other")
        try check("another branch")
        try git.run(["worktree", "add", "-q", worktree.path, "main"])
        let linked = Git(root: worktree)
        #expect(try linked.head() == (try linked.headFromGit()), "a linked worktree (its .git is a file)")
        #expect(try linked.head() != nil)
        #expect(HeadFile.read(gitDirectory: worktree.appendingPathComponent(".git")) == .unknown, "git answers for a worktree")
        // first (loose, packed, detached), second, and the commit on the other branch.
        #expect(Set(states.compactMap(\.1)).count == 3, "three different commits were read: \(states)")
    }
}
