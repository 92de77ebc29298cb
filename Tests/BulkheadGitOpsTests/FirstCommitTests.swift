import BulkheadGitOps
import Foundation
import Testing

/// A repository's first commit: its index is written by Bulkhead (`IndexFile`), and its files
/// may reach git while they are still being produced (`BlobImport`).
@Suite struct FirstCommitTests {
    init() {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
    }

    /// Files of several sizes (one empty, one of 100 KB), in nested folders, with names git
    /// sorts differently from Swift's string order, and one that is not ASCII.
    static let files: [String: String] = {
        var files: [String: String] = [:]
        for index in 0..<300 {
            files["owned/c\(index % 7)/tenants/t\(index)/bundle.yaml"] = String(repeating: "line \(index)\n", count: index % 40)
            files["owned/c\(index % 7)/tenants/t\(index)/kustomization.yaml"] = "resources:\n- bundle.yaml\n"
        }
        files["owned/a-b/x.yaml"] = "dash\n"
        files["owned/a/x.yaml"] = "slash\n"
        files["owned/a.b/x.yaml"] = "dot\n"
        files["owned/ünïcode/x.yaml"] = "non-ascii\n"
        files["owned/big.yaml"] = String(repeating: "0123456789", count: 10_000)
        return files
    }()

    static func repository() throws -> GitOpsRepository {
        let repo = try GitOpsRepositoryTests.repository()
        try repo.initializeIfNeeded()
        return repo
    }

    @Test func theFirstCommitsIndexIsTheOneGitWouldWrite() throws {
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        _ = try repo.apply(Self.files) { _ in "first" }
        let git = Git(root: repo.root)
        // git's own index of the same commit: entries read from the tree, stat data from the files.
        var own = git
        own.environment["GIT_INDEX_FILE"] = repo.root.appendingPathComponent(".git/index-by-git").path
        try own.run(["read-tree", "HEAD"])
        try own.run(["update-index", "-q", "--refresh"])
        let written = try git.text(["ls-files", "--stage", "--debug"])
        #expect(written.split(separator: "\n").count == Self.files.count * 6)
        #expect(written == (try own.text(["ls-files", "--stage", "--debug"])))
        #expect(try git.text(["diff-files", "--name-only"]) == "")
        #expect(try git.text(["status", "--porcelain", "--untracked-files=no"]) == "")
        #expect(try git.run(["fsck", "--no-dangling"]).status == 0)
    }

    @Test func blobsHandedOverEarlyMakeTheSameCommit() throws {
        let early = try Self.repository(), plain = try Self.repository()
        defer { try? FileManager.default.removeItem(at: early.root); try? FileManager.default.removeItem(at: plain.root) }
        let blobs = BlobImport(repository: early)
        var parts: [[String: String]] = [[:], [:], [:]]
        for (index, (path, text)) in Self.files.sorted(by: { $0.key < $1.key }).enumerated() { parts[index % 3][path] = text }
        // One file changes after it was handed over: the commit must hold the later text.
        parts[0]["owned/a/x.yaml"] = "an earlier text\n"
        let threads = DispatchGroup()
        for part in parts {
            threads.enter()
            DispatchQueue.global().async { blobs.add(part); threads.leave() }
        }
        threads.wait()
        let result = try early.apply(Self.files, blobs: blobs) { _ in "first" }
        _ = try plain.apply(Self.files) { _ in "first" }
        let earlyGit = Git(root: early.root), plainGit = Git(root: plain.root)
        #expect(result.commit != nil)
        #expect(try earlyGit.text(["rev-parse", "HEAD^{tree}"]) == plainGit.text(["rev-parse", "HEAD^{tree}"]))
        #expect(try earlyGit.text(["rev-list", "--count", "HEAD"]) == "1")
        #expect(try earlyGit.text(["show", "HEAD:owned/a/x.yaml"]) == "slash")
        #expect(try earlyGit.run(["fsck", "--no-dangling"]).status == 0)
    }

    @Test func aCancelledImportCommitsNothingAndTheNextApplyWorks() throws {
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        let blobs = BlobImport(repository: repo)
        blobs.add(Self.files)
        blobs.cancel()
        #expect(try repo.head() == nil)
        #expect(!FileManager.default.fileExists(atPath: repo.root.appendingPathComponent("owned").path))
        let result = try repo.apply(Self.files, blobs: blobs) { _ in "first" }
        #expect(result.commit != nil)
        #expect(try Git(root: repo.root).text(["rev-list", "--count", "HEAD"]) == "1")
        #expect(try repo.ownedFiles() == Set(Self.files.keys))
    }
}
