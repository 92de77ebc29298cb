import BulkheadCEL
import Foundation
import Testing

/// The JSON parser the webhook and gate read objects with: the same values Foundation's
/// `JSONSerialization` path gives, clear errors with byte offsets, no crash on hostile input.
@Suite struct JSONParserTests {
    @Test func parsesEveryValueKind() throws {
        let value = try CELValue(jsonBytes: Array(#"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","i":-42,"big":18446744073709551615,"d":1.5,"e":2e3,"t":true,"f":false,"n":null,"l":[1,[2,{}]],"m":{}}"#.utf8))
        guard case .map(let map) = value else { Issue.record("not a map"); return }
        #expect(map["s"] == .string("a\"b\\c/d\né😀"))
        #expect(map["i"] == .int(-42))
        #expect(map["big"] == .uint(UInt64.max))
        #expect(map["d"] == .double(1.5))
        #expect(map["e"] == .int(2000))
        #expect(map["t"] == .bool(true) && map["f"] == .bool(false) && map["n"] == .null)
        #expect(map["l"] == .list([.int(1), .list([.int(2), .map(CELMap())])]))
    }

    /// Strings of every length around the inline limit, alike but for one byte, come out as written.
    @Test func stringsThatLookAlikeStayApart() throws {
        var strings: [String] = []
        for length in 1...17 {
            for last in ["a", "b", "é"] {
                strings.append(String(repeating: "x", count: max(0, length - 1)) + last)
                strings.append(last + String(repeating: "y", count: max(0, length - 1)))
            }
        }
        strings += (0..<600).map { "k\($0)" } + ["abcdefgh", "abcdefghabcdefgh", "abcdefgXabcdefgh", "abcdefghXbcdefgh", ""]
        let text = "[" + (strings + strings.reversed()).map { "\"\($0)\"" }.joined(separator: ",") + "]"
        #expect(try CELValue(jsonBytes: Array(text.utf8)) == .list((strings + strings.reversed()).map(CELValue.string)))
    }

    /// A string is scanned eight bytes at a time: an escape, the closing quote, a non-ASCII
    /// character or a control character is found at every offset within and across words.
    @Test func everyOffsetOfAnEscapeOrControlCharacterIsSeen() throws {
        let escapes: [(json: String, text: String)] = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), (#"\u00e9"#, "é"), ("é", "é"), ("", "")]
        for offset in 0..<20 {
            for tail in [0, 1, 7, 8, 9] {
                let before = String(repeating: "a", count: offset), after = String(repeating: "b", count: tail)
                for escape in escapes {
                    let json = "[\"\(before)\(escape.json)\(after)\",\"z\"]"
                    #expect(try CELValue(jsonBytes: Array(json.utf8)) == .list([.string(before + escape.text + after), .string("z")]), "\(json)")
                }
                for control: UInt8 in [0x00, 0x0A, 0x1F] {
                    let bytes = Array("\"\(before)".utf8) + [control] + Array("\(after)\"".utf8)
                    #expect(throws: CELError.self, "control \(control) at \(offset)") { try CELValue(jsonBytes: bytes) }
                }
            }
        }
        // Bytes on either side of the ones the scan looks for pass through.
        let neighbours = String(decoding: [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x41, 0x42], as: UTF8.self)
        let json = "\"" + String(repeating: neighbours, count: 3) + "\""
        #expect(try CELValue(jsonBytes: Array(json.utf8)) == .string(String(repeating: neighbours, count: 3)))
    }

    /// Objects with more keys than a map scans (it indexes them): every key is found, a repeated
    /// key keeps its last value, the order of the text is kept.
    @Test func largeObjectsAreIndexedAndKeepTheLastOfARepeatedKey() throws {
        let keys = (0..<40).map { "key-\($0)" }
        let text = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + ",\"key-7\":2}"
        guard case .map(let map) = try CELValue(jsonBytes: Array(text.utf8)) else { Issue.record("not a map"); return }
        #expect(map.count == 40)
        #expect(map.keys == keys.map(CELValue.string))
        #expect(map["key-7"] == .int(2) && map["key-39"] == .int(1) && map["key-40"] == nil)
        #expect(map[.string("key-0")] == .int(1))
        let small = try CELValue(jsonBytes: Array(#"{"a":1,"b":2,"a":3}"#.utf8))
        #expect(small == .map(CELMap(stringKeyed: [("a", .int(3)), ("b", .int(2))])))
    }

    @Test func agreesWithJSONSerializationOnAKubernetesObject() throws {
        let text = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"c","image":"ghcr.io/acme/web:1.2","resources":{"limits":{"cpu":"500m","memory":"128Mi"}},"ports":[{"containerPort":8080}]}],"terminationGracePeriodSeconds":30.0}}}}"#
        let viaFoundation = try CELValue(json: try JSONSerialization.jsonObject(with: Data(text.utf8)))
        #expect(try CELValue(jsonBytes: Array(text.utf8)) == viaFoundation)
    }

    @Test(arguments: [
        ("{", "expected a string key"), ("[", "unexpected end of input"), ("{\"a\" 1}", "expected ':'"), ("[1,]", "unexpected character"),
        ("01", "leading zero"), ("\"abc", "unterminated string"), ("tru", "unexpected end of input"),
        ("{\"a\":1} x", "after the JSON value"), ("\"\\x\"", "invalid escape"), ("\"\\ud800\"", "unpaired surrogate"),
        ("-", "invalid number"), ("1e400", "out of range"), ("1.", "invalid number"), ("\"a\u{01}\"", "control character"),
    ])
    func rejectsMalformedInputWithAReason(text: String, reason: String) {
        let error = #expect(throws: CELError.self) { try CELValue(jsonBytes: Array(text.utf8)) }
        #expect(error?.message.contains(reason) == true, "\(text): \(error?.message ?? "no error")")
        #expect(error?.message.contains("at byte") == true)
    }

    @Test func deepNestingIsRejectedNotACrash() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: CELError.self) { try CELValue(jsonBytes: Array(text.utf8)) }
        #expect(error?.message.contains("nesting deeper") == true)
    }

    @Test func repeatedKeysKeepTheLastValue() throws {
        guard case .map(let map) = try CELValue(jsonBytes: Array(#"{"a":1,"a":2}"#.utf8)) else { Issue.record("not a map"); return }
        #expect(map.count == 1 && map["a"] == .int(2))
    }
}
