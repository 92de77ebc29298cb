import BulkheadGitOps
import Foundation
import Testing

/// The repository writer on its own, with real git and a simple ownership rule.
@Suite struct GitOpsRepositoryTests {
    static func repository(looseObjectLimit: Int = GitOpsRepository.defaultLooseObjectLimit,
                           packLimit: Int = GitOpsRepository.defaultPackLimit) throws -> GitOpsRepository {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-test-\(UUID().uuidString)")
        return GitOpsRepository(root: root, isOwned: { $0.hasPrefix("owned/") }, looseObjectLimit: looseObjectLimit, packLimit: packLimit)
    }


    @Test func changeSetComparesBytesAndFindsRemovals() {
        // "e" is tracked but deleted from the working tree; "u" lies there untracked, as desired.
        let change = RepositoryChange.compute(desired: ["a": "1", "b": "2", "c": "3", "e": "5", "u": "6"], owned: ["a", "b", "d", "e"]) { path in
            ["a": Array("1".utf8), "b": Array("x".utf8), "u": Array("6".utf8)][path]
        }
        #expect(change == RepositoryChange(added: ["c", "e", "u"], changed: ["b"], removed: ["d"]))
    }

    @Test func touchedPathsAreEveryPathOfTheChangeSorted() {
        let paths = (0..<300).map { "clusters/c\($0 % 7)/tenants/t\($0)/file-\($0 % 3).yaml" }.shuffled()
        let added = paths.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let changed = paths.enumerated().filter { $0.offset % 3 == 1 }.map(\.element)
        let removed = paths.enumerated().filter { $0.offset % 3 == 2 }.map(\.element)
        #expect(RepositoryChange(added: added, changed: changed, removed: removed).touched == paths.sorted())
        #expect(RepositoryChange(changed: changed, removed: removed).touched == (changed + removed).sorted())
        #expect(RepositoryChange(added: added).touched == added.sorted())
        #expect(RepositoryChange().touched.isEmpty)
    }

    @Test func anUntrackedFileWithTheDesiredTextIsCommitted() throws {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        _ = try repo.apply(["owned/a.yaml": "a\n"]) { _ in "first" }
        try "b\n".write(to: repo.root.appendingPathComponent("owned/b.yaml"), atomically: true, encoding: .utf8)
        let second = try repo.apply(["owned/a.yaml": "a\n", "owned/b.yaml": "b\n"]) { _ in "second" }
        #expect(second.commit != nil && second.change == RepositoryChange(added: ["owned/b.yaml"]))
        #expect(try repo.ownedFiles() == ["owned/a.yaml", "owned/b.yaml"])
    }

    @Test func appliesCommitsOnceAndPrunesOnlyOwnedFiles() throws {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        let first = try repo.apply(["owned/x/a.yaml": "a\n", "owned/x/b.yaml": "b\n"]) { "first: \($0.added.count) added" }
        #expect(first.commit != nil && first.change.added == ["owned/x/a.yaml", "owned/x/b.yaml"])
        try "mine\n".write(to: repo.root.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let again = try repo.apply(["owned/x/a.yaml": "a\n", "owned/x/b.yaml": "b\n"]) { _ in "none" }
        #expect(again.commit == nil && again.change.isEmpty)
        let second = try repo.apply(["owned/x/a.yaml": "a2\n"]) { "second: \($0.removed.count) removed" }
        #expect(second.change == RepositoryChange(changed: ["owned/x/a.yaml"], removed: ["owned/x/b.yaml"]))
        #expect(!FileManager.default.fileExists(atPath: repo.root.appendingPathComponent("owned/x/b.yaml").path))
        #expect(FileManager.default.fileExists(atPath: repo.root.appendingPathComponent("README.md").path))
        #expect(try repo.ownedFiles() == ["owned/x/a.yaml"])
        let removedAll = try repo.apply([:]) { _ in "prune" }
        #expect(removedAll.change.removed == ["owned/x/a.yaml"])
        #expect(!FileManager.default.fileExists(atPath: repo.root.appendingPathComponent("owned").path), "empty folders are removed")
    }

    /// What a person staged by hand is neither committed by an apply nor unstaged by it.
    @Test func handStagedFilesStayStagedAndOutOfTheCommit() throws {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        _ = try repo.apply(["owned/a.yaml": "a\n"]) { _ in "first" }
        let git = Git(root: repo.root)
        try "notes\n".write(to: repo.root.appendingPathComponent("STAGED.md"), atomically: true, encoding: .utf8)
        try git.run(["add", "STAGED.md"])
        let result = try repo.apply(["owned/a.yaml": "a2\n", "owned/b.yaml": "b\n"]) { _ in "second" }
        let commit = try #require(result.commit)
        #expect(try git.text(["diff-tree", "--no-commit-id", "--name-only", "-r", commit]) == "owned/a.yaml\nowned/b.yaml")
        #expect(try git.text(["diff", "--cached", "--name-only"]) == "STAGED.md", "still staged, as the person left it")
        #expect(try git.text(["diff", "--name-only"]) == "", "the index holds the committed files")
        // And an apply that changes nothing in HEAD's tree still leaves the staging alone.
        try "a3\n".write(to: repo.root.appendingPathComponent("owned/a.yaml"), atomically: true, encoding: .utf8)
        let restored = try repo.apply(["owned/a.yaml": "a2\n", "owned/b.yaml": "b\n"]) { _ in "restore" }
        #expect(restored.commit == nil)
        #expect(try git.text(["diff", "--cached", "--name-only"]) == "STAGED.md")
    }

    /// After an apply the index is known to hold HEAD's tree, and owned files are read from the
    /// tree; a command that rewrites the index or moves HEAD ends that, so a file staged by hand
    /// in an owned folder is seen (and pruned) as before.
    @Test func ownedFilesComeFromTheIndexOnceSomeoneElseTouchedIt() throws {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        // An index that exists before the first apply is staged into by git, as every later
        // apply's is (a first apply into a new repository writes its own, see FirstCommitTests).
        try repo.initializeIfNeeded()
        try Git(root: repo.root).run(["read-tree", "--empty"])
        let first = try #require(try repo.apply(["owned/a.yaml": "a\n"]) { _ in "first" }.commit)
        _ = try repo.apply(["owned/a.yaml": "a\n", "owned/b.yaml": "b\n"]) { _ in "second" }
        #expect(try repo.ownedFiles(under: ["owned/"]) == ["owned/a.yaml", "owned/b.yaml"])
        let git = Git(root: repo.root)
        // Empty output when the index is not split.
        #expect(try git.text(["rev-parse", "--shared-index-path"]).contains("sharedindex."),
                "the index is split: a small apply writes only its changes")
        // HEAD moved back by hand; the index still holds b.
        try git.run(["update-ref", "HEAD", first])
        #expect(try repo.ownedFiles(under: ["owned/"]) == ["owned/a.yaml", "owned/b.yaml"])
        try git.run(["reset", "-q", "--hard", "HEAD"])
        _ = try repo.apply(["owned/a.yaml": "a2\n"]) { _ in "third" }
        // A file staged by hand in an owned folder is tracked, so the next apply prunes it.
        try "c\n".write(to: repo.root.appendingPathComponent("owned/c.yaml"), atomically: true, encoding: .utf8)
        try git.run(["add", "owned/c.yaml"])
        let pruned = try repo.apply(["owned/a.yaml": "a3\n"], scopes: ["owned/"]) { _ in "fourth" }
        #expect(pruned.change.removed == ["owned/c.yaml"])
        #expect(try git.text(["ls-files"]) == "owned/a.yaml")
    }

    /// An apply makes its commit through `git fast-import`; a large one is stored as one pack:
    /// git finds the repository sound, no loose object is written, the commit has the
    /// environment's identity, the scratch ref is gone, and a later small apply builds on it.
    @Test func largeApplyStoresObjectsInOnePack() throws {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo.root) }
        var desired: [String: String] = [:]
        for index in 0..<300 { desired["owned/t\(index % 7)/file-\(index).yaml"] = "index: \(index)\n" }
        desired["owned/odd/with space.yaml"] = "a\n"
        desired["owned/odd/with \"quote\".yaml"] = "b\n"
        desired["owned/odd/back\\slash.yaml"] = "c\n"
        let first = try repo.apply(desired) { "import \($0.added.count)" }
        let commit = try #require(first.commit)
        let git = Git(root: repo.root)
        #expect(try git.run(["fsck", "--full", "--no-dangling"]).status == 0)
        #expect(try git.text(["ls-files"]).split(separator: "\n").count == desired.count)
        #expect(try git.text(["show", "\(commit):owned/odd/with \"quote\".yaml"]) == "b")
        #expect(try git.run(["show-ref", "--verify", "-q", "refs/bulkhead/import"], allowFailure: true).status != 0)
        let loose = try git.text(["count-objects", "-v"]).split(separator: "\n").first { $0.hasPrefix("count: ") }
        #expect(loose == "count: 0", "blobs, trees and the commit are in the pack")
        #expect(try git.text(["log", "-1", "--format=%an <%ae>|%cn|%B", commit]) == "Test <test@example.com>|Test|import 303",
                "author, committer and message as a commit from the environment's identity")
        #expect(try git.text(["reflog", "-1", "--format=%gs"]) == "bulkhead apply")
        #expect(try git.text(["status", "--porcelain"]).isEmpty, "the index has the files' stat data")

        desired["owned/t0/file-0.yaml"] = "changed\n"
        desired["owned/odd/with space.yaml"] = nil
        let second = try repo.apply(desired) { "small \($0.changed.count)" }
        #expect(second.change == RepositoryChange(changed: ["owned/t0/file-0.yaml"], removed: ["owned/odd/with space.yaml"]))
        #expect(try git.text(["rev-parse", "HEAD~1"]) == commit)
        #expect(try git.run(["fsck", "--full", "--no-dangling"]).status == 0)
    }

    /// Each apply adds a pack (small imports are not unpacked into loose files); past the pack
    /// limit an apply rolls them up, and the repository stays sound. With no limit every commit
    /// keeps its pack, as a control.
    @Test func appliesRollTheirPacksUpPastTheLimit() throws {
        Self.setIdentity()
        let rolling = try Self.repository(packLimit: 3)
        let keeping = try Self.repository(packLimit: .max)
        defer { for repo in [rolling, keeping] { try? FileManager.default.removeItem(at: repo.root) } }
        var desired: [String: String] = [:]
        for index in 0..<20 { desired["owned/d\(index % 4)/f\(index).yaml"] = "file \(index)\n" }
        for round in 0..<8 {
            desired["owned/d1/f1.yaml"] = "round \(round)\n"
            for repo in [rolling, keeping] { #expect(try repo.apply(desired) { _ in "round \(round)" }.commit != nil) }
        }
        let kept = try Self.looseAndPacks(keeping), rolled = try Self.looseAndPacks(rolling)
        #expect(kept.loose == 0 && kept.packs == 8, "every commit keeps its own pack: \(kept)")
        #expect(rolled.loose == 0 && rolled.packs <= 3, "\(rolled)")
        let git = Git(root: rolling.root)
        #expect(try git.run(["fsck", "--full", "--no-dangling"]).status == 0)
        #expect(try git.text(["rev-list", "--count", "HEAD"]) == "8")
        #expect(try git.text(["show", "HEAD:owned/d1/f1.yaml"]) == "round 7")
        #expect(try git.text(["show", "HEAD~7:owned/d1/f1.yaml"]) == "round 0")
        #expect(try git.text(["status", "--porcelain"]).isEmpty)
    }

    /// The same in the background, as the server runs it: the apply returns first, and once the
    /// repack is done the packs are within the limit again.
    @Test func aBackgroundRepackRollsThePacksUpToo() throws {
        Self.setIdentity()
        var repo = try Self.repository(packLimit: 3)
        repo.repacksInBackground = true
        defer { try? FileManager.default.removeItem(at: repo.root) }
        var desired: [String: String] = [:]
        for index in 0..<20 { desired["owned/d\(index % 4)/f\(index).yaml"] = "file \(index)\n" }
        for round in 0..<9 {
            desired["owned/d1/f1.yaml"] = "round \(round)\n"
            #expect(try repo.apply(desired) { _ in "round \(round)" }.commit != nil)
            // The last round waits first, so its own check finds no repack running.
            if round == 7 { GitOpsRepository.waitForBackgroundRepack() }
        }
        GitOpsRepository.waitForBackgroundRepack()
        let packed = try Self.looseAndPacks(repo)
        #expect(packed.loose == 0 && packed.packs <= 3, "\(packed)")
        let git = Git(root: repo.root)
        #expect(try git.run(["fsck", "--full", "--no-dangling"]).status == 0)
        #expect(try git.text(["rev-list", "--count", "HEAD"]) == "9")
        #expect(try git.text(["show", "HEAD:owned/d1/f1.yaml"]) == "round 8")
    }

    /// Loose objects (commits made by hand, say) are packed by the next apply once there are more
    /// than the limit; with no limit they stay loose, as a control. The estimate samples one of
    /// 256 folders: with a limit of 0 it misses 5,000 objects only if none of them is in that
    /// folder, a chance of about 3 in a billion.
    @Test func anApplyPacksManyLooseObjects() throws {
        Self.setIdentity()
        let packing = try Self.repository(looseObjectLimit: 0)
        let keeping = try Self.repository(looseObjectLimit: .max)
        defer { for repo in [packing, keeping] { try? FileManager.default.removeItem(at: repo.root) } }
        var desired = ["owned/a.yaml": "a\n"]
        for repo in [packing, keeping] {
            #expect(try repo.apply(desired) { _ in "first" }.commit != nil)
            try Self.commitLooseObjects(5_000, in: repo)
        }
        desired["owned/a.yaml"] = "changed\n"
        for repo in [packing, keeping] { #expect(try repo.apply(desired) { _ in "second" }.commit != nil) }
        let kept = try Self.looseAndPacks(keeping), packed = try Self.looseAndPacks(packing)
        #expect(kept.loose >= 5_000, "the control keeps its objects loose: \(kept)")
        #expect(packed.loose == 0 && packed.packs >= 1, "\(packed)")
        let git = Git(root: packing.root)
        #expect(try git.run(["fsck", "--full", "--no-dangling"]).status == 0)
        #expect(try git.text(["show", "HEAD:owned/a.yaml"]) == "changed")
        #expect(try git.text(["show", "HEAD~1:owned/a.yaml"]) == "a")
    }

    /// A commit made beside Bulkhead's on `refs/heads/by-hand`, of `count` files, whose objects
    /// are all loose, as `git add` and `git commit` by hand would leave them.
    static func commitLooseObjects(_ count: Int, in repo: GitOpsRepository) throws {
        var stream = "commit refs/heads/by-hand\ncommitter Test <test@example.com> 0 +0000\ndata 4\nhand\n"
        for index in 0..<count {
            let text = "by hand \(index)\n"
            stream += "M 100644 inline hand/f\(index).txt\ndata \(text.utf8.count)\n\(text)\n"
        }
        stream += "done\n"
        try Git(root: repo.root).run(["-c", "fastimport.unpackLimit=100000", "fast-import", "--quiet", "--done"], input: Data(stream.utf8))
    }

    static func setIdentity() {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
    }

    /// git's own count of loose objects and packs.
    static func looseAndPacks(_ repo: GitOpsRepository) throws -> (loose: Int, packs: Int) {
        let lines = try Git(root: repo.root).text(["count-objects", "-v"]).split(separator: "\n")
        func value(_ name: String) -> Int { Int(lines.first { $0.hasPrefix("\(name): ") }?.dropFirst(name.count + 2) ?? "") ?? -1 }
        return (value("count"), value("packs"))
    }
}
