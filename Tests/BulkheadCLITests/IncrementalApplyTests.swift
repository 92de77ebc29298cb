import Foundation
import Testing

/// Incremental applies (render state in `.git/bulkhead/`) must leave exactly the repository a
/// fresh apply of the same declaration gives, and must notice files changed behind their back.
@Suite(.serialized) struct IncrementalApplyTests {
    static func tree(_ repo: URL) throws -> String { try CLI.git(repo, "rev-parse", "HEAD^{tree}") }

    static func freshTree(of platform: URL) throws -> String {
        let repo = try CLI.temporaryFolder().appendingPathComponent("fresh")
        let run = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        return try tree(repo)
    }

    @Test func aSeriesOfIncrementalAppliesEndsWhereAFreshApplyDoes() throws {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        #expect(try CLI.bulkhead("apply", platform.path, "--repo", repo.path).status == 0)
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent(".git/bulkhead/render-state").path))
        let edits: [(file: String, old: String, new: String)] = [
            ("tenants/search.yaml", "{requests.cpu: \"24\"}", "{requests.cpu: \"20\"}"),
            ("clusters.yaml", "kubernetesVersion: \"1.33\"", "kubernetesVersion: \"1.34\""),
            ("tenants/docs.yaml", "name: docs", "name: docs2"),
        ]
        for edit in edits {
            try CLI.replace(in: platform.appendingPathComponent(edit.file), edit.old, with: edit.new)
            let run = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
            #expect(run.status == 0, "\(edit.file): \(run.stderr)")
            #expect(try CLI.git(repo, "status", "--porcelain") == "")
            #expect(try Self.tree(repo) == (try Self.freshTree(of: platform)), "after editing \(edit.file)")
        }
        #expect(try CLI.git(repo, "rev-list", "--count", "HEAD") == "4")
    }

    @Test func filesEditedOrDeletedByHandAreRestoredWithoutAnEmptyCommit() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        #expect(try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path).status == 0)
        let head = try CLI.git(repo, "rev-parse", "HEAD")
        let bundle = repo.appendingPathComponent("clusters/prod-use1-2/tenants/payments/bundle.yaml")
        let original = try Data(contentsOf: bundle)
        try Data("# edited by hand\n".utf8).write(to: bundle)
        try FileManager.default.removeItem(at: repo.appendingPathComponent("clusters/prod-use1-2/argocd/argocd.yaml"))
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Data(contentsOf: bundle) == original)
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent("clusters/prod-use1-2/argocd/argocd.yaml").path))
        #expect(try CLI.git(repo, "rev-parse", "HEAD") == head)
        #expect(try CLI.git(repo, "status", "--porcelain") == "")
    }

    /// A copied repository has new timestamps and inodes on every file, so git's index no longer
    /// vouches for any of them; that alone must not count as drift and re-render every unit.
    @Test func aCopiedRepositoryStillRendersOnlyWhatChanged() throws {
        let platform = try CLI.copyOfExample()
        let original = try CLI.temporaryFolder().appendingPathComponent("gitops")
        #expect(try CLI.bulkhead("apply", platform.path, "--repo", original.path).status == 0)
        let copy = original.deletingLastPathComponent().appendingPathComponent("copied")
        // Later timestamps than the index recorded, as a backup restored a minute on would have.
        Thread.sleep(forTimeInterval: 1.1)
        try FileManager.default.copyItem(at: original, to: copy)
        #expect(try CLI.git(copy, "diff-files", "--name-only") != "", "the copy should look stat-dirty to git before the apply")
        try CLI.replace(in: platform.appendingPathComponent("tenants/search.yaml"), "{requests.cpu: \"24\"}", with: "{requests.cpu: \"20\"}")
        let run = try CLI.bulkhead("apply", platform.path, "--repo", copy.path, environment: ["BULKHEAD_TIMINGS": "1"])
        #expect(run.status == 0, "\(run.stderr)")
        let note = run.stderr.split(separator: "\n").first { $0.contains("timing note: rendering") }.map(String.init) ?? ""
        #expect(note.hasPrefix("timing note: rendering ") && !note.contains("every unit"), "\(note)")
        let count = Int(note.dropFirst("timing note: rendering ".count).prefix { $0.isNumber }) ?? -1
        #expect((1...6).contains(count), "a one-tenant quota change renders its tenant units and clusters, not \(note)")
        #expect(try CLI.git(copy, "status", "--porcelain") == "")
        #expect(try Self.tree(copy) == (try Self.freshTree(of: platform)))
    }

    /// A removed platform policy and a removed webhook leave no files behind (a removed cluster
    /// goes through the same ownership rule, checked for every rendered file in RepositoryOwnershipTests).
    @Test func removedPoliciesAndTheWebhookArePruned() throws {
        let platform = try CLI.copyOfExample()
        // caBundle: base64 of a PEM block (the loader checks the shape, not the certificate).
        let webhook = "  webhook: {caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=}\n"
        try CLI.replace(in: platform.appendingPathComponent("platform.yaml"), "spec:\n", with: "spec:\n" + webhook)
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        let first = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try CLI.git(repo, "ls-files", "clusters/prod-use1-1/platform/policies/acme-no-latest-tag.yaml", "clusters/prod-use1-1/platform/webhook.yaml")
            .split(separator: "\n").count == 2)
        try FileManager.default.removeItem(at: platform.appendingPathComponent("policies/no-latest-tag.yaml"))
        try CLI.replace(in: platform.appendingPathComponent("platform.yaml"), webhook, with: "")
        let second = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try CLI.git(repo, "ls-files", "*no-latest-tag*", "*webhook.yaml") == "")
        #expect(try Self.tree(repo) == (try Self.freshTree(of: platform)))
    }

    @Test func aHandMadeCommitIsNotTrustedAndGetsOverwritten() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        #expect(try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path).status == 0)
        let tree = try Self.tree(repo)
        let bundle = repo.appendingPathComponent("clusters/prod-use1-2/tenants/payments/bundle.yaml")
        try Data("# committed by hand\n".utf8).write(to: bundle)
        _ = try CLI.git(repo, "commit", "-qam", "hand edit")
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.tree(repo) == tree)
        #expect(try CLI.git(repo, "rev-list", "--count", "HEAD") == "3")
    }

    @Test func aDamagedStateFileOnlyCostsAFullRender() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        #expect(try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path).status == 0)
        try Data("garbage\n".utf8).write(to: repo.appendingPathComponent(".git/bulkhead/render-state"))
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("No changes"))
        #expect(try CLI.git(repo, "rev-list", "--count", "HEAD") == "1")
    }
}
