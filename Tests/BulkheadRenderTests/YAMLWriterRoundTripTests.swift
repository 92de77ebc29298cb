import BulkheadKube
import Testing
import Yams

/// Strings written by the hand-written YAML writer must read back, through Yams, as the same
/// string: whatever a caller sends through the API ends up in a declaration file.
@Suite struct YAMLWriterRoundTripTests {
    static let awkward: [String] = [
        "", " ", "yes", "No", "null", "~", "0x1F", "-0xff", ".inf", "-.Inf", ".NaN", "0o17", "0b101", "1e3", ".5", "12:30", "- item", "key: value", "a #b", "trailing:",
        "'single'", "\"double\"", "back\\slash", "line\nbreak", "tab\there", "\r", "bell\u{07}", "del\u{7F}",
        "c1 \u{80}\u{9D}\u{9F}", "next line \u{85}", "separators \u{2028}\u{2029}", "nbsp\u{A0}", "\u{FFFE}\u{FFFF}", "emoji 🚢", "𝑭 astral", "ü",
    ]

    @Test(arguments: awkward)
    func aStringReadsBackUnchanged(_ text: String) throws {
        let yaml = YAMLWriter.document(.map(MapBox(entries: [("value", .string(text)), ("list", .list(ListBox(items: [.string(text)])))])))
        let loaded = try #require(try Yams.load(yaml: yaml) as? [String: Any], "\(yaml)")
        #expect(loaded["value"] as? String == text, "written as: \(yaml)")
        #expect((loaded["list"] as? [Any])?.first as? String == text)
    }

    /// Every scalar of the C0, DEL and C1 blocks, one at a time inside a word.
    @Test func everyControlCharacterIsEscaped() throws {
        for value in Array(0x00...0x1F) + Array(0x7F...0x9F) {
            let text = "a\(Character(Unicode.Scalar(UInt8(value))))b"
            let yaml = YAMLWriter.document(.map(MapBox(entries: [("value", .string(text))])))
            let loaded = try Yams.load(yaml: yaml) as? [String: Any]
            #expect(loaded?["value"] as? String == text, "U+\(String(value, radix: 16)) written as \(yaml)")
        }
    }
}
