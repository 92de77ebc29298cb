import BulkheadGitOps
import BulkheadRender
import Foundation
import Testing

/// Kills `bulkhead apply` at points inside the write and checks that, once the interruption is
/// recovered (as the next apply does first), the repository is exactly at the old or the new commit.
@Suite(.serialized) struct CrashSafetyTests {
    /// A repository at the example's state, and a changed platform to apply on top.
    static func prepare() throws -> (platform: URL, repo: URL, oldHead: String) {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        try FileManager.default.removeItem(at: platform.appendingPathComponent("tenants/docs.yaml"))
        try CLI.replace(in: platform.appendingPathComponent("tenants/search.yaml"), "{requests.cpu: \"24\"}", with: "{requests.cpu: \"20\"}")
        return (platform, repo, try CLI.git(repo, "rev-parse", "HEAD"))
    }

    /// Recovers, then checks the working tree, index and HEAD agree with one commit, old or new.
    static func expectOldOrNew(_ repo: URL, oldHead: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try GitOpsRepository(root: repo, isOwned: RepositoryLayout.isOwned).recoverIfInterrupted()
        let head = try CLI.git(repo, "rev-parse", "HEAD")
        let status = try CLI.git(repo, "status", "--porcelain", "--untracked-files=all")
        #expect(status == "", "working tree differs from HEAD after recovery:\n\(status)", sourceLocation: sourceLocation)
        if head != oldHead {
            #expect(try CLI.git(repo, "rev-parse", "HEAD~1") == oldHead, "HEAD moved by more than one commit", sourceLocation: sourceLocation)
        }
        return head
    }

    static let points = ["after-journal", "after-first-file", "after-write", "before-commit-point", "after-commit-point"]

    @Test(arguments: points)
    func killedAtAPointLeavesOldOrNewState(point: String) throws {
        let (platform, repo, oldHead) = try Self.prepare()
        let killed = try CLI.bulkhead("apply", platform.path, "--repo", repo.path, environment: ["BULKHEAD_FAULT": point])
        #expect(killed.killed, "the fault point \(point) was not reached")
        let head = try Self.expectOldOrNew(repo, oldHead: oldHead)
        #expect((head != oldHead) == (point == "after-commit-point"), "only a kill after the commit point keeps the new commit")
        // The next apply finishes the job with exactly one commit in all.
        #expect(try CLI.bulkhead("apply", platform.path, "--repo", repo.path).status == 0)
        #expect(try CLI.git(repo, "rev-list", "--count", "\(oldHead)..HEAD") == "1")
        let fresh = try CLI.temporaryFolder().appendingPathComponent("fresh")
        try CLI.bulkhead("apply", platform.path, "--repo", fresh.path)
        #expect(try CLI.git(repo, "rev-parse", "HEAD^{tree}") == CLI.git(fresh, "rev-parse", "HEAD^{tree}"))
    }

    @Test func killedAtRandomMomentsLeavesOldOrNewState() throws {
        let delays: [useconds_t] = [20_000, 80_000, 150_000, 300_000, 600_000, 1_000_000]
        for delay in delays {
            let (platform, repo, oldHead) = try Self.prepare()
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["apply", platform.path, "--repo", repo.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            _ = try Self.expectOldOrNew(repo, oldHead: oldHead)
        }
    }
}
