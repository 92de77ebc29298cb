import BulkheadGitOps
import Foundation
import Testing

/// The repository writer on its own, with real git and a simple ownership rule.
@Suite struct GitOpsRepositoryTests {
    static func repository() throws -> GitOpsRepository {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-test-\(UUID().uuidString)")
        return GitOpsRepository(root: root, isOwned: { $0.hasPrefix("owned/") })
    }


    @Test func changeSetComparesBytesAndFindsRemovals() {
        let change = RepositoryChange.compute(desired: ["a": "1", "b": "2", "c": "3"], owned: ["a", "b", "d"]) { path in
            ["a": Array("1".utf8), "b": Array("x".utf8)][path]
        }
        #expect(change == RepositoryChange(added: ["c"], changed: ["b"], removed: ["d"]))
    }

    @Test func appliesCommitsOnceAndPrunesOnlyOwnedFiles() throws {
        setenv("GIT_AUTHOR_NAME", "Test", 1); setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1)
        setenv("GIT_COMMITTER_NAME", "Test", 1); setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1)
        let repo = try Self.repository()
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
}
