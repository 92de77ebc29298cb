/// Kyverno's dialect of `orValue`: Kyverno evaluates `x.orValue(y)` with cel-go's older
/// behaviour, where a receiver that is not an optional is returned as it is
/// (`[1].orValue([])` is `[1]`), instead of failing with "no matching overload" as standard CEL
/// (and this CEL engine) does. Kyverno's published policies rely on it, for instance
/// `container.securityContext.capabilities.add.orValue([])`.
///
/// This rewrites each such call, in the text, to an equivalent standard expression:
///
///     cel.bind(kyvernoOrValue0, x, type(kyvernoOrValue0) == optional_type ? kyvernoOrValue0.orValue(y) : kyvernoOrValue0)
///
/// Calls whose receiver is a plain optional select chain (`a.?b.?c`) are left alone; they are
/// optional already. One difference remains: Kyverno also returns `y` when `x` is an error (a
/// missing field selected without `?`); here the error propagates. The original text is always
/// compiled first, so syntax and type errors are reported against what the author wrote.
enum KyvernoOrValueCompatibility {
    static let bindingPrefix = "kyvernoOrValue"

    /// The rewritten source, or nil when nothing needed rewriting.
    static func rewrite(_ source: String) -> String? {
        guard source.contains("orValue") else { return nil }
        var text = Array(source.unicodeScalars)
        var counter = 0
        var searchFrom = 0
        var changed = false
        while let call = nextCall(in: text, from: searchFrom) {
            guard let receiverStart = receiverStart(in: text, dot: call.dot),
                  let close = matchingClose(in: text, open: call.open) else { break }
            let receiver = Array(text[receiverStart..<call.dot])
            let receiverText = String(String.UnicodeScalarView(receiver))
            if receiverText.hasPrefix(bindingPrefix) || isOptionalSelectChain(receiver) {
                searchFrom = call.open + 1
                continue
            }
            let argument = String(String.UnicodeScalarView(text[(call.open + 1)..<close]))
            let name = "\(bindingPrefix)\(counter)"
            counter += 1
            let replacement = "cel.bind(\(name), \(receiverText), type(\(name)) == optional_type ? \(name).orValue(\(argument)) : \(name))"
            text.replaceSubrange(receiverStart...close, with: Array(replacement.unicodeScalars))
            changed = true
            // Continue after the binding's name, so calls inside the receiver and argument are
            // rewritten too.
            searchFrom = receiverStart + "cel.bind(".unicodeScalars.count
        }
        return changed ? String(String.UnicodeScalarView(text)) : nil
    }

    /// The next `.orValue(` outside string literals at or after `from`: the dot and the parenthesis.
    private static func nextCall(in text: [Unicode.Scalar], from: Int) -> (dot: Int, open: Int)? {
        let code = ExpressionScan.withoutStringLiterals(text)
        let needle = Array("orValue".unicodeScalars)
        var index = max(from, 1)
        while index + needle.count < code.count {
            if code[index - 1] == ".", Array(code[index..<index + needle.count]) == needle {
                var open = index + needle.count
                while open < code.count, code[open] == " " { open += 1 }
                let boundary = index + needle.count < code.count && !ExpressionScan.isIdentifierPart(code[index + needle.count])
                if boundary, open < code.count, code[open] == "(" { return (index - 1, open) }
            }
            index += 1
        }
        return nil
    }

    /// Where the receiver of the member call whose dot is at `dot` begins: the chain of
    /// identifiers, selections, indexes and calls before it.
    private static func receiverStart(in text: [Unicode.Scalar], dot: Int) -> Int? {
        let code = ExpressionScan.withoutStringLiterals(text)
        var index = dot - 1
        while index >= 0, code[index] == " " { index -= 1 }
        var start: Int?
        while index >= 0 {
            let scalar = code[index]
            if scalar == ")" || scalar == "]" || scalar == "}" {
                guard let open = matchingOpen(in: code, close: index) else { return nil }
                start = open
                index = open - 1
                if scalar == "}" { break }
                // A call's name, or an indexed value, continues the chain.
                if index >= 0, ExpressionScan.isIdentifierPart(code[index]) || code[index] == "]" { continue }
                break
            } else if scalar == "'" || scalar == "\"" {
                var open = index - 1
                while open >= 0, code[open] != scalar { open -= 1 }
                guard open >= 0 else { return nil }
                start = open
                break
            } else if ExpressionScan.isIdentifierPart(scalar) {
                while index >= 0, ExpressionScan.isIdentifierPart(code[index]) { index -= 1 }
                start = index + 1
                if index >= 0, code[index] == "?", index >= 1, code[index - 1] == "." {
                    index -= 2
                } else if index >= 0, code[index] == "." {
                    index -= 1
                } else {
                    break
                }
            } else {
                break
            }
        }
        return start
    }

    private static func matchingOpen(in code: [Unicode.Scalar], close: Int) -> Int? {
        var depth = 0
        var index = close
        while index >= 0 {
            switch code[index] {
            case ")", "]", "}": depth += 1
            case "(", "[", "{":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index -= 1
        }
        return nil
    }

    private static func matchingClose(in text: [Unicode.Scalar], open: Int) -> Int? {
        let code = ExpressionScan.withoutStringLiterals(text)
        var depth = 0
        for index in open..<code.count {
            switch code[index] {
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
        }
        return nil
    }

    /// `a.?b`, `a.b.?c`: identifiers and selections only, at least one of them optional.
    private static func isOptionalSelectChain(_ receiver: [Unicode.Scalar]) -> Bool {
        var sawOptional = false
        for (index, scalar) in receiver.enumerated() {
            if scalar == "?" {
                guard index > 0, receiver[index - 1] == "." else { return false }
                sawOptional = true
            } else if !(ExpressionScan.isIdentifierPart(scalar) || scalar == ".") {
                return false
            }
        }
        return sawOptional
    }
}
