import BulkheadKube
import Testing
import Yams

/// Strings written by the hand-written YAML writer must read back, through Yams, as the same
/// string: whatever a caller sends through the API ends up in a declaration file.
@Suite struct YAMLWriterRoundTripTests {
    static let awkward: [String] = [
        "", " ", "yes", "No", "null", "~", "0x1F", "-0xff", ".inf", "-.Inf", ".NaN", "0o17", "0b101", "1e3", ".5", "12:30", "- item", "key: value", "a #b", "trailing:",
        "'single'", "\"double\"", "back\\slash", "line\nbreak", "tab\there", "\r", "bell\u{07}", "del\u{7F}",
        "c1 \u{80}\u{9D}\u{9F}", "next line \u{85}", "separators \u{2028}\u{2029}", "nbsp\u{A0}", "\u{FFFE}\u{FFFF}", "emoji 🚢", "𝑭 astral", "ü", "it's", "0x", "+0x", "0x1g", "-.nan", "Y", "~x", "𝑭: x",
    ]

    @Test(arguments: awkward)
    func aStringReadsBackUnchanged(_ text: String) throws {
        let yaml = YAMLWriter.document(.map(MapBox(entries: [("value", .string(text)), ("list", .list(ListBox(items: [.string(text)])))])))
        let loaded = try #require(try Yams.load(yaml: yaml) as? [String: Any], "\(yaml)")
        #expect(loaded["value"] as? String == text, "written as: \(yaml)")
        #expect((loaded["list"] as? [Any])?.first as? String == text)
    }

    /// The style chosen for each kind of string: plain whenever YAML reads it back as the same
    /// string, single quotes otherwise, double quotes only for characters that need escapes.
    @Test(arguments: [
        ("web", "web"), ("500m", "500m"), ("arn:aws:iam::123456789012:role/web", "arn:aws:iam::123456789012:role/web"), ("0xZZ", "0xZZ"),
        ("10", "'10'"), ("1.5", "'1.5'"), ("0x1F", "'0x1F'"), ("-0X1f", "'-0X1f'"), ("+.INF", "'+.INF'"), ("yes", "'yes'"), ("OFF", "'OFF'"),
        ("", "''"), ("~", "'~'"), ("a: b", "'a: b'"), ("a #b", "'a #b'"), ("*alias", "'*alias'"), ("trailing ", "'trailing '"),
        ("name", "name"), ("nulls", "nulls"), ("True", "'True'"), ("no", "'no'"), ("n", "'n'"), ("e5", "'e5'"), ("x1", "'x1'"), ("v1", "v1"), ("a-1.b_c/d", "a-1.b_c/d"),
        ("it's: x", "'it''s: x'"), ("tab\there", "\"tab\\there\""), ("nbsp\u{A0}x", "nbsp\u{A0}x"), ("c1 \u{85}", "\"c1 \\x85\""),
    ])
    func aStringIsWrittenInTheSimplestStyleThatReadsBack(_ text: String, _ written: String) {
        #expect(YAMLWriter.quoted(text) == written)
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
