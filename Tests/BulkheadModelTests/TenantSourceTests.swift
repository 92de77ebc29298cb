@testable import BulkheadModel
import Foundation
import Testing

/// Each loaded tenant keeps the text of its document (`TenantSource`), split from its file by
/// document markers; files that text alone might not describe get none.
@Suite struct TenantSourceTests {
    static func tenant(_ name: String, cpu: String = "2") -> String {
        """
        apiVersion: bulkhead.dev/v1alpha1
        kind: Tenant
        metadata:
          name: \(name)
        spec:
          tier: basic
          owners: [team-\(name)]
          team: team-\(name)
          costCenter: CC-1
          environments: [dev]
          dataClassification: internal
          quota: {requests.cpu: "\(cpu)"}

        """
    }

    /// The example platform with only its silo tenant (a cluster is dedicated to it), plus `files`.
    static func load(_ files: [(String, String)]) throws -> PlatformDeclaration {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/acme")
        var sources: [(name: String, text: String)] = []
        for name in ["platform.yaml", "clusters.yaml", "tiers.yaml", "tenants/acme-health.yaml"] {
            sources.append((name, try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)))
        }
        let result = DeclarationLoader.load(sources: sources + files.map { (name: $0.0, text: $0.1) })
        return try #require(result.declaration, "\(result.errors)")
    }

    @Test func eachTenantOfAStreamGetsItsOwnDocument() throws {
        let text = "# leading comment\n" + Self.tenant("alpha") + "---\n" + Self.tenant("beta") + "--- # third\n" + Self.tenant("gamma") + "...\n"
        let declaration = try Self.load([("tenants.yaml", text)])
        let alpha = try #require(declaration.tenantSources["alpha"])
        let beta = try #require(declaration.tenantSources["beta"])
        let gamma = try #require(declaration.tenantSources["gamma"])
        #expect(alpha.line == 1 && alpha.text.hasPrefix("# leading comment\napiVersion") && alpha.text.hasSuffix("\"2\"}\n"))
        #expect(beta.line == 14 && beta.text == "---\n" + Self.tenant("beta"))
        #expect(gamma.line == 27 && gamma.text == "--- # third\n" + Self.tenant("gamma"), "the end marker starts a chunk of its own")
        for tenant in declaration.tenants {
            let source = try #require(declaration.tenantSources[tenant.name])
            #expect(source.describes(tenant))
            #expect(source.text.components(separatedBy: "kind: Tenant").count == 2)
        }
    }

    @Test func aTenantChangedAfterLoadingNoLongerMatchesItsSource() throws {
        var declaration = try Self.load([("a.yaml", Self.tenant("alpha"))])
        let source = try #require(declaration.tenantSources["alpha"])
        let index = try #require(declaration.tenants.firstIndex { $0.name == "alpha" })
        #expect(source.describes(declaration.tenants[index]))
        declaration.tenants[index].quota["requests.cpu"] = "3"
        #expect(!source.describes(declaration.tenants[index]))
    }

    /// Directives and line breaks the YAML parser counts differently leave a file without sources
    /// (tenants are then fingerprinted by value); CRLF files are split as LF ones.
    @Test func filesTextCannotDescribeHaveNoSources() throws {
        let directive = try Self.load([("a.yaml", "%YAML 1.1\n---\n" + Self.tenant("alpha"))])
        #expect(directive.tenantSources["alpha"] == nil && directive.tenantSources["acme-health"] != nil)
        let loneCR = Self.tenant("alpha").replacingOccurrences(of: "\n  team:", with: "\r  team:")
        #expect(DocumentTexts(loneCR) == nil)
        for separator in ["\u{85}", "\u{2028}", "\u{2029}"] {
            #expect(DocumentTexts("a: 1\(separator)b: 2\n") == nil)
        }
        let crlf = (Self.tenant("alpha") + "---\n" + Self.tenant("beta")).replacingOccurrences(of: "\n", with: "\r\n")
        let declaration = try Self.load([("a.yaml", crlf)])
        #expect(declaration.tenantSources["beta"]?.line == 13)
        #expect(declaration.tenantSources["beta"]?.text.hasPrefix("---\r\napiVersion") == true)
    }

    @Test func onlyMarkersAtTheStartOfALineSplit() throws {
        let texts = try #require(DocumentTexts("a: 1\n---\nb: ' --- '\n  ---x\n----\n...\n--- !!map\nc: 2\n---"))
        #expect(texts.chunks.map(\.line) == [1, 2, 6, 7, 9])
        #expect(texts.chunk(containing: 5).number == 1)
        #expect(texts.chunk(containing: 8).text == "--- !!map\nc: 2\n")
        #expect(texts.chunk(containing: 1).number == 0 && texts.chunk(containing: 9).number == 4)
    }
}
