import BulkheadCEL
import Yams

/// Reads one YAML document's nodes into policy values, recording each problem with its position
/// and carrying on, so that one load reports everything wrong.
struct NodeReader {
    let file: YAMLFile
    var problems: [PolicyProblem] = []
    /// Compile with Kyverno's `orValue` semantics (see ``KyvernoOrValueCompatibility``).
    var kyvernoDialect = false

    init(file: YAMLFile) { self.file = file }

    mutating func problem(_ code: String, _ message: String, _ node: Node, severity: PolicyProblem.Severity = .error) {
        problems.append(PolicyProblem(code, message, at: file.location(node), severity: severity))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A mapping's entries by key, in document order. Keys outside `known` get a warning.
    mutating func mapping(_ node: Node, path: String, known: [String]? = nil) -> [(key: String, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            if !Self.isNull(node) { problem("wrong-type", "\(path) must be a mapping", node) }
            return nil
        }
        var entries: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            if let known, !known.contains(key) {
                problem("unknown-field", "\(Self.join(path, key)) is not a field this loader reads (ignored)", keyNode, severity: .warning)
            }
            entries.append((key, value))
        }
        return entries
    }

    mutating func string(_ node: Node, path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            problem("wrong-type", "\(path) must be a string", node)
            return nil
        }
        if Self.isNull(node) { return nil }
        return scalar.string
    }

    mutating func sequence(_ node: Node, path: String) -> [Node]? {
        if case .sequence(let sequence) = node { return Array(sequence) }
        if !Self.isNull(node) { problem("wrong-type", "\(path) must be a list", node) }
        return nil
    }

    mutating func strings(_ node: Node, path: String) -> [String] {
        guard let items = sequence(node, path: path) else { return [] }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let text = string(item, path: "\(path)[\(index)]") { result.append(text) }
        }
        return result
    }

    mutating func bool(_ node: Node, path: String) -> Bool? {
        guard case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) else {
            problem("wrong-type", "\(path) must be true or false", node)
            return nil
        }
        return value
    }

    mutating func stringMap(_ node: Node, path: String) -> [String: String] {
        var result: [String: String] = [:]
        for entry in mapping(node, path: path) ?? [] {
            if let value = string(entry.value, path: Self.join(path, entry.key)) { result[entry.key] = value }
        }
        return result
    }

    /// The type an expression must have.
    enum Expecting {
        case bool, string, any

        var type: CELType? {
            switch self {
            case .bool: return .bool
            case .string: return .string
            case .any: return nil
            }
        }
    }

    /// Compiles the expression in `node` with the policy environment. A syntax or type error is
    /// reported at its line and column inside the expression, mapped onto the file.
    mutating func expression(_ node: Node, path: String, expecting: Expecting) -> PolicyExpression? {
        guard let source = string(node, path: path) else {
            problem("missing-field", "\(path) must be a CEL expression", node)
            return nil
        }
        let location = file.location(node)
        let program: CELProgram?
        do {
            program = try CELProgram(source: source, options: PolicyEnvironment.options)
        } catch {
            let at = error.position.map { ScalarPosition(file: file).locate(offset: $0.offset, in: node) } ?? location
            let kind = error.code == .syntax ? "syntax error" : "type error"
            problems.append(PolicyProblem("cel-\(error.code.rawValue)", "\(path): CEL \(kind): \(error.message)", at: at))
            return PolicyExpression(source: source, location: location, program: nil)
        }
        if let expected = expecting.type, let found = program?.resultType, !Self.compatible(found, expected) {
            problems.append(PolicyProblem("cel-type", "\(path) must evaluate to \(expected), but has type \(found)", at: location))
        }
        // The text as written compiled; run Kyverno's dialect where it differs.
        if kyvernoDialect, let rewritten = KyvernoOrValueCompatibility.rewrite(source),
           let compatible = try? CELProgram(source: rewritten, options: PolicyEnvironment.options) {
            return PolicyExpression(source: source, location: location, program: compatible)
        }
        return PolicyExpression(source: source, location: location, program: program)
    }

    private static func compatible(_ found: CELType, _ expected: CELType) -> Bool {
        switch found {
        case .dyn, .error, .typeParameter: return true
        case .null: return expected == .string
        default: return found == expected
        }
    }

    /// The position of `needle` inside the expression in `node`, else the scalar's start.
    func locate(_ needle: String, in expression: PolicyExpression, node: Node) -> SourceLocation {
        let haystack = Array(expression.source.unicodeScalars)
        let target = Array(needle.unicodeScalars)
        guard !target.isEmpty, haystack.count >= target.count else { return expression.location }
        for start in 0...(haystack.count - target.count) where Array(haystack[start..<start + target.count]) == target {
            return ScalarPosition(file: file).locate(offset: start, in: node)
        }
        return expression.location
    }
}
