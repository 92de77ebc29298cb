import BulkheadModel
import Foundation
import Testing

/// The bad-input corpus: every folder in `Fixtures/bad` is a small platform that is valid except
/// for the problems listed, one description a line, in its `expected.txt` (what
/// `cd <case> && bulkhead validate .` prints, without the summary line). Each case checks that
/// every problem is reported, at the right place, with the right path and message, in one run.
@Suite("Bad input corpus")
struct BadInputCorpusTests {
    /// Cases whose `expected.txt` holds the intended output, which validation does not produce yet.
    /// Remove a case from here once it is fixed: its test then fails with "known issue was not recorded".
    /// Cases that document a bug not fixed yet: name and reason. Empty when all are fixed.
    static let knownIssues: [String: String] = [:]

    static let badFolder: URL = {
        guard let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("the BulkheadModelTests bundle has no Fixtures folder; see resources in Package.swift")
        }
        return fixtures.appendingPathComponent("bad", isDirectory: true)
    }()

    static let caseNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: badFolder.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: badFolder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }()

    @Test("reports exactly the expected problems", arguments: caseNames)
    func reportsExpectedProblems(caseName: String) throws {
        let caseFolder = Self.badFolder.appendingPathComponent(caseName, isDirectory: true)
        // Load it as `cd <case> && bulkhead validate .` does, so that messages naming the folder
        // itself ("no declaration files found in '.'") match too.
        let folder = URL(fileURLWithPath: ".", isDirectory: true, relativeTo: caseFolder)
        let result = try DeclarationLoader.load(folder: folder, displayPrefix: "")
        let expectedText = try String(contentsOf: caseFolder.appendingPathComponent("expected.txt"), encoding: .utf8)
        let expected = expectedText.split(separator: "\n").map(String.init)
        let actual = result.problems.filter { $0.severity == .error }.map(\.description)
        // `result.declaration == nil`, without dumping the whole declaration when it fails.
        let hasDeclaration = result.declaration != nil

        if let reason = Self.knownIssues[caseName] {
            withKnownIssue(Comment(rawValue: reason)) {
                #expect(actual == expected)
                #expect(!hasDeclaration, "a declaration with errors must not be returned")
            }
        } else {
            #expect(!expected.isEmpty, "expected.txt must list at least one problem")
            #expect(actual == expected)
            #expect(!hasDeclaration, "a declaration with errors must not be returned")
        }
    }

    @Test("the corpus has at least 40 cases")
    func corpusIsLargeEnough() {
        #expect(Self.caseNames.count >= 40)
    }

    @Test("every known issue names a case in the corpus")
    func knownIssuesExist() {
        for name in Self.knownIssues.keys.sorted() {
            #expect(Self.caseNames.contains(name), "known issue '\(name)' has no folder in Fixtures/bad")
        }
    }
}
