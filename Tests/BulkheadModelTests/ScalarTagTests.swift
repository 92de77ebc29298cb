@testable import BulkheadModel
import Testing
import Yams

/// The loader's shortcut around Yams' tag resolution must agree with Yams' default rules.
@Suite struct ScalarTagTests {
    static let samples = [
        "", "~", "null", "Null", "NULL", "nul", "yes", "Yes", "YES", "no", "NO", "on", "Off", "true", "False", "TRUE",
        "y", "n", "orbit-00000", "orbit", "tenant-a", "offline", "nothing", "falsey", "0", "-1", "+7", "0x1F", "0o17",
        "0b101", "1_000", "1:30", "1.5", ".5", "-.inf", ".NaN", "1e3", "2026-11-22", "2026-1-2 10:00:00", "<<", "=",
        "500m", "8Gi", "CC-1130", "prod", "us-east-1", "m7i", "1.30", "v1.2.3", "TRUEISH", "o", "t",
    ]

    @Test(arguments: samples)
    func resolvesLikeYams(_ text: String) throws {
        let node = try #require(try Yams.compose(yaml: "key: \(text)\n", .basic))
        let value = try #require(node.mapping?["key"])
        let expected = Resolver.default.resolveTag(of: value)
        #expect(DocumentReader.tag(value) == expected, "\(text)")
        if !DocumentReader.mayResolveToNonString(text) {
            #expect(expected == .str, "\(text) was filtered out but Yams resolves it to \(expected)")
        }
    }
}
