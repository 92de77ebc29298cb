import BulkheadKube
import Foundation
import Testing

/// The tree encoder builds strings, numbers, string dictionaries and string lists directly,
/// without their `Encodable` conformances. Its trees must hold what Foundation's `JSONEncoder`
/// makes of the same values.
@Suite struct TreeEncoderTests {
    struct Sample: Encodable {
        var name: String
        var labels: [String: String]
        var annotations: [String: String]?
        var absent: [String: String]?
        var verbs: [String]
        var nested: [[String: String]]
        var emptyList: [String]
        var emptyMap: [String: String]
        var count: Int
        var wide: Int64
        var port: Int32
        var ratio: Double
        var flag: Bool
        var metadata: ObjectMeta
        var selector: LabelSelector
    }

    static let sample = Sample(
        name: "payments",
        labels: ["bulkhead.dev/tenant": "payments", "team": "core", "a": "1", "z": "yes"],
        annotations: ["note": "it's: fine"],
        absent: nil,
        verbs: ["get", "list", "watch"],
        nested: [["k": "v"], [:], ["x": "y", "w": "v"]],
        emptyList: [],
        emptyMap: [:],
        count: 42, wide: 1 << 40, port: 8080, ratio: 0.25, flag: true,
        metadata: ObjectMeta(name: "web", namespace: "payments", labels: ["app": "web"]),
        selector: LabelSelector(matchLabels: nil))

    @Test func theTreeHoldsWhatJSONEncoderWrites() throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.sample))
        let tree = Self.plain(try TreeNode(encoding: Self.sample))
        #expect(try Self.canonical(tree) == Self.canonical(json))
        #expect(try Self.canonical(tree).contains("\"bulkhead.dev\\/tenant\":\"payments\""))
    }

    @Test func aDictionaryOrListAtTheTopIsEncodedToo() throws {
        let labels = ["b": "2", "a": "1"]
        #expect(YAMLWriter.document(try TreeNode(encoding: labels)) == "a: '1'\nb: '2'\n")
        #expect(YAMLWriter.document(try TreeNode(encoding: ["x", "10"])) == "- x\n- '10'\n")
    }

    /// Foundation values as JSON text with sorted keys.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A tree as Foundation values, for comparison with JSONSerialization's.
    static func plain(_ node: TreeNode) -> Any {
        switch node {
        case .string(let text): text
        case .int(let number): Int(number)
        case .double(let number): number
        case .bool(let value): value
        case .null: NSNull()
        case .map(let box): Dictionary(box.entries.map { ($0.key, plain($0.value)) }, uniquingKeysWith: { first, _ in first })
        case .list(let box): box.items.map(plain)
        }
    }
}
