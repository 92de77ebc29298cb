@testable import BulkheadModel
@testable import BulkheadRender
import Foundation
import Testing

/// Golden files: the rendered `examples/acme` must match `Snapshots/acme/` byte for byte.
/// Re-record with `BULKHEAD_RECORD_SNAPSHOTS=1 swift test --filter ExampleSnapshot`; a recording
/// run fails on purpose so it is never mistaken for a pass.
@Suite struct ExampleSnapshotTests {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    static let snapshots = testsFolder.appendingPathComponent("Snapshots/acme")

    static func load() throws -> DeclarationLoader.Result {
        try DeclarationLoader.load(folder: repositoryRoot.appendingPathComponent("examples/acme"), displayPrefix: "examples/acme")
    }

    static func renderExample() throws -> RenderedRepository {
        let result = try load()
        let declaration = try #require(result.declaration, "examples/acme must be valid: \(result.errors)")
        let policies = try PlatformPolicies.load(folder: repositoryRoot.appendingPathComponent("examples/acme"), displayPrefix: "examples/acme")
        #expect(policies.problems.isEmpty, "examples/acme/policies must load cleanly: \(policies.problems)")
        return try RepositoryRenderer.render(declaration, lock: PlacementLock(), policies: policies.policies)
    }

    @Test func renderedExampleMatchesGoldenFiles() throws {
        let rendered = try Self.renderExample()
        if ProcessInfo.processInfo.environment["BULKHEAD_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.removeItem(at: Self.snapshots)
            for (path, contents) in rendered.files {
                let url = Self.snapshots.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: url)
            }
            Issue.record("Recorded \(rendered.files.count) snapshot files; run again without BULKHEAD_RECORD_SNAPSHOTS to check them.")
            return
        }
        var recorded: Set<String> = []
        let base = Self.snapshots.standardizedFileURL.path + "/"
        let walker = FileManager.default.enumerator(at: Self.snapshots, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                recorded.insert(String(url.standardizedFileURL.path.dropFirst(base.count)))
            }
        }
        #expect(!recorded.isEmpty, "no snapshots recorded; run with BULKHEAD_RECORD_SNAPSHOTS=1")
        #expect(Set(rendered.files.keys) == recorded, "files added: \(Set(rendered.files.keys).subtracting(recorded).sorted()), missing: \(recorded.subtracting(rendered.files.keys).sorted())")
        for (path, contents) in rendered.files.sorted(by: { $0.key < $1.key }) where recorded.contains(path) {
            let expected = try String(contentsOf: Self.snapshots.appendingPathComponent(path), encoding: .utf8)
            #expect(contents == expected, "\(path) differs from its snapshot")
        }
    }

    @Test func renderingTwiceGivesIdenticalFiles() throws {
        #expect(try Self.renderExample().files == Self.renderExample().files)
    }

    @Test func renderingTenantsInSlicesOfOneGivesTheSameResult() throws {
        let declaration = try #require(try Self.load().declaration)
        let policies = try PlatformPolicies.load(folder: Self.repositoryRoot.appendingPathComponent("examples/acme"), displayPrefix: "examples/acme")
        let placement = try RepositoryRenderer.place(declaration, lock: PlacementLock())
        let whole = try RepositoryRenderer.render(declaration, placement: placement, units: .all, policies: policies.policies, tenantsPerWorkItem: 128)
        let sliced = try RepositoryRenderer.render(declaration, placement: placement, units: .all, policies: policies.policies, tenantsPerWorkItem: 1)
        #expect(!whole.findings.isEmpty)
        #expect(sliced.files == whole.files)
        #expect(sliced.findings == whole.findings)
        #expect(sliced.units == whole.units)
        #expect(sliced.warnings == whole.warnings && sliced.unitWarnings == whole.unitWarnings)
    }

    @Test func exampleCoversWhatTheIssueAsksFor() throws {
        let rendered = try Self.renderExample()
        let result = try DeclarationLoader.load(folder: Self.repositoryRoot.appendingPathComponent("examples/acme"))
        let declaration = try #require(result.declaration)
        #expect(Set(declaration.clusters.map(\.environment)) == Set(Environment.allCases))
        #expect(Set(declaration.clusters.map(\.region)).count >= 2)
        #expect(declaration.clusters.contains { $0.location == .localZone })
        #expect(declaration.clusters.contains { $0.location == .hybrid })
        #expect(declaration.clusters.contains { $0.dedicatedTo != nil })
        #expect(declaration.tenants.count >= 10)
        #expect(declaration.tenants.contains { $0.dataClassification == .phi })
        #expect(declaration.tenants.contains { $0.apps.contains { $0.queue != nil } })
        #expect(declaration.tenants.contains { !$0.buckets.isEmpty })
        #expect(declaration.tenants.contains { !$0.quota.isEmpty })
        // Hybrid clusters get no EC2 node objects.
        for cluster in declaration.clusters where cluster.location == .hybrid {
            #expect(rendered.files["clusters/\(cluster.name)/platform/nodes.yaml"] == nil)
        }
    }
}

/// Pruning removes only owned files, so every file the renderer can write must be owned, or it
/// would stay in the repository after its policy, webhook or cluster is gone.
@Suite struct RepositoryOwnershipTests {
    @Test func everyRenderedFileIsOwned() throws {
        let result = try ExampleSnapshotTests.load()
        var declaration = try #require(result.declaration)
        declaration.platform.webhook = WebhookSettings(caBundle: "Y2E=")
        declaration.platform.policyEngine = .kyverno
        let policies = try PlatformPolicies.load(folder: ExampleSnapshotTests.repositoryRoot.appendingPathComponent("examples/acme"), displayPrefix: "")
        let rendered = try RepositoryRenderer.render(declaration, lock: PlacementLock(), policies: policies.policies)
        #expect(rendered.files.keys.contains { $0.hasSuffix("/platform/webhook.yaml") })
        #expect(rendered.files.keys.contains { $0.contains("/platform/policies/acme-no-latest-tag") })
        for path in rendered.files.keys.sorted() {
            #expect(RepositoryLayout.isOwned(path), "\(path) is rendered but not owned, so it could never be pruned")
        }
        for path in ["README.md", "clusters/x/README.md", "clusters/x/platform/notes.txt", "clusters/x/platform/policies/notes.md", "clusters/x/tenants/t/app.yaml"] {
            #expect(!RepositoryLayout.isOwned(path), "\(path) is not Bulkhead's")
        }
    }
}
