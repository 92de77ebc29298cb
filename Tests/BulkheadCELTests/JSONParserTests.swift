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
