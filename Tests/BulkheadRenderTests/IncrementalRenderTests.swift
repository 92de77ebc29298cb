@testable import BulkheadModel
@testable import BulkheadRender
import Foundation
import Testing
import Yams

/// Incremental rendering: which units a change selects, and that a partial render gives exactly
/// the files a full render gives for those units.
@Suite struct IncrementalRenderTests {
    static func example() throws -> (PlatformDeclaration, PlacementResult) {
        let result = try DeclarationLoader.load(folder: ExampleSnapshotTests.repositoryRoot.appendingPathComponent("examples/acme"), displayPrefix: "examples/acme")
        let declaration = try #require(result.declaration)
        return (declaration, try RepositoryRenderer.place(declaration, lock: PlacementLock()))
    }

    @Test func everyRenderedFileBelongsToTheUnitThatRenderedIt() throws {
        let (declaration, placement) = try Self.example()
        let full = try RepositoryRenderer.render(declaration, placement: placement, units: .all)
        for path in full.files.keys {
            let unit = try #require(RenderUnit.containing(path), "\(path) belongs to no unit")
            #expect(full.units.contains(unit))
            #expect(unit.scopes.contains { $0 == path || ($0.hasSuffix("/") && path.hasPrefix($0)) }, "\(path) is outside the scopes of \(unit)")
            #expect(RenderUnit(key: unit.description) == unit)
        }
    }

    @Test func aPartialRenderGivesTheSameFilesAsAFullOne() throws {
        let (declaration, placement) = try Self.example()
        let full = try RepositoryRenderer.render(declaration, placement: placement, units: .all)
        let cluster = try #require(placement.clusters(of: "payments").first)
        let some: Set<RenderUnit> = [.cluster(cluster), .tenant(cluster: cluster, tenant: "payments"), .lock]
        let partial = try RepositoryRenderer.render(declaration, placement: placement, units: .only(some))
        #expect(partial.units == some)
        #expect(!partial.files.isEmpty)
        for (path, text) in partial.files {
            #expect(full.files[path] == text, "\(path)")
            #expect(some.contains(RenderUnit.containing(path)!))
        }
        let expected = full.files.keys.filter { some.contains(RenderUnit.containing($0)!) }
        #expect(Set(partial.files.keys) == Set(expected))
    }

    @Test func fingerprintsChangeOnlyForUnitsThatDependOnTheChange() throws {
        var (declaration, placement) = try Self.example()
        let before = try RenderFingerprints.compute(declaration, placement: placement, build: "b1")
        #expect(before == (try RenderFingerprints.compute(declaration, placement: placement, build: "b1")))
        let index = try #require(declaration.tenants.firstIndex { $0.name == "payments" })
        declaration.tenants[index].quota["requests.cpu"] = "7"
        placement = try RepositoryRenderer.place(declaration, lock: placement.lock)
        let after = try RenderFingerprints.compute(declaration, placement: placement, build: "b1")
        let changed = Set(after.keys.filter { before[$0] != after[$0] })
        let paymentsUnits = Set(placement.clusters(of: "payments").map { RenderUnit.tenant(cluster: $0, tenant: "payments") })
        #expect(!paymentsUnits.isEmpty)
        #expect(changed == paymentsUnits)
        let otherBuild = try RenderFingerprints.compute(declaration, placement: placement, build: "b2")
        #expect(otherBuild.allSatisfy { after[$0.key] != $0.value })
    }

    @Test func planRendersEverythingWithoutATrustedState() {
        let fingerprints: [RenderUnit: Fingerprint] = [.cluster("a"): Fingerprint(hashing: "1")]
        let state = RenderState(build: "b", head: "h1", fingerprints: fingerprints)
        let cases: [(RenderState?, String, String?)] = [(nil, "b", "h1"), (state, "other", "h1"), (state, "b", "h2"), (state, "b", nil)]
        for (previous, build, head) in cases {
            let plan = IncrementalRender.plan(previous: previous, build: build, head: head, fingerprints: fingerprints, drifted: [], lockChanged: false)
            guard case .everything = plan else { Issue.record("expected a full render for \(build) \(head ?? "-")"); continue }
            #expect(plan.scopes == nil)
        }
    }

    @Test func planSelectsChangedNewRemovedAndDriftedUnits() {
        let a = RenderUnit.tenant(cluster: "c1", tenant: "a"), b = RenderUnit.tenant(cluster: "c1", tenant: "b")
        let gone = RenderUnit.tenant(cluster: "c1", tenant: "gone"), new = RenderUnit.tenant(cluster: "c2", tenant: "a")
        let one = Fingerprint(hashing: "1"), two = Fingerprint(hashing: "2")
        let previous = RenderState(build: "b", head: "h", fingerprints: [a: one, b: one, gone: one, .cluster("c1"): one])
        let now: [RenderUnit: Fingerprint] = [a: two, b: one, new: one, .cluster("c1"): one]
        let quiet = IncrementalRender.plan(previous: previous, build: "b", head: "h", fingerprints: now, drifted: [], lockChanged: false)
        #expect(quiet == .units(render: [a, new], removed: [gone]))
        let drifted = IncrementalRender.plan(previous: previous, build: "b", head: "h", fingerprints: now,
                                             drifted: ["clusters/c1/flux/flux.yaml", "bulkhead.lock", "README.md"], lockChanged: false)
        #expect(drifted == .units(render: [a, new, .cluster("c1"), .lock], removed: [gone]))
        #expect(drifted.scopes?.contains("clusters/c1/tenants/gone/") == true)
        let unchanged = IncrementalRender.plan(previous: RenderState(build: "b", head: "h", fingerprints: now), build: "b", head: "h", fingerprints: now, drifted: [], lockChanged: false)
        #expect(unchanged == .units(render: [], removed: []))
        #expect(unchanged.scopes == [])
    }

    @Test func renderStateReadsBackWhatItWrote() throws {
        let warning = Problem("no-node-pool", "tenant 'x' has no pool", at: SourceLocation(file: "t.yaml", line: 3, column: 9), path: "spec.tier", severity: .warning)
        let state = RenderState(build: "0.1.0+123+4.5", head: "abc", fingerprints: [.lock: Fingerprint(hashing: "f0"), .cluster("c"): Fingerprint(hashing: "f1"), .tenant(cluster: "c", tenant: "t"): Fingerprint(hashing: "f2")],
                                warnings: [.cluster("c"): [warning]])
        #expect(RenderState(parsing: state.serialized()) == state)
        #expect(RenderState(parsing: "bulkhead-render-state 3\nbuild x\nhead -\n") == nil)
        #expect(RenderState(parsing: state.serialized() + "unit \(Fingerprint(hashing: "f3")) nonsense/key/x/y\n") == nil)
        #expect(RenderState(parsing: state.serialized() + "unit f3 cluster/d\n") == nil, "a fingerprint is 64 hex digits")
        #expect(RenderState(parsing: state.serialized() + "unit \(String(repeating: "g", count: 64)) cluster/d\n") == nil)
        #expect(state.serialized().contains("unit \(Fingerprint(hashing: "f2")) tenant/c/t\n"))
        #expect(Fingerprint(hashing: "f2").description == "e4ab4e3b1493d5a997b4e51cdefbaa10570ef3ea9432bd72e7b6a89654ceb7f6", "the SHA-256 of f2, as sha256sum prints it")
        // The header-only read keeps the warnings (printed by a no-op apply) and skips the units.
        let header = try #require(RenderState(parsing: state.serialized(), fingerprints: false))
        #expect(header.warnings == state.warnings && header.head == "abc" && header.fingerprints.isEmpty)
    }

    /// The same folder named three ways (and as the service names it) gives the same fingerprints;
    /// a tenant moved to another line of its file does not.
    @Test func fingerprintsDoNotDependOnHowTheFolderIsNamed() throws {
        let folder = ExampleSnapshotTests.repositoryRoot.appendingPathComponent("examples/acme")
        var all: [[RenderUnit: Fingerprint]] = []
        for prefix in ["examples/acme", "./examples/acme/", folder.path, ""] {
            let declaration = try #require(try DeclarationLoader.load(folder: folder, displayPrefix: prefix).declaration)
            let placement = try RepositoryRenderer.place(declaration, lock: PlacementLock())
            all.append(try RenderFingerprints.compute(declaration, placement: placement, build: "b"))
        }
        #expect(all.allSatisfy { $0 == all[0] })
        var (declaration, placement) = try Self.example()
        declaration.tenants[0].origin.location.line += 1
        let moved = try RenderFingerprints.compute(declaration, placement: placement, build: "b")
        #expect(moved != all[0], "warnings point at the document, so its line is part of the fingerprint")
    }

    /// A loaded tenant is fingerprinted by its document's text. Every edit that changes a tenant's
    /// value fingerprint changes its text fingerprint too, and an edit inside one document of a
    /// stream changes only that tenant's units.
    @Test func textFingerprintsChangeWhereValueFingerprintsDo() throws {
        let folder = ExampleSnapshotTests.repositoryRoot.appendingPathComponent("examples/acme")
        var sources: [(name: String, text: String)] = []
        for name in try DeclarationLoader.declarationFiles(in: folder) {
            sources.append((name, try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)))
        }
        func tenant(_ name: String, cpu: String) -> String {
            "apiVersion: bulkhead.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: \(name)\nspec:\n  tier: basic\n  owners: [o]\n  team: t\n"
                + "  costCenter: CC-1\n  environments: [dev, prod]\n  dataClassification: internal\n  quota: {requests.cpu: \"\(cpu)\"}\n"
        }
        let stream = tenant("alpha", cpu: "1") + "---\n" + tenant("beta", cpu: "1") + "---\n" + tenant("gamma", cpu: "1")
        func fingerprints(_ text: String, lock: PlacementLock) throws -> (text: [RenderUnit: Fingerprint], value: [RenderUnit: Fingerprint], lock: PlacementLock) {
            var declaration = try #require(DeclarationLoader.load(sources: sources + [("tenants/stream.yaml", text)]).declaration)
            #expect(declaration.tenantSources.count == declaration.tenants.count)
            let placement = try RepositoryRenderer.place(declaration, lock: lock)
            let byText = try RenderFingerprints.compute(declaration, placement: placement, build: "b")
            declaration.tenantSources = [:]
            return (byText, try RenderFingerprints.compute(declaration, placement: placement, build: "b"), placement.lock)
        }
        let base = try fingerprints(stream, lock: PlacementLock())
        #expect(base.text != base.value, "loaded tenants are fingerprinted by text")
        func changed(_ now: [RenderUnit: Fingerprint], _ before: [RenderUnit: Fingerprint]) -> Set<RenderUnit> {
            Set(now.keys.filter { now[$0] != before[$0] })
        }
        let edits = [
            stream.replacingOccurrences(of: tenant("beta", cpu: "1"), with: tenant("beta", cpu: "2")),
            stream.replacingOccurrences(of: tenant("beta", cpu: "1"), with: tenant("beta", cpu: "1").replacingOccurrences(of: "\"}\n", with: "\"} # a comment\n")),
            "# moved down a line\n" + stream,
            stream.replacingOccurrences(of: "---\n" + tenant("gamma", cpu: "1"), with: "---\n" + tenant("gamma", cpu: "1").replacingOccurrences(of: "[o]", with: "[o, p]")),
        ]
        for (number, edit) in edits.enumerated() {
            let now = try fingerprints(edit, lock: base.lock)
            let byValue = changed(now.value, base.value)
            let byText = changed(now.text, base.text)
            #expect(byValue.isSubset(of: byText), "edit \(number)")
            let tenants = Set(byText.compactMap { unit -> String? in if case .tenant(_, let name) = unit { name } else { nil } })
            switch number {
            case 0: #expect(tenants == ["beta"] && byValue == byText)
            case 1: #expect(tenants == ["beta"] && byValue.isEmpty)
            case 2: #expect(tenants == ["alpha", "beta", "gamma"] && byValue == byText)
            default: #expect(tenants == ["gamma"] && byValue == byText)
            }
        }
    }

    @Test func unitKeysReadBackAndNothingElseDoes() {
        for unit in [RenderUnit.lock, .cluster("prod-use1-1"), .tenant(cluster: "prod-use1-1", tenant: "web")] {
            #expect(RenderUnit(key: unit.description) == unit)
        }
        for key in ["", "lock/", "cluster/", "cluster/a/b", "tenant/c", "tenant//t", "tenant/c/", "tenant/c/t/x", "tenants/c/t", "Lock"] {
            #expect(RenderUnit(key: key) == nil, "\(key)")
        }
    }

    @Test func theLockIsReadLineByLineExactlyAsYAMLWouldReadIt() throws {
        let (_, placement) = try Self.example()
        let text = try placement.lock.serialized()
        let canonical = try #require(PlacementLock.parseCanonical(text))
        #expect(PlacementLock(placements: canonical) == placement.lock)
        // A hand-edited layout falls back to the YAML decoder and means the same.
        let reflowed = text.replacingOccurrences(of: "  - cluster: ", with: "  - cluster:   ")
        #expect(PlacementLock.parseCanonical(reflowed) == nil)
        #expect(try PlacementLock(parsing: reflowed) == placement.lock)
        #expect(PlacementLock.parseCanonical(text.replacingOccurrences(of: "kind: PlacementLock", with: "kind: Other")) == nil)
        // Anything the writer would not write is left to the YAML decoder (or refused by it).
        let firstRegion = try #require(text.range(of: "    region: "))
        for damaged in [text.replacingCharacters(in: firstRegion, with: "    cluster: "),      // a field twice, one missing
                        text.replacingCharacters(in: firstRegion, with: "    zone: "),         // an unknown field
                        text.replacingCharacters(in: firstRegion, with: "    region: 'x'\n    ignored: "),
                        text.replacingOccurrences(of: "apiVersion: ", with: "apiversion: ")] {
            #expect(PlacementLock.parseCanonical(damaged) == nil, "\(damaged.prefix(400))")
        }
        #expect(PlacementLock.parseCanonical(text + "\n\n# a comment\n") == canonical, "blank lines and comments are skipped")
    }

    /// Names that look like numbers are written in single quotes; the line reader takes them
    /// as the YAML decoder does, and leaves any other quoting to the decoder.
    @Test func quotedNamesAreReadLineByLineToo() throws {
        let placement = LockedPlacement(environment: "dev", region: "eu-west-1", cluster: "dev-euw1-1")
        let lock = PlacementLock(placements: ["x10879-1": [placement], "123": [placement], "web": [placement]])
        let text = try lock.serialized()
        #expect(text.contains("  'x10879-1':\n") && text.contains("  '123':\n"), "\(text)")
        let canonical = try #require(PlacementLock.parseCanonical(text))
        #expect(PlacementLock(placements: canonical) == lock)
        for odd in ["  'x10879''1':", "  '':", "  'x10879-1:", "  \"x10879-1\":"] {
            #expect(PlacementLock.parseCanonical(text.replacingOccurrences(of: "  'x10879-1':", with: odd)) == nil, "\(odd)")
        }
        #expect(try PlacementLock(parsing: text.replacingOccurrences(of: "  'x10879-1':", with: "  \"x10879-1\":")) == lock)
    }
}
