import Foundation

/// Regular expressions: `matches`, `find`, `findAll`.
///
/// Patterns run on Foundation's `NSRegularExpression` (ICU), not RE2. The common syntax is the
/// same; differences: ICU also accepts backreferences and lookaround (RE2 rejects them), RE2's
/// `\C`, `\pN` one-letter classes without braces and `(?P<name>...)` groups are not supported, and
/// matching is backtracking rather than linear-time, which the cost limit keeps in check. Literal
/// patterns are compiled once, when the program is compiled.
struct CompiledRegex: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as safe to use from several threads.
    let expression: NSRegularExpression

    init(_ pattern: String) throws(EvalError) {
        do {
            // ICU rejects an empty pattern, which RE2 accepts and which matches everywhere.
            expression = try NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : pattern)
        } catch {
            throw EvalError("invalid regular expression '\(pattern)'")
        }
    }

    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    func find(_ text: String, limit: Int) -> [String] {
        var found: [String] = []
        let results = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        for result in results {
            if limit >= 0, found.count >= limit { break }
            if let range = Range(result.range, in: text) { found.append(String(text[range])) }
        }
        return found
    }
}

extension Library {
    mutating func addRegex() {
        both("matches", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let pattern) = arguments[1] else {
                throw EvalError.noOverload("matches", arguments)
            }
            return .bool(try CompiledRegex(pattern).matches(text))
        }
        member("find", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let pattern) = arguments[1] else {
                throw EvalError.noOverload("find", arguments)
            }
            return .string(try CompiledRegex(pattern).find(text, limit: 1).first ?? "")
        }
        member("findAll", linearCost: true) { arguments throws(EvalError) in
            try Self.findAll(arguments, regex: nil)
        }
    }

    static func findAll(_ arguments: [CELValue], regex: CompiledRegex?) throws(EvalError) -> CELValue {
        guard arguments.count == 2 || arguments.count == 3, case .string(let text) = arguments[0],
            case .string(let pattern) = arguments[1]
        else { throw EvalError.noOverload("findAll", arguments) }
        var limit = -1
        if arguments.count == 3 {
            guard case .int(let count) = arguments[2] else { throw EvalError.noOverload("findAll", arguments) }
            limit = Int(clamping: count)
        }
        let compiled: CompiledRegex
        if let regex { compiled = regex } else { compiled = try CompiledRegex(pattern) }
        return .list(compiled.find(text, limit: limit).map(CELValue.string))
    }

    /// A version of `function` specialized for constant arguments (a literal regex pattern is
    /// compiled once), or nil when nothing can be precomputed.
    static func specialize(_ function: Function, _ arguments: [Node]) -> Function? {
        guard ["matches", "find", "findAll"].contains(function.name), arguments.count >= 2,
            case .constant(.string(let pattern)) = arguments[1], let regex = try? CompiledRegex(pattern)
        else { return nil }
        let name = function.name
        return Function(name: name, implementation: { arguments throws(EvalError) in
            guard case .string(let text) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
            switch (name, arguments.count) {
            case ("matches", 2): return .bool(regex.matches(text))
            case ("find", 2): return .string(regex.find(text, limit: 1).first ?? "")
            case ("findAll", _): return try findAll(arguments, regex: regex)
            default: throw EvalError.noOverload(name, arguments)
            }
        }, linearCost: true)
    }
}
