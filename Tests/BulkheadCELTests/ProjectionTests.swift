import BulkheadCEL
import Foundation
import Testing

/// Projected parsing (the webhook parses only what its policies can observe): the analysis keeps
/// what each construct reads, and every program gives the same result, error and cost on the
/// projected document as on the whole one, over many mangled variants of a real Pod.
@Suite struct ProjectionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Pod Security expressions of the benchmark, and constructs that pass parts of the
    /// input on (concatenation, conditionals, binds, optionals, filters, dynamic indexes).
    static let expressions: [String] = {
        let data = try! Data(contentsOf: root.appendingPathComponent("benchmarks/cel/expressions.json"))
        let pss = (try! JSONSerialization.jsonObject(with: data) as! [[String: Any]]).map { $0["expression"] as! String }
        return pss + [
            "object.metadata.labels",
            "size(object.metadata.annotations) + size(object.spec.containers)",
            "object.metadata.labels.exists(k, k.startsWith('app.'))",
            "object.spec.containers.map(c, c.name)",
            "object.spec.containers.filter(c, has(c.ports)).all(c, c.ports.all(p, p.containerPort > 0))",
            "object.spec.containers.filter(c, has(c.ports)).map(c, c.image)",
            "cel.bind(sc, object.spec.securityContext, has(sc.runAsNonRoot) && sc.runAsNonRoot)",
            "object.?spec.?securityContext.?seccompProfile.?type.orValue('none')",
            "object.?spec.?nodeSelector.orValue({})",
            "object.spec.nodeSelector[object.metadata.labels['app.kubernetes.io/name']]",
            "object.spec.containers[0].resources.limits['memory']",
            "object.spec.containers[1].securityContext",
            "object.spec.volumes.all(v, v.all(k, k in ['name', 'configMap', 'secret']))",
            "object.spec.volumes.exists(i, v, i > 0 && has(v.projected))",
            "(has(object.spec.initContainers) ? object.spec.initContainers : object.spec.containers).exists(c, c.name == 'migrate')",
            "object.spec == object.spec",
            "string(object.spec.terminationGracePeriodSeconds) + object.kind",
            "object.spec.containers.exists_one(c, c.securityContext.privileged)",
            "has(object.status) && object.status.phase == 'Running'",
            "object.spec.tolerations.all(t, t.key in object.spec.nodeSelector)",
            "type(object.spec.hostNetwork) == bool",
            "object.metadata.ownerReferences.map(r, r).size()",
            "object.metadata.annotations.all(k, v, size(v) < 12)",
            "object.spec.nodeSelector.exists(k, v, v == 'payments')",
        ]
    }()

    static func pod() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("benchmarks/cel/pod.json")))
    }

    static func analysis(_ sources: [String]) throws -> (CELProjection, [CELProgram]) {
        var analysis = CELProjectionAnalysis(inputs: ["object"])
        let programs = try sources.map { try CELProgram(source: $0) }
        for program in programs { analysis.require(program) }
        return (analysis.projection(of: "object"), programs)
    }

    @Test func keepsWhatEachConstructReads() throws {
        func shape(_ source: String) throws -> String { try Self.analysis([source]).0.description }
        #expect(try shape("object.spec.replicas <= 5") == "{spec:{replicas:*}}")
        #expect(try shape("has(object.spec.hostPID)") == "{spec:{hostPID}}")
        #expect(try shape("object.spec.containers.all(c, !has(c.securityContext) || c.securityContext.privileged == false)")
                == "{spec:{containers:{[{securityContext:{privileged:*}}],+keys}}}")
        #expect(try shape("object.metadata.labels.all(k, k.startsWith('a'))") == "{metadata:{labels:{[*],+keys}}}")
        #expect(try shape("size(object.spec.volumes) > 1") == "{spec:{volumes:{+keys}}}")
        #expect(try shape("object.spec.containers + object.spec.initContainers") == "{spec:{containers:*,initContainers:*}}")
        #expect(try shape("cel.bind(s, object.spec, s.a.b)") == "{spec:{a:{b:*}}}")
        #expect(try shape("object.metadata.labels[object.kind]") == "{kind:*,metadata:{labels:{[*],+values:*}}}")
        // Iterating a map's keys keeps its keys, not its values.
        #expect(try shape("object.spec.volumes.all(v, v.all(k, k == 'name'))") == "{spec:{volumes:{[{[*],+keys}],+keys}}}")
        #expect(try shape("object.metadata.labels.all(k, v, v == 'x')") == "{metadata:{labels:{[*],+values:*}}}")
        #expect(try shape("object.spec.containers[0].image") == "{spec:{containers:{[{image:*}],+keys}}}")
        #expect(try shape("request.name == 'x'") == "?")
    }

    /// Every program agrees on the projected and the whole document: same value or same error,
    /// same cost. The variants remove, retype, add and duplicate fields across the Pod.
    @Test func programsSeeTheSameOnProjectedDocuments() throws {
        let (projection, programs) = try Self.analysis(Self.expressions)
        var random = SeededRandom(seed: 0x5eed)
        var documents = [try Self.pod()]
        for _ in 0..<300 { documents.append(Mangler.mangle(try Self.pod(), &random)) }
        var compared = 0
        var failures = 0
        for document in documents {
            let text = try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed])
            let whole = try CELValue(jsonBytes: Array(text))
            let projected = try CELValue(jsonBytes: Array(text), projection: projection)
            for program in programs {
                let a = program.evaluateReportingCost(["object": whole])
                let b = program.evaluateReportingCost(["object": projected])
                compared += 1
                let same: Bool
                switch (a.result, b.result) {
                case (.success(let x), .success(let y)): same = x == y
                case (.failure(let x), .failure(let y)): same = x.message == y.message
                default: same = false
                }
                if !same || a.cost != b.cost {
                    failures += 1
                    if failures <= 5 {
                        Issue.record("\(program.source) on \(String(decoding: text, as: UTF8.self).prefix(300)): whole \(a.result) cost \(a.cost), projected \(b.result) cost \(b.cost)")
                    }
                }
            }
        }
        #expect(compared == documents.count * programs.count)
        #expect(failures == 0)
    }

    /// Text the projection skips is still checked: malformed JSON fails with the same message.
    @Test func skippedTextIsStillChecked() throws {
        let projection = try Self.analysis(["object.kind == 'Pod'"]).0
        let bad = [
            #"{"kind":"Pod","spec":{"a":[1,2,}}"#, #"{"kind":"Pod","spec":{"a":"\x"}}"#, #"{"kind":"Pod","spec":{"a":01}}"#,
            #"{"kind":"Pod","spec":{"a":tru}}"#, #"{"kind":"Pod","spec":{"a" 1}}"#, #"{"kind":"Pod","spec":{"a":"\ud800"}}"#,
            #"{"kind":"Pod","spec":{"a":1e999}}"#, #"{"kind":"Pod","spec":{"a":"x"#, #"{"kind":"Pod","spec":{1:2}}"#,
            #"{"kind":"Pod","spec":{}} x"#, "{\"kind\":\"Pod\",\"spec\":\"a\u{1}\"}",
            "{\"kind\":\"Pod\",\"spec\":" + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}",
        ]
        for text in bad {
            let whole = #expect(throws: CELError.self) { try CELValue(jsonBytes: Array(text.utf8)) }
            let projected = #expect(throws: CELError.self) { try CELValue(jsonBytes: Array(text.utf8), projection: projection) }
            #expect(whole?.message == projected?.message, "\(text)")
        }
        let good = try CELValue(jsonBytes: Array(#"{"kind":"Pod","spec":{"a":[1,{"b":"\u00e9"}]},"k\u0069nd":"Pod"}"#.utf8), projection: projection)
        #expect(good == .map(CELMap(["kind": "Pod"])))
        // A repeated key keeps its last value, as in a whole parse.
        let repeated = try CELValue(jsonBytes: Array(#"{"kind":"Job","spec":{},"kind":"Pod"}"#.utf8), projection: projection)
        #expect(repeated == .map(CELMap(["kind": "Pod"])))
    }

    /// Keys are matched and skipped strings passed eight bytes at a time: a kept key spelled with
    /// an escape or a non-ASCII character, and an escape, quote or control character in skipped
    /// text, are seen at every offset within and across words, as in a whole parse.
    @Test func keysAndSkippedStringsAreReadAtEveryOffset() throws {
        for offset in 0..<20 {
            let name = String(repeating: "k", count: offset)
            let projection = try Self.analysis(["object['\(name)é'] + object['\(name)x']"]).0
            for tail in [0, 1, 7, 8, 9] {
                let filler = String(repeating: "s", count: tail)
                for piece in [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "é", ""] {
                    let skipped = name + piece + filler
                    let texts = [
                        #"{"\#(name)é":"a","\#(name)\u0078":"b","skip":"\#(skipped)","\#(name)":"c"}"#,
                        #"{"\#(name)\u00e9":"a","\#(skipped)":["\#(skipped)"],"\#(name)x":"b"}"#,
                    ]
                    for text in texts {
                        let whole = try CELValue(jsonBytes: Array(text.utf8))
                        let projected = try CELValue(jsonBytes: Array(text.utf8), projection: projection)
                        guard case .map(let map) = whole else { Issue.record("not a map: \(text)"); continue }
                        #expect(projected == .map(CELMap(["\(name)é": map["\(name)é"]!, "\(name)x": map["\(name)x"]!])), "\(text)")
                    }
                }
                for control: UInt8 in [0x00, 0x1F] {
                    let bytes = Array(#"{"\#(name)x":"b","skip":"\#(name)"#.utf8) + [control] + Array(#"\#(filler)"}"#.utf8)
                    let whole = #expect(throws: CELError.self) { try CELValue(jsonBytes: bytes) }
                    let projected = #expect(throws: CELError.self) { try CELValue(jsonBytes: bytes, projection: projection) }
                    #expect(whole?.message == projected?.message)
                }
            }
        }
    }
}

/// A small deterministic generator (xorshift), so a failing variant can be reproduced.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }
}

/// Random edits to a JSON tree: drop a field, change a value's kind, add a field, empty a list.
enum Mangler {
    static var replacements: [Any] { [NSNull(), true, false, 0, 7, -3, 2.5, "", "x", "Default", [Any](), [1, "a"],
                                      [String: Any](), ["privileged": true], ["hostPath": ["path": "/"]], [["name": "a"]]] }

    static func mangle(_ value: Any, _ random: inout SeededRandom) -> Any {
        var result = value
        for _ in 0..<(1 + random.next(4)) { result = edit(result, &random, depth: 0) }
        return result
    }

    private static func edit(_ value: Any, _ random: inout SeededRandom, depth: Int) -> Any {
        if var map = value as? [String: Any], !map.isEmpty {
            let keys = map.keys.sorted()
            let key = keys[random.next(keys.count)]
            switch random.next(depth < 2 ? 8 : 5) {
            case 0: map[key] = nil
            case 1: map[key] = replacements[random.next(replacements.count)]
            case 2: map["extra\(random.next(3))"] = replacements[random.next(replacements.count)]
            default: map[key] = edit(map[key]!, &random, depth: depth + 1)
            }
            return map
        }
        if var list = value as? [Any], !list.isEmpty {
            let index = random.next(list.count)
            switch random.next(5) {
            case 0: list.remove(at: index)
            case 1: list.append(list[index])
            default: list[index] = edit(list[index], &random, depth: depth + 1)
            }
            return list
        }
        return random.next(2) == 0 ? value : replacements[random.next(replacements.count)]
    }
}
