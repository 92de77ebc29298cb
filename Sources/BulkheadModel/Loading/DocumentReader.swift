import BulkheadKube
import Yams

/// Reads one YAML document's nodes into typed values, collecting every problem with its position
/// instead of stopping at the first. Each accessor returns `nil` after recording a problem.
struct DocumentReader {
    let file: String
    var problems: [Problem] = []
    /// Locations of the fields read, by path.
    var fieldLocations: [String: SourceLocation] = [:]
    /// Paths a "did you mean" already pointed to, so a missing required field is not reported twice.
    var suggestedPaths: Set<String> = []
    /// Keys renamed so that a mapping repeating them could be parsed (see `RepeatedKeys`).
    let repeatedKeys: RepeatedKeys
    /// The renamed keys met while reading, so that those never met are still reported.
    var metRenamedKeys: Set<SourceLocation> = []

    init(file: String, repeatedKeys: RepeatedKeys = RepeatedKeys()) {
        self.file = file
        self.repeatedKeys = repeatedKeys
    }

    func location(_ node: Node) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(file: file, line: 1, column: 1) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    mutating func problem(_ code: String, _ message: String, _ node: Node, path: String, found: String? = nil, allowed: String? = nil) {
        problems.append(Problem(code, message, at: location(node), path: path, found: found, allowed: allowed))
    }

    /// `path.key`, or `path["key"]` when the key is not a plain identifier.
    static func join(_ path: String, _ key: String) -> String {
        // ASCII keys (nearly all) are checked byte by byte; Character properties are slow.
        let ascii = key.utf8.allSatisfy { $0 < 0x80 }
        let plain = !key.isEmpty && (ascii
            ? key.utf8.allSatisfy { byte in (byte | 0x20) >= 97 && (byte | 0x20) <= 122 || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "_") }
            : key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        if plain { return path.isEmpty ? key : "\(path).\(key)" }
        return "\(path)[\"\(key)\"]"
    }

    /// The resolved YAML tag of a node (str, int, float, bool, null, ...), by Yams' default rules.
    ///
    /// Documents are composed with `Resolver.basic` (no rules), because Yams runs its regular
    /// expressions each time a node's tag is read, which was half of the loading time. Here a
    /// plain scalar is sent through `Resolver.default` only when it could match one of its rules.
    static func tag(_ node: Node) -> Tag.Name {
        guard case .scalar(let scalar) = node, scalar.style == .plain, mayResolveToNonString(scalar.string) else {
            return Tag.Name(rawValue: node.tag.rawValue)
        }
        return Resolver.default.resolveTag(of: node)
    }

    /// False only for text that none of Yams' default rules (bool, int, float, merge, null,
    /// timestamp, value) can match: those start with a sign, digit, dot, `<`, `~` or `=`, or are
    /// words of at most five letters starting with y, n, t, f or o (`yes`, `null`, `false`, `off`).
    static func mayResolveToNonString(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        switch first {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "<"), UInt8(ascii: "~"), UInt8(ascii: "="):
            return true
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            return text.utf8.count <= 5
        default:
            return false
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if Self.tag(node) == .null || (scalar.string.isEmpty && scalar.style == .plain) { return "nothing (null)" }
            let kind: String
            switch Self.tag(node) {
            case .int: kind = "number"
            case .float: kind = "number"
            case .bool: kind = "boolean"
            default: kind = "string"
            }
            return "\(kind) '\(scalar.string)'"
        }
    }

    /// Reads a mapping, reporting keys outside `allowed` (with a near-miss suggestion), non-string
    /// keys and repeated keys (the first occurrence is read). Returns the entries by key, in
    /// document order.
    mutating func mapping(_ node: Node, path: String, allowed: [String]?) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            problem("wrong-type", "must be a mapping", node, path: path, found: Self.describe(node), allowed: "a mapping of keys to values")
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        var firstOccurrence: [String: SourceLocation] = [:]
        var repeatLines: [String: [Int]] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                problem("wrong-type", "keys must be strings", keyNode, path: path, found: Self.describe(keyNode))
                continue
            }
            // A renamed key is the first occurrence of a repeated key (see `RepeatedKeys`).
            let at = location(keyNode)
            let realKey = repeatedKeys.renamed[at]
            let key = realKey ?? scalar.string
            if realKey != nil { metRenamedKeys.insert(at) }
            if firstOccurrence[key] != nil {
                repeatLines[key, default: []].append(at.line)
                continue
            }
            if realKey != nil { firstOccurrence[key] = at }
            let childPath = Self.join(path, key)
            if let allowed, !allowed.contains(key) {
                let hint = Suggestion.hint(for: key, among: allowed)
                if let suggestion = Suggestion.closest(to: key, among: allowed) { suggestedPaths.insert(Self.join(path, suggestion)) }
                problem("unknown-field", "unknown field '\(key)'\(hint)", keyNode, path: childPath,
                        allowed: allowed.joined(separator: ", "))
                continue
            }
            fieldLocations[childPath] = location(value)
            entries.append((key, keyNode, value))
        }
        for (key, lines) in repeatLines.sorted(by: { $0.key < $1.key }) {
            let distinct = lines.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
            let again = (distinct.count == 1 ? "line " : "lines ") + distinct.map(String.init).joined(separator: ", ")
            problems.append(Problem("duplicate-key", "key '\(key)' appears more than once in one mapping; again at \(again)",
                                    at: firstOccurrence[key], path: Self.join(path, key)))
        }
        return entries
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return Self.tag(node) == .null && scalar.style == .plain }
        return false
    }

    /// A scalar's text; numbers and booleans are read as the text written ("1.30" stays "1.30").
    mutating func string(_ node: Node, path: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            problem("wrong-type", "must be a string", node, path: path, found: Self.describe(node), allowed: "a string")
            return nil
        }
        return scalar.string
    }

    mutating func oneOf(_ node: Node, path: String, allowed: [String]) -> String? {
        guard let text = string(node, path: path) else { return nil }
        guard allowed.contains(text) else {
            let hint = Suggestion.hint(for: text, among: allowed)
            problem("not-allowed", "'\(text)' is not a valid value\(hint)", node, path: path, found: "'\(text)'", allowed: allowed.joined(separator: " | "))
            return nil
        }
        return text
    }

    mutating func dnsLabel(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        guard Names.isDNSLabel(text) else {
            problem("bad-name", "'\(text)' is not a DNS-1123 label", node, path: path, found: "'\(text)'", allowed: Names.dnsLabelRule)
            return nil
        }
        return text
    }

    mutating func int(_ node: Node, path: String, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, Self.tag(node) == .int, let value = Int(scalar.string) else {
            problem("wrong-type", "must be a whole number", node, path: path, found: Self.describe(node), allowed: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(value) else {
            problem("out-of-range", "\(value) is out of range", node, path: path, found: String(value), allowed: "\(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func double(_ node: Node, path: String, range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, Self.tag(node) == .int || Self.tag(node) == .float, let value = Double(scalar.string) else {
            problem("wrong-type", "must be a number", node, path: path, found: Self.describe(node), allowed: "a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(value) else {
            problem("out-of-range", "\(scalar.string) is out of range", node, path: path, found: scalar.string, allowed: "\(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node, path: String) -> Bool? {
        guard case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string), Self.tag(node) == .bool else {
            problem("wrong-type", "must be true or false", node, path: path, found: Self.describe(node), allowed: "true | false")
            return nil
        }
        return scalar.string == "true"
    }

    /// A Kubernetes quantity, written as a string or a number; must not be negative.
    mutating func quantity(_ node: Node, path: String) -> (text: String, value: Quantity)? {
        guard case .scalar(let scalar) = node, !Self.isNull(node), Self.tag(node) != .bool else {
            problem("wrong-type", "must be a quantity", node, path: path, found: Self.describe(node), allowed: "a Kubernetes quantity such as 500m, 2, 4Gi")
            return nil
        }
        guard let value = Quantity(scalar.string), value >= .zero else {
            problem("bad-quantity", "'\(scalar.string)' is not a valid quantity", node, path: path, found: "'\(scalar.string)'",
                    allowed: "a non-negative number with an optional suffix: \(Quantity.allowedSuffixes)")
            return nil
        }
        return (scalar.string, value)
    }

    mutating func list(_ node: Node, path: String, nonEmpty: Bool = false) -> [(index: Int, node: Node)]? {
        guard case .sequence(let sequence) = node else {
            problem("wrong-type", "must be a list", node, path: path, found: Self.describe(node), allowed: "a list")
            return nil
        }
        if nonEmpty && sequence.isEmpty {
            problem("empty-list", "must list at least one entry", node, path: path, found: "an empty list")
            return nil
        }
        return sequence.enumerated().map { ($0.offset, $0.element) }
    }

    /// A list of strings, each checked by `element`; duplicates are reported.
    mutating func stringList(_ node: Node, path: String, nonEmpty: Bool = false, element: (inout DocumentReader, Node, String) -> String?) -> [String]? {
        guard let items = list(node, path: path, nonEmpty: nonEmpty) else { return nil }
        var values: [String] = []
        var ok = true
        for (index, item) in items {
            let itemPath = "\(path)[\(index)]"
            fieldLocations[itemPath] = location(item)
            guard let value = element(&self, item, itemPath) else { ok = false; continue }
            if values.contains(value) {
                problem("duplicate", "'\(value)' is listed twice", item, path: itemPath, found: "'\(value)'")
                ok = false
                continue
            }
            values.append(value)
        }
        return ok ? values : nil
    }

    /// A mapping of string keys to scalar values (labels, add-on versions).
    mutating func stringMap(_ node: Node, path: String) -> [String: String]? {
        guard let entries = mapping(node, path: path, allowed: nil) else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            if let value = string(entry.value, path: Self.join(path, entry.key)) { result[entry.key] = value }
        }
        return result
    }
}
