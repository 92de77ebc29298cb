import BulkheadCEL
import Foundation
import Testing

/// Core language behaviour beyond the conformance suite: errors with positions, the cost limit,
/// optional values, JSON input and compiling once.
@Suite struct LanguageTests {
    @Test func syntaxErrorReportsLineAndColumn() throws {
        let error = #expect(throws: CELError.self) {
            try CELProgram(source: "object.spec.replicas >\n  (3 +)")
        }
        #expect(error?.code == .syntax)
        #expect(error?.position?.line == 2)
        #expect(error?.position?.column == 7)
        #expect(error?.description.contains("2:7") == true)
    }

    @Test func unterminatedStringPointsAtItsStart() throws {
        let error = #expect(throws: CELError.self) { try CELProgram(source: "a == 'abc") }
        #expect(error?.position?.column == 6)
    }

    @Test func nestingLimitIsASyntaxErrorNotACrash() throws {
        let chain = Array(repeating: "1", count: 400).joined(separator: " + ")
        let error = #expect(throws: CELError.self) { try CELProgram(source: chain) }
        #expect(error?.message.contains("nested too deeply") == true)
        let nested = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: CELError.self) { try CELProgram(source: nested) }
        #expect(try evaluate(Array(repeating: "1", count: 100).joined(separator: " + ")) == 100)
    }

    @Test func macrosCanBeDisabled() throws {
        let options = CELOptions(macros: false)
        #expect(try evaluate("[1, 2].all(x, x > 0)") == true)
        let program = try CELProgram(source: "[1, 2].all(x, x > 0)", options: options)
        #expect(throws: CELError.self) { try program.evaluate() }
    }

    @Test func containerResolvesQualifiedNames() throws {
        let options = CELOptions(container: "policy.v1")
        let activation: [String: CELValue] = ["policy.v1.limit": 3, "limit": 99]
        #expect(try evaluate("limit", activation, options: options) == 3)
        #expect(try evaluate(".limit", activation, options: options) == 99)
    }

    @Test func checkerRejectsUndeclaredAndIllTyped() throws {
        let options = CELOptions(variables: ["object": .map(.string, .dyn), "limit": .int])
        let undeclared = #expect(throws: CELError.self) { try CELProgram(source: "objekt.spec", options: options) }
        #expect(undeclared?.code == .check)
        #expect(undeclared?.message.contains("objekt") == true)
        let mismatch = #expect(throws: CELError.self) { try CELProgram(source: "limit + 'x'", options: options) }
        #expect(mismatch?.message.contains("no matching overload") == true)
        let wrongArgument = #expect(throws: CELError.self) {
            try CELProgram(source: "quantity('1').isLessThan('2')", options: options)
        }
        #expect(wrongArgument?.code == .check)
        let typed = try CELProgram(source: "object.spec.split(',').size() + limit", options: options)
        #expect(typed.resultType == .int)
        let program = try CELProgram(source: "size(object) < limit", options: options)
        #expect(program.resultType == .bool)
        #expect(try program.evaluate(["object": .map(CELMap(["a": 1])), "limit": 2]) == true)
    }

    @Test func errorsAreAbsorbedByLogicalOperators() throws {
        #expect(try evaluate("false && 1 / 0 == 1") == false)
        #expect(try evaluate("1 / 0 == 1 || true") == true)
        #expect(try evaluate("{'a': 1}.b == 1 || true") == true)
        #expect(try evaluationError("1 / 0 == 1 && true")?.message.contains("division by zero") == true)
        #expect(try evaluationError("9223372036854775807 + 1")?.message.contains("overflow") == true)
        #expect(try evaluationError("{'a': 1}.b")?.message.contains("no such key") == true)
        #expect(try evaluationError("1 + 'a'")?.message.contains("no matching overload") == true)
    }

    @Test func evaluationErrorCarriesPosition() throws {
        let error = try evaluationError("true &&\n  x.missing", ["x": .map(CELMap())])
        #expect(error?.position?.line == 2)
        #expect(error?.position?.column == 4)
        // Inside a comprehension, the innermost failing expression is named (the division).
        let inner = try evaluationError("[1, 2].all(n,\n  n > 0 && n / 0 == 1)")
        #expect(inner?.message.contains("division by zero") == true)
        #expect(inner?.position?.line == 2)
        #expect(inner?.position?.column == 14)
        // A cost-limit stop is placed and charged the same as any other failure.
        let program = try CELProgram(source: "items.all(i, i.size() < 100)")
        let stopped = program.evaluateReportingCost(["items": .list((0..<500).map { .string("item\($0)") })], costLimit: 100)
        guard case .failure(let limit) = stopped.result else {
            Issue.record("expected the cost limit to stop evaluation")
            return
        }
        #expect(limit.code == .costLimitExceeded)
        #expect(limit.position != nil)
        #expect(stopped.cost == 101)
    }

    @Test func costLimit() throws {
        let program = try CELProgram(source: "items.all(i, i.size() < 100) && items.exists(i, i == 'needle')")
        let items = CELValue.list((0..<500).map { .string("item\($0)") })
        let unlimited = program.evaluateReportingCost(["items": items])
        #expect(try unlimited.result.get() == false)
        #expect(unlimited.cost > 1000)
        let limited = program.evaluateReportingCost(["items": items], costLimit: 100)
        guard case .failure(let error) = limited.result else {
            Issue.record("expected the cost limit to stop evaluation")
            return
        }
        #expect(error.code == .costLimitExceeded)
        #expect(limited.cost <= 101)
        // The limit is not an ordinary error value: `||` does not absorb it.
        let absorbing = try CELProgram(source: "items.all(i, i != 'x') || true")
        #expect(throws: CELError.self) { try absorbing.evaluate(["items": items], costLimit: 50) }
    }

    @Test func optionalValues() throws {
        let object = CELValue.map(CELMap(["spec": .map(CELMap(["replicas": 3]))]))
        #expect(try evaluate("object.?spec.?replicas.orValue(1)", ["object": object]) == 3)
        #expect(try evaluate("object.?status.?ready.orValue(false)", ["object": object]) == false)
        #expect(try evaluate("object.?spec.replicas.hasValue()", ["object": object]) == true)
        #expect(try evaluate("[1, 2][?5].orValue(0)") == 0)
        #expect(try evaluate("optional.of(2).optMap(x, x * 10).value()") == 20)
        #expect(try evaluate("optional.none().or(optional.of('b')).value()") == "b")
        #expect(try evaluate("[?optional.none(), ?optional.of(1)]") == [1])
        #expect(try evaluate("{?'a': optional.none(), 'b': 2}") == .map(CELMap(["b": 2])))
        #expect(try evaluate("optional.ofNonZeroValue('').hasValue()") == false)
        #expect(try evaluationError("optional.none().value()") != nil)
    }

    /// `contains`, `startsWith` and `endsWith` compare UTF-8 bytes, which for valid text is the
    /// same as comparing code points: no normalization, no match inside a character.
    @Test func substringFunctionsCompareCodePoints() throws {
        let cases: [(String, Bool)] = [
            (#"'e\u0301'.contains('\u0301')"#, true), ("'é'.contains('e')", false), (#"'é'.contains('\u0301')"#, false),
            (#"'e\u0301'.startsWith('e')"#, true), ("'aé'.endsWith('é')", true), (#"'e\u0301'.endsWith('é')"#, false),
            ("'é😀x'.contains('😀')", true), ("'😀'.endsWith('😀')", true), ("''.contains('')", true), ("'abc'.contains('')", true),
            ("'ab'.startsWith('abc')", false), ("'ab'.endsWith('xab')", false), ("'abcabd'.contains('abd')", true),
            ("'abcab'.contains('abd')", false), ("'ab'.endsWith('')", true), ("''.startsWith('a')", false),
        ]
        for (source, expected) in cases {
            #expect(try evaluate(source) == .bool(expected), "\(source)")
        }
    }

    @Test func macrosAndHeterogeneousEquality() throws {
        #expect(try evaluate("[1, 2, 3].map(x, x * 2).filter(y, y > 2)") == [4, 6])
        #expect(try evaluate("[1, 2, 3].exists_one(x, x == 2)") == true)
        #expect(try evaluate("has(m.a) && !has(m.b)", ["m": .map(CELMap(["a": 1]))]) == true)
        #expect(try evaluate("1 == 1.0 && 1u == 1 && [1] == [1.0] && {1: 'a'} == {1u: 'a'}") == true)
        #expect(try evaluate("2 in [1.0, 2.0]") == true)
        #expect(try evaluate("cel.bind(x, 'ab', x + x)") == "abab")
    }

    @Test func timestampsAndDurations() throws {
        #expect(try evaluate("timestamp('2024-02-29T12:00:00Z').getDayOfYear()") == 59)
        #expect(try evaluate("timestamp('2024-01-01T00:30:00Z').getHours('-01:00')") == 23)
        #expect(try evaluate("timestamp('2024-07-01T12:00:00Z').getHours('Europe/Paris')") == 14)
        #expect(try evaluate("duration('1h30m') + duration('30m') == duration('2h')") == true)
        #expect(try evaluate("string(timestamp('2024-01-01T00:00:00Z') + duration('1.5s'))") == "2024-01-01T00:00:01.5Z")
        #expect(try evaluate("timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') > duration('23h')") == true)
    }

    @Test func compileOnceEvaluateMany() throws {
        let program = try CELProgram(source: "object.metadata.name.startsWith(params.prefix) && object.spec.replicas <= params.max")
        for replicas in 1...5 {
            let object: [String: Any] = ["metadata": ["name": "team-a-web"], "spec": ["replicas": replicas]]
            let activation = ["object": try CELValue(json: object), "params": try CELValue(json: ["prefix": "team-a", "max": 3])]
            #expect(try program.evaluate(activation) == .bool(replicas <= 3))
        }
    }

    @Test func jsonConversion() throws {
        let data = Data(#"{"i": 3, "d": 2.5, "b": true, "n": null, "s": "x", "l": [1, false], "big": 1e300}"#.utf8)
        let value = try CELValue(jsonData: data)
        guard case .map(let map) = value else {
            Issue.record("expected a map")
            return
        }
        #expect(map["i"] == .int(3))
        #expect(map["d"] == .double(2.5))
        #expect(map["b"] == .bool(true))
        #expect(map["n"] == .null)
        #expect(map["s"] == .string("x"))
        #expect(map["l"] == .list([.int(1), .bool(false)]))
        #expect(map["big"] == .double(1e300))
    }
}
