import Foundation
import Testing

/// `bulkhead apply` end to end against real git: determinism, idempotence, pruning, and that
/// bad input or failed placement writes nothing.
@Suite(.serialized) struct ApplyTests {
    /// `bulkhead apply --repo gitops` run inside the platform folder (its default) puts the
    /// repository there; its rendered files must not be read back as declarations next time.
    /// Commands that only read the service's database (or revoke in it) refuse a database that
    /// does not exist: a mistyped --repo must not pass as an intact, empty audit trail.
    @Test func readingCommandsNeedAnExistingDatabase() throws {
        let missing = try CLI.temporaryFolder().appendingPathComponent("no-such-repo")
        for arguments in [["audit-log", "verify"], ["audit-log", "export"], ["token", "list"], ["token", "revoke", "tok_000000000000"]] {
            let run = try CLI.run(CLI.binary.path, arguments + ["--repo", missing.path])
            #expect(run.status == 2 && run.stderr.contains("no database at"), "\(arguments): \(run.stdout)\(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing.path + ".bulkhead.sqlite"), "nothing is created")
    }

    /// `token create` refuses a binding no tenant could match, and creates no database for it;
    /// a tenant not declared yet is allowed (a token made ahead of onboarding).
    @Test func tokenCreateRefusesTenantNamesNoTenantCanHave() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        for bad in ["Web", "web_ci", "web-", String(repeating: "a", count: 64)] {
            let run = try CLI.run(CLI.binary.path, ["token", "create", "--repo", repo.path, "--name", "ci", "--role", "tenant-admin", "--tenant", "web", "--tenant", bad])
            #expect(run.status == 2 && run.stderr.contains("--tenant '\(bad)' cannot name a tenant") && run.stderr.contains("DNS labels"), "\(bad): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: repo.path + ".bulkhead.sqlite"), "nothing is created")
        let ahead = try CLI.run(CLI.binary.path, ["token", "create", "--repo", repo.path, "--name", "ci", "--role", "tenant-admin", "--tenant", "not-onboarded-yet"])
        #expect(ahead.status == 0 && ahead.stdout.contains("tenant-admin of not-onboarded-yet"), "\(ahead.stderr)")
    }

    @Test func aRepositoryInsideThePlatformFolderIsNotReadAsDeclarations() throws {
        let platform = try CLI.copyOfExample()
        let first = try CLI.bulkhead("apply", "--repo", "gitops", in: platform)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLI.bulkhead("apply", "--repo", "gitops", in: platform)
        #expect(second.status == 0 && second.stdout.contains("No changes"), "\(second.stdout)\n\(second.stderr)")
        #expect(try CLI.bulkhead("validate", in: platform).stdout.contains("14 tenants"))
    }

    @Test func firstApplyCreatesTheRepositoryWithOneCommit() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try CLI.git(repo, "rev-list", "--count", "HEAD") == "1")
        #expect(try CLI.git(repo, "status", "--porcelain") == "")
        let message = try CLI.git(repo, "log", "-1", "--format=%B")
        #expect(message.hasPrefix("bulkhead apply acme: "))
        #expect(message.contains("prod-use1-phi1:\n  argocd: added"))
        #expect(message.contains("  tenant acme-health: added"))
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent("bulkhead.lock").path))
    }

    @Test func secondApplyChangesNothingAndMakesNoCommit() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        let before = try CLI.snapshot(repo)
        let head = try CLI.git(repo, "rev-parse", "HEAD")
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(run.status == 0)
        #expect(run.stdout.contains("No changes"))
        #expect(try CLI.git(repo, "rev-parse", "HEAD") == head)
        #expect(try CLI.snapshot(repo) == before)
    }

    @Test func twoFreshRepositoriesAreIdentical() throws {
        let a = try CLI.temporaryFolder().appendingPathComponent("a"), b = try CLI.temporaryFolder().appendingPathComponent("b")
        try CLI.bulkhead("apply", CLI.example.path, "--repo", a.path)
        try CLI.bulkhead("apply", CLI.example.path, "--repo", b.path)
        let first = try CLI.snapshot(a)
        #expect(first.count > 100)
        #expect(first == (try CLI.snapshot(b)))
        #expect(try CLI.git(a, "rev-parse", "HEAD^{tree}") == CLI.git(b, "rev-parse", "HEAD^{tree}"))
    }

    @Test func removingATenantPrunesOnlyItsFilesAndKeepsHandWrittenOnes() throws {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        try "# Our GitOps repository\n".write(to: repo.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try "notes\n".write(to: repo.appendingPathComponent("clusters/prod-euw1-1/NOTES.txt"), atomically: true, encoding: .utf8)
        _ = try CLI.git(repo, "add", "README.md", "clusters/prod-euw1-1/NOTES.txt")
        _ = try CLI.git(repo, "commit", "-qm", "hand-written files")
        try FileManager.default.removeItem(at: platform.appendingPathComponent("tenants/docs.yaml"))
        let run = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        let files = try CLI.snapshot(repo)
        #expect(!files.keys.contains { $0.contains("/tenants/docs/") })
        #expect(!FileManager.default.fileExists(atPath: repo.appendingPathComponent("clusters/prod-euw1-1/tenants/docs").path))
        #expect(files["README.md"] != nil && files["clusters/prod-euw1-1/NOTES.txt"] != nil)
        #expect(try CLI.git(repo, "rev-list", "--count", "HEAD") == "3")
        let message = try CLI.git(repo, "log", "-1", "--format=%B")
        #expect(message.contains("  tenant docs: removed"))
        #expect(try CLI.git(repo, "status", "--porcelain") == "")
    }

    @Test func iamFilesInTheEarlierSubfolderAreMovedBesideTheBundle() throws {
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        let expected = try CLI.snapshot(repo)
        // The layout earlier versions wrote: the IAM documents in `iam/` under the tenant folder.
        let folder = "clusters/prod-euw1-1/tenants/catalog"
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("\(folder)/iam"), withIntermediateDirectories: true)
        for file in ["trust-policy.json", "permissions-policy.json"] {
            _ = try CLI.git(repo, "mv", "\(folder)/\(file)", "\(folder)/iam/\(file)")
        }
        _ = try CLI.git(repo, "commit", "-qm", "the earlier layout")
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", repo.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try CLI.snapshot(repo) == expected)
        #expect(!FileManager.default.fileExists(atPath: repo.appendingPathComponent("\(folder)/iam").path))
        #expect(try CLI.git(repo, "status", "--porcelain") == "")
    }

    @Test func aChangedQuotaTouchesOnlyThatTenantsFiles() throws {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        try CLI.replace(in: platform.appendingPathComponent("tenants/search.yaml"), "{requests.cpu: \"24\"}", with: "{requests.cpu: \"20\"}")
        let plan = try CLI.bulkhead("plan", platform.path, "--repo", repo.path, "--output", "json")
        #expect(plan.status == 0)
        let changed = try CLI.git(repo, "status", "--porcelain")
        #expect(changed == "", "plan wrote something")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        let paths = try CLI.git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split(separator: "\n")
        #expect(!paths.isEmpty)
        #expect(paths.allSatisfy { $0.hasSuffix("/tenants/search/bundle.yaml") })
    }

    @Test func invalidDeclarationWritesNothing() throws {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        let before = try CLI.snapshot(repo)
        let head = try CLI.git(repo, "rev-parse", "HEAD")
        try CLI.replace(in: platform.appendingPathComponent("tenants/web.yaml"), "tier: basic", with: "tier: basik")
        let run = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("tenants/web.yaml:7:9: error: spec.tier: tier 'basik' is not declared; did you mean 'basic'?"))
        #expect(run.stderr.contains("nothing was written"))
        #expect(try CLI.snapshot(repo) == before)
        #expect(try CLI.git(repo, "rev-parse", "HEAD") == head)
        // A repository that does not exist yet is not even created.
        let fresh = try CLI.temporaryFolder().appendingPathComponent("never")
        #expect(try CLI.bulkhead("apply", platform.path, "--repo", fresh.path).status == 1)
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
    }

    @Test func aTenantThatCannotBePlacedFailsWithReasonsAndWritesNothing() throws {
        let platform = try CLI.copyOfExample()
        try CLI.replace(in: platform.appendingPathComponent("tenants/search.yaml"), "{requests.cpu: \"24\"}", with: "{requests.cpu: \"5000\"}")
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        let run = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("tenant 'search' cannot be placed in prod/us-east-1"))
        #expect(run.stderr.contains("prod-use1-2: needs 5000 cpu"))
        #expect(!FileManager.default.fileExists(atPath: repo.path))
    }

    @Test func replaceMovesOneTenantOnPurpose() throws {
        let platform = try CLI.copyOfExample()
        let repo = try CLI.temporaryFolder().appendingPathComponent("gitops")
        try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        let lock = try String(contentsOf: repo.appendingPathComponent("bulkhead.lock"), encoding: .utf8)
        // prod-use1-2 shrinks below what is placed there; without --replace everyone stays (with a warning).
        try CLI.replace(in: platform.appendingPathComponent("clusters.yaml"), "capacity: {cpu: \"384\", memory: 1536Gi", with: "capacity: {cpu: \"40\", memory: 1536Gi")
        let kept = try CLI.bulkhead("apply", platform.path, "--repo", repo.path)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stderr.contains("holds more than its budget"))
        #expect(try String(contentsOf: repo.appendingPathComponent("bulkhead.lock"), encoding: .utf8) == lock)
        let moved = try CLI.bulkhead("apply", platform.path, "--repo", repo.path, "--replace", "search")
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.contains("search  prod/us-east-1  ->  prod-use1-1"))
        #expect(try CLI.bulkhead("apply", platform.path, "--repo", repo.path, "--replace", "nobody").status == 2)
    }
}

/// Exit codes, JSON output and explain.
@Suite struct CommandLineTests {
    @Test func exitCodes() throws {
        #expect(try CLI.bulkhead("validate", CLI.example.path).status == 0)
        #expect(try CLI.bulkhead("validate", "/nonexistent/platform").status == 2)
        #expect(try CLI.bulkhead("validate", "--no-such-flag").status == 2)
        #expect(try CLI.bulkhead("apply", CLI.example.path).status == 2, "--repo is required")
        let empty = try CLI.temporaryFolder()
        let run = try CLI.bulkhead("validate", empty.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("no declaration files found"))
    }

    @Test func validateAsJSONListsProblemsAsData() throws {
        let platform = try CLI.copyOfExample()
        try CLI.replace(in: platform.appendingPathComponent("tenants/web.yaml"), "team: marketing", with: "teem: marketing")
        let run = try CLI.bulkhead("validate", platform.path, "--output", "json")
        #expect(run.status == 1)
        struct Report: Decodable {
            struct Problem: Decodable {
                struct Location: Decodable { var file: String; var line: Int; var column: Int }
                var code: String; var path: String; var message: String; var location: Location?
            }
            var valid: Bool; var problems: [Problem]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(!report.valid)
        #expect(report.problems.contains { $0.code == "unknown-field" && $0.path == "spec.teem" && $0.message.contains("did you mean 'team'") && $0.location?.line == 9 })
        // The suggestion already names the field, so it is not reported missing a second time.
        #expect(!report.problems.contains { $0.path == "spec.team" })
    }

    @Test func explainGivesReasonsAndObjects() throws {
        let run = try CLI.bulkhead("explain", "payments", CLI.example.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("prod/us-east-1 -> prod-use1-2"))
        #expect(run.stdout.contains("best fit"))
        #expect(run.stdout.contains("NetworkPolicy/payments/default-deny"))
        // As data: one object list per cluster the tenant is placed on, each with its namespace.
        let json = try CLI.bulkhead("explain", "payments", CLI.example.path, "--output", "json")
        let explanation = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let placements = try #require(explanation["placements"] as? [[String: Any]])
        let objects = try #require(explanation["objects"] as? [String: [String]])
        #expect(Set(objects.keys) == Set(placements.compactMap { $0["cluster"] as? String }))
        #expect(placements.count >= 2)
        for references in objects.values {
            #expect(references.contains("Namespace/payments") && references.contains("ResourceQuota/payments/tenant-quota"), "\(references)")
        }
        #expect(try CLI.bulkhead("explain", "nobody", CLI.example.path).status == 2)
    }

    @Test func helpTeachesWithExamples() throws {
        let run = try CLI.bulkhead("apply", "--help")
        #expect(run.status == 0)
        #expect(run.stdout.contains("bulkhead apply examples/acme --repo out/gitops"))
        #expect(try CLI.bulkhead("--generate-completion-script", "bash").stdout.contains("bulkhead"))
    }
}
