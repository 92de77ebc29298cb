#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// String functions: the standard `contains`/`startsWith`/`endsWith` and the strings extension
/// (`charAt`, `indexOf`, `split`, `substring`, `trim`, `join`, `quote`...). Indexes count Unicode
/// code points, not grapheme clusters or UTF-8 bytes.
extension Library {
    mutating func addStrings() {
        member("contains", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let part) = arguments[1] else {
                throw EvalError.noOverload("contains", arguments)
            }
            return .bool(Self.containsBytes(text, part))
        }
        member("startsWith", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let prefix) = arguments[1] else {
                throw EvalError.noOverload("startsWith", arguments)
            }
            // On UTF-8 bytes: a valid encoding is a prefix, suffix or part of another exactly when
            // its code points are, and the bytes are read in place.
            return .bool(text.utf8.starts(with: prefix.utf8))
        }
        member("endsWith", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let suffix) = arguments[1] else {
                throw EvalError.noOverload("endsWith", arguments)
            }
            let textBytes = text.utf8, suffixBytes = suffix.utf8
            return .bool(suffixBytes.count <= textBytes.count && textBytes.dropFirst(textBytes.count - suffixBytes.count).elementsEqual(suffixBytes))
        }
        member("charAt") { arguments throws(EvalError) in
            guard arguments.count == 2, case .string(let text) = arguments[0], case .int(let index) = arguments[1] else {
                throw EvalError.noOverload("charAt", arguments)
            }
            let scalars = Array(text.unicodeScalars)
            guard index >= 0, index <= scalars.count else { throw EvalError("index out of range: \(index)") }
            return .string(index == scalars.count ? "" : String(scalars[Int(index)]))
        }
        member("indexOf", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2 || arguments.count == 3, case .string(let text) = arguments[0],
                case .string(let part) = arguments[1]
            else { return try Self.listIndexOf(arguments, last: false) }
            let scalars = Array(text.unicodeScalars)
            var start = 0
            if arguments.count == 3 {
                guard case .int(let offset) = arguments[2] else { throw EvalError.noOverload("indexOf", arguments) }
                guard offset >= 0, offset <= scalars.count else { throw EvalError("index out of range: \(offset)") }
                start = Int(offset)
            }
            return .int(Int64(Self.find(scalars, Array(part.unicodeScalars), from: start) ?? -1))
        }
        member("lastIndexOf", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2 || arguments.count == 3, case .string(let text) = arguments[0],
                case .string(let part) = arguments[1]
            else { return try Self.listIndexOf(arguments, last: true) }
            let scalars = Array(text.unicodeScalars)
            let needle = Array(part.unicodeScalars)
            var start = scalars.count
            if arguments.count == 3 {
                guard case .int(let offset) = arguments[2] else { throw EvalError.noOverload("lastIndexOf", arguments) }
                guard offset >= 0, offset <= scalars.count else { throw EvalError("index out of range: \(offset)") }
                start = Int(offset)
            }
            var candidate = min(start, scalars.count - needle.count)
            while candidate >= 0 {
                if scalars[candidate..<(candidate + needle.count)].elementsEqual(needle) { return .int(Int64(candidate)) }
                candidate -= 1
            }
            return .int(-1)
        }
        member("lowerAscii", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("lowerAscii", arguments) }
            var result = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                result.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
            }
            return .string(String(result))
        }
        member("upperAscii", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("upperAscii", arguments) }
            var result = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                result.append(("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 32)! : scalar)
            }
            return .string(String(result))
        }
        member("replace", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 3 || arguments.count == 4, case .string(let text) = arguments[0],
                case .string(let old) = arguments[1], case .string(let new) = arguments[2]
            else { throw EvalError.noOverload("replace", arguments) }
            var limit = -1
            if arguments.count == 4 {
                guard case .int(let count) = arguments[3] else { throw EvalError.noOverload("replace", arguments) }
                limit = Int(clamping: count)
            }
            return .string(Self.replace(text, old, new, limit: limit))
        }
        member("split", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 2 || arguments.count == 3, case .string(let text) = arguments[0],
                case .string(let separator) = arguments[1]
            else { throw EvalError.noOverload("split", arguments) }
            var limit = -1
            if arguments.count == 3 {
                guard case .int(let count) = arguments[2] else { throw EvalError.noOverload("split", arguments) }
                limit = Int(clamping: count)
            }
            return .list(Self.split(text, separator, limit: limit).map(CELValue.string))
        }
        member("substring") { arguments throws(EvalError) in
            guard arguments.count == 2 || arguments.count == 3, case .string(let text) = arguments[0],
                case .int(let start) = arguments[1]
            else { throw EvalError.noOverload("substring", arguments) }
            let scalars = Array(text.unicodeScalars)
            var end = Int64(scalars.count)
            if arguments.count == 3 {
                guard case .int(let value) = arguments[2] else { throw EvalError.noOverload("substring", arguments) }
                end = value
            }
            guard start >= 0, start <= scalars.count else { throw EvalError("index out of range: \(start)") }
            guard end >= 0, end <= scalars.count else { throw EvalError("index out of range: \(end)") }
            guard start <= end else { throw EvalError("invalid substring range. start: \(start), end: \(end)") }
            var result = String.UnicodeScalarView()
            result.append(contentsOf: scalars[Int(start)..<Int(end)])
            return .string(String(result))
        }
        member("trim", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("trim", arguments) }
            let scalars = Array(text.unicodeScalars)
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return .string("") }
            var result = String.UnicodeScalarView()
            result.append(contentsOf: scalars[first...last])
            return .string(String(result))
        }
        member("join", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1 || arguments.count == 2, case .list(let list) = arguments[0] else {
                throw EvalError.noOverload("join", arguments)
            }
            var separator = ""
            if arguments.count == 2 {
                guard case .string(let text) = arguments[1] else { throw EvalError.noOverload("join", arguments) }
                separator = text
            }
            var parts: [String] = []
            for element in list {
                guard case .string(let text) = element else { throw EvalError.noOverload("join", arguments) }
                parts.append(text)
            }
            return .string(parts.joined(separator: separator))
        }
        member("reverse", linearCost: true) { arguments throws(EvalError) in
            switch (arguments.count, arguments.first) {
            case (1, .string(let text)):
                var result = String.UnicodeScalarView()
                result.append(contentsOf: text.unicodeScalars.reversed())
                return .string(String(result))
            case (1, .list(let list)): return .list(list.reversed())
            default: throw EvalError.noOverload("reverse", arguments)
            }
        }
        global("strings.quote", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("strings.quote", arguments) }
            return .string(Self.quote(text))
        }
    }

    /// The first index at or after `start` where `needle` occurs in `haystack`.
    /// Whether `part`'s UTF-8 bytes occur in `text`'s (the same as its code points occurring).
    static func containsBytes(_ text: String, _ part: String) -> Bool {
        var text = text, part = part
        return text.withUTF8 { haystack in
            part.withUTF8 { needle in
                guard let first = needle.first else { return true }
                guard needle.count <= haystack.count else { return false }
                var candidate = 0
                while candidate + needle.count <= haystack.count {
                    if haystack[candidate] == first && memcmp(haystack.baseAddress! + candidate, needle.baseAddress!, needle.count) == 0 {
                        return true
                    }
                    candidate += 1
                }
                return false
            }
        }
    }

    static func find(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar], from start: Int) -> Int? {
        guard needle.count <= haystack.count - start else { return nil }
        if needle.isEmpty { return start }
        var candidate = start
        while candidate + needle.count <= haystack.count {
            if haystack[candidate] == needle[0], haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    static func replace(_ text: String, _ old: String, _ new: String, limit: Int) -> String {
        let scalars = Array(text.unicodeScalars)
        let needle = Array(old.unicodeScalars)
        var result = String.UnicodeScalarView()
        var position = 0
        var replaced = 0
        while position <= scalars.count {
            if limit >= 0, replaced >= limit { break }
            guard let found = find(scalars, needle, from: position) else { break }
            result.append(contentsOf: scalars[position..<found])
            result.append(contentsOf: new.unicodeScalars)
            replaced += 1
            if needle.isEmpty {
                if found < scalars.count { result.append(scalars[found]) }
                position = found + 1
            } else {
                position = found + needle.count
            }
        }
        if position < scalars.count { result.append(contentsOf: scalars[position...]) }
        return String(result)
    }

    static func split(_ text: String, _ separator: String, limit: Int) -> [String] {
        if limit == 0 { return [] }
        let scalars = Array(text.unicodeScalars)
        let needle = Array(separator.unicodeScalars)
        func string(_ slice: ArraySlice<Unicode.Scalar>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: slice)
            return String(view)
        }
        if needle.isEmpty {
            var parts = scalars.map { String($0) }
            if limit > 0, parts.count > limit {
                parts = Array(parts[0..<(limit - 1)]) + [string(scalars[(limit - 1)...])]
            }
            return parts
        }
        var parts: [String] = []
        var position = 0
        while limit < 0 || parts.count < limit - 1, let found = find(scalars, needle, from: position) {
            parts.append(string(scalars[position..<found]))
            position = found + needle.count
        }
        parts.append(string(scalars[position...]))
        return parts
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{07}": result += "\\a"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{0B}": result += "\\v"
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
