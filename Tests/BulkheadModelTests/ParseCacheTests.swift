@testable import BulkheadModel
import Foundation
import Testing

/// The parse cache kept on disk between CLI runs: what it stores rebuilds exactly what the parser
/// makes, only problem-free tenant files are stored, and a changed, damaged or foreign entry is
/// never used.
@Suite struct ParseCacheTests {
    /// Two tenants with every kind of field, a comment with non-ASCII text before the second
    /// document (so UTF-8 offsets differ from character offsets), and an end marker.
    static let richFile = """
        # tenants of the web team
        apiVersion: bulkhead.dev/v1alpha1
        kind: Tenant
        metadata:
          name: shop
        spec:
          tier: basic
          owners: [shop-admins, shop-devs]
          team: web
          costCenter: CC-1
          environments: [dev, prod]
          regions: [eu-west-1]
          dataClassification: pii
          quota: {requests.cpu: "3", pods: "40"}
          apps:
            - {name: api, port: 8080}
            - name: worker
              queue: {targetLength: 5, maxReplicas: 4}
          buckets: [assets, logs]
        --- # größer: the second tenant
        apiVersion: bulkhead.dev/v1alpha1
        kind: Tenant
        metadata:
          name: blog
        spec:
          tier: basic
          owners: [blog-admins]
          team: web
          costCenter: CC-2
          environments: [dev]
        ...

        """

    @Test func aStoredFileRebuildsWhatTheParserMade() throws {
        var parsed = DocumentSet()
        parsed.parse(file: "tenants/shop.yaml", text: Self.richFile)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.tenants.count == 2 && parsed.tenantSources.count == 2)
        let bytes = try #require(TenantFileCoding.encode(parsed, file: "tenants/shop.yaml", text: Self.richFile))
        let rebuilt = try #require(TenantFileCoding.decode(bytes, file: "tenants/shop.yaml", text: Self.richFile))
        #expect(rebuilt.tenants == parsed.tenants)
        #expect(rebuilt.declarations.map { "\($0.kind)/\($0.name)@\($0.location)" } == parsed.declarations.map { "\($0.kind)/\($0.name)@\($0.location)" })
        #expect(rebuilt.tenantReferences.map(Self.describe) == parsed.tenantReferences.map(Self.describe))
        #expect(rebuilt.tenantReferences.map(\.origin) == parsed.tenantReferences.map(\.origin))
        #expect(rebuilt.tenantSources.mapValues { "\($0.line)|\($0.text)" } == parsed.tenantSources.mapValues { "\($0.line)|\($0.text)" })
        #expect(rebuilt.problems.isEmpty && rebuilt.platforms.isEmpty && rebuilt.tiers.isEmpty && rebuilt.clusters.isEmpty)
        // Read back as another file, or against another text, it is refused.
        #expect(TenantFileCoding.decode(bytes, file: "tenants/other.yaml", text: Self.richFile) == nil)
        #expect(TenantFileCoding.decode(Array(bytes.dropLast()), file: "tenants/shop.yaml", text: Self.richFile) == nil)
        #expect(TenantFileCoding.decode(bytes, file: "tenants/shop.yaml", text: "short") == nil, "offsets beyond the text")
    }

    @Test func filesWithProblemsOrOtherKindsAreNotEncoded() {
        var tier = DocumentSet()
        tier.parse(file: "tiers.yaml", text: "apiVersion: bulkhead.dev/v1alpha1\nkind: Tier\nmetadata: {name: basic}\nspec: {isolation: shared}\n")
        #expect(TenantFileCoding.encode(tier, file: "tiers.yaml", text: "") == nil)
        var broken = DocumentSet()
        let text = Self.richFile.replacingOccurrences(of: "costCenter: CC-2", with: "costCentre: CC-2")
        broken.parse(file: "tenants/shop.yaml", text: text)
        #expect(!broken.problems.isEmpty)
        #expect(TenantFileCoding.encode(broken, file: "tenants/shop.yaml", text: text) == nil)
    }

    @Test func aSecondRunReadsTheStoreAndLoadsWhatAFreshLoadDoes() throws {
        let (platform, store) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: platform.deletingLastPathComponent()) }
        let first = ParseCache(folder: store, build: "b1")
        let fresh = try Self.load(platform, cache: nil)
        #expect(try Self.load(platform, cache: first).tenants == fresh.tenants)
        #expect(first.storedFilesRead == 0)
        // Only the tenant files are stored: the platform, cluster and tier files are parsed every time.
        let tenantFiles = try FileManager.default.contentsOfDirectory(atPath: platform.appendingPathComponent("tenants").path).count
        #expect(try Self.stored(store).count == tenantFiles)

        let second = ParseCache(folder: store, build: "b1")
        let reloaded = try Self.load(platform, cache: second)
        #expect(second.storedFilesRead == tenantFiles)
        #expect(reloaded.tenants == fresh.tenants)
        #expect(reloaded.tenantSources.mapValues { "\($0.line)|\($0.text)|\($0.valueHash)" } == fresh.tenantSources.mapValues { "\($0.line)|\($0.text)|\($0.valueHash)" })
    }

    /// A first apply loads before its repository exists: the cache is kept in memory, then saved,
    /// and the next run reads every tenant file from it.
    @Test func aCacheKeptInMemoryIsSavedForTheNextRun() throws {
        let (platform, store) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: platform.deletingLastPathComponent()) }
        let memory = ParseCache()
        let fresh = try Self.load(platform, cache: memory)
        #expect(!memory.isStored && !FileManager.default.fileExists(atPath: store.path))
        memory.save(to: store, build: "b1")
        let tenantFiles = try FileManager.default.contentsOfDirectory(atPath: platform.appendingPathComponent("tenants").path).count
        #expect(try Self.stored(store).count == tenantFiles)
        let next = ParseCache(folder: store, build: "b1")
        #expect(try Self.load(platform, cache: next).tenants == fresh.tenants)
        #expect(next.storedFilesRead == tenantFiles)
    }

    @Test func aChangedFileIsParsedAgainAndItsOldEntryPruned() throws {
        let (platform, store) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: platform.deletingLastPathComponent()) }
        let first = ParseCache(folder: store, build: "b1")
        _ = try Self.load(platform, cache: first)
        first.prune()
        let before = try Self.stored(store)
        let file = platform.appendingPathComponent("tenants/shop.yaml")
        try Self.richFile.replacingOccurrences(of: "requests.cpu: \"3\"", with: "requests.cpu: \"5\"").write(to: file, atomically: true, encoding: .utf8)

        let second = ParseCache(folder: store, build: "b1")
        let declaration = try Self.load(platform, cache: second)
        #expect(declaration.tenant(named: "shop")?.quota["requests.cpu"] == "5")
        #expect(second.storedFilesRead == before.count - 1)
        second.prune()
        let after = try Self.stored(store)
        #expect(after.count == before.count && after != before, "the changed file's entry replaced, not added")
    }

    @Test func aDamagedOrForeignStoreIsNotUsed() throws {
        let (platform, store) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: platform.deletingLastPathComponent()) }
        let fresh = try Self.load(platform, cache: nil)
        _ = try Self.load(platform, cache: ParseCache(folder: store, build: "b1"))
        for name in try Self.stored(store) {
            let url = store.appendingPathComponent(name)
            let bytes = try Data(contentsOf: url)
            try bytes.prefix(bytes.count / 2).write(to: url)
        }
        let damaged = ParseCache(folder: store, build: "b1")
        #expect(try Self.load(platform, cache: damaged).tenants == fresh.tenants)
        #expect(damaged.storedFilesRead == 0)

        // Another build neither reads the entries of this one nor keeps them.
        let other = ParseCache(folder: store, build: "b2")
        #expect(try Self.load(platform, cache: other).tenants == fresh.tenants)
        #expect(other.storedFilesRead == 0)
        other.prune()
        let third = ParseCache(folder: store, build: "b1")
        _ = try Self.load(platform, cache: third)
        #expect(third.storedFilesRead == 0)
    }

    // MARK: - In memory (the service's)

    @Test func aCachedLoadEqualsAFreshOne() throws {
        let sources = try Self.example
        let cache = ParseCache()
        let fresh = DeclarationLoader.load(sources: sources)
        let first = DeclarationLoader.load(sources: sources, cache: cache)
        let second = DeclarationLoader.load(sources: sources, cache: cache)
        #expect(fresh.problems == second.problems && first.problems == second.problems)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let freshTenants = try encoder.encode(try #require(fresh.declaration).tenants)
        #expect(try encoder.encode(try #require(second.declaration).tenants) == freshTenants)
        #expect(try encoder.encode(try #require(second.declaration).clusters) == encoder.encode(try #require(fresh.declaration).clusters))
    }

    @Test func aChangedFileIsParsedAgain() throws {
        var sources = try Self.example
        let cache = ParseCache()
        _ = DeclarationLoader.load(sources: sources, cache: cache)
        let index = try #require(sources.firstIndex { $0.text.contains("kind: Tenant") && $0.text.contains("team: ") })
        let team = try #require(sources[index].text.range(of: #"team: [a-z-]+"#, options: .regularExpression))
        sources[index].text.replaceSubrange(team, with: "team: renamed-team")
        let changed = DeclarationLoader.load(sources: sources, cache: cache)
        #expect(changed.declaration?.tenants.contains { $0.team == "renamed-team" } == true)
        sources[index].text += "\nnot: [valid"
        #expect(!DeclarationLoader.load(sources: sources, cache: cache).errors.isEmpty, "a broken file is reported, not served from the cache")
    }

    // MARK: - Helpers

    static var exampleFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/acme")
    }

    static var example: [(name: String, text: String)] {
        get throws {
            try DeclarationLoader.declarationFiles(in: exampleFolder).map { ($0, try String(contentsOf: exampleFolder.appendingPathComponent($0), encoding: .utf8)) }
        }
    }

    static func describe(_ references: TenantReferences) -> String {
        "\(references.name) \(references.tier ?? "-") \(references.regions.map { "\($0.index)=\($0.name)" })"
    }

    /// A copy of the example platform with `richFile` added, and an empty store folder.
    static func folders() throws -> (platform: URL, store: URL) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("parse-cache-\(UUID().uuidString)")
        let platform = work.appendingPathComponent("platform")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: exampleFolder, to: platform)
        try? FileManager.default.removeItem(at: platform.appendingPathComponent("policies"))
        try richFile.write(to: platform.appendingPathComponent("tenants/shop.yaml"), atomically: true, encoding: .utf8)
        return (platform, work.appendingPathComponent("store"))
    }

    static func load(_ platform: URL, cache: ParseCache?) throws -> PlatformDeclaration {
        let result = try DeclarationLoader.load(folder: platform, displayPrefix: "", cache: cache)
        return try #require(result.declaration, "\(result.errors)")
    }

    /// The stored files' names, sorted.
    static func stored(_ store: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.path).sorted()
    }
}
