import BulkheadModel
import Foundation
import Testing

/// A parse cache gives what a fresh load gives, and never a stale file.
@Suite struct ParseCacheTests {
    static var example: [(name: String, text: String)] {
        get throws {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/acme").standardizedFileURL
            return try DeclarationLoader.declarationFiles(in: folder).map { ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
        }
    }

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
}
