import BulkheadModel
import Foundation
import Testing

/// A key repeated in one mapping is reported at its first occurrence, and the rest of its
/// document and file is still read, however the key is written.
@Suite struct RepeatedKeysTests {
    /// A Tier document with `quota` written as given; the rest is valid.
    static func tier(name: String = "standard", quota: String) -> String {
        """
        apiVersion: bulkhead.dev/v1alpha1
        kind: Tier
        metadata:
          name: \(name)
        spec:
          isolation: shared
          quota: \(quota)

        """
    }

    static func errors(_ text: String) -> [String] {
        DeclarationLoader.load(sources: [("tiers.yaml", text)]).errors.map(\.description)
    }

    @Test func aKeyWrittenThreeTimesIsReportedOnce() {
        let text = Self.tier(quota: #"{requests.cpu: "1", requests.memory: 1Gi, pods: "1", pods: "2", pods: "3"}"#)
        #expect(Self.errors(text) == ["tiers.yaml:7:52: error: spec.quota.pods: key 'pods' appears more than once in one mapping; again at line 7"])
    }

    @Test func aQuotedFirstOccurrenceIsRenamedInsideItsQuotes() {
        let text = Self.tier(quota: "\n    requests.cpu: \"1\"\n    \"pods\": \"1\"\n    requests.memory: 1Gi\n    pods: \"2\"")
        #expect(Self.errors(text) == ["tiers.yaml:9:5: error: spec.quota.pods: key 'pods' appears more than once in one mapping; again at line 11"])
    }

    @Test func columnsCountCharactersNotBytes() {
        let text = Self.tier(quota: #"{requests.cpu: "1", requests.memory: 1Gi, pods: "1"}"#)
            .replacingOccurrences(of: "  name: standard", with: "  name: standard\n  labels: {café: x, team: a, team: b}")
        #expect(Self.errors(text) == ["tiers.yaml:5:21: error: metadata.labels.team: key 'team' appears more than once in one mapping; again at line 5"])
    }

    @Test func windowsLineEndingsKeepPositions() {
        let text = Self.tier(quota: "\n    requests.cpu: \"1\"\n    pods: \"1\"\n    requests.memory: 1Gi\n    pods: \"2\"")
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(Self.errors(text) == ["tiers.yaml:9:5: error: spec.quota.pods: key 'pods' appears more than once in one mapping; again at line 11"])
    }

    @Test func theDocumentsAfterARepeatAreRead() {
        let text = Self.tier(quota: #"{requests.cpu: "1", requests.memory: 1Gi, pods: "1", pods: "2"}"#)
            + "---\n" + Self.tier(name: "basic", quota: #"{requests.cpu: "1", requests.memory: 1Gi, pods: "1", limits.gpu: "1"}"#)
        let errors = Self.errors(text)
        #expect(errors.count == 2)
        #expect(errors.first == "tiers.yaml:7:52: error: spec.quota.pods: key 'pods' appears more than once in one mapping; again at line 7")
        #expect(errors.last?.hasPrefix("tiers.yaml:15:63: error: spec.quota[\"limits.gpu\"]: 'limits.gpu' is not a ResourceQuota key") == true)
    }

    /// A key written with escapes cannot be renamed in the text: the file-level error stays, and
    /// nothing from the document is accepted.
    @Test func anEscapedKeyStillFailsTheFile() {
        let text = Self.tier(quota: #"{requests.cpu: "1", requests.memory: 1Gi, "po\u0064s": "1", pods: "2"}"#)
        let result = DeclarationLoader.load(sources: [("tiers.yaml", text)])
        #expect(result.declaration == nil)
        #expect(result.errors.map(\.description) == ["tiers.yaml:7:52: error: key 'pods' appears more than once in one mapping"])
    }
}
