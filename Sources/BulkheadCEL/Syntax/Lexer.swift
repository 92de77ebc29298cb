/// Splits CEL source into tokens, decoding literals and tracking line:column positions.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var offset = 0
    private var line = 1
    private var column = 1

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    static func tokenize(_ source: String) throws(CELError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var position: CELSourcePosition { CELSourcePosition(offset: offset, line: line, column: column) }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        offset + ahead < scalars.count ? scalars[offset + ahead] : nil
    }

    private mutating func advance() {
        if scalars[offset] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        offset += 1
    }

    private func error(_ message: String, at position: CELSourcePosition? = nil) -> CELError {
        CELError(.syntax, message, at: position ?? self.position)
    }

    private mutating func skipTrivia() {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                advance()
            } else if scalar == "/", peek(1) == "/" {
                while let next = peek(), next != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    private static func hexValue(_ scalar: Unicode.Scalar?) -> UInt32? {
        guard let scalar else { return nil }
        switch scalar {
        case "0"..."9": return scalar.value - 48
        case "a"..."f": return scalar.value - 87
        case "A"..."F": return scalar.value - 55
        default: return nil
        }
    }

    mutating func next() throws(CELError) -> Token {
        skipTrivia()
        let start = position
        guard let scalar = peek() else { return Token(kind: .end, position: start) }

        if Self.isIdentifierStart(scalar) {
            // String prefixes: r, b, br, rb in either case.
            var prefixLength = 0
            var raw = false
            var bytes = false
            while prefixLength < 2, let candidate = peek(prefixLength) {
                let lower = String(candidate).lowercased()
                if lower == "r", !raw { raw = true } else if lower == "b", !bytes { bytes = true } else { break }
                prefixLength += 1
            }
            if prefixLength > 0, let quote = peek(prefixLength), quote == "'" || quote == "\"" {
                for _ in 0..<prefixLength { advance() }
                return try lexString(raw: raw, bytes: bytes, start: start)
            }
            var name = ""
            while let next = peek(), Self.isIdentifierStart(next) || Self.isDigit(next) {
                name.unicodeScalars.append(next)
                advance()
            }
            return Token(kind: .identifier(name), position: start)
        }
        if Self.isDigit(scalar) || (scalar == "." && Self.isDigit(peek(1))) {
            return try lexNumber(start: start)
        }
        if scalar == "'" || scalar == "\"" {
            return try lexString(raw: false, bytes: false, start: start)
        }
        if scalar == "`" {
            advance()
            var name = ""
            while let next = peek(), next != "`" {
                guard next != "\n" else { throw error("unterminated quoted identifier", at: start) }
                name.unicodeScalars.append(next)
                advance()
            }
            guard peek() == "`" else { throw error("unterminated quoted identifier", at: start) }
            advance()
            return Token(kind: .quotedIdentifier(name), position: start)
        }
        let twoCharacter: Set<String> = ["==", "!=", "<=", ">=", "&&", "||"]
        if let second = peek(1) {
            let pair = String(scalar) + String(second)
            if twoCharacter.contains(pair) {
                advance()
                advance()
                return Token(kind: .punctuation(pair), position: start)
            }
        }
        let single: Set<Unicode.Scalar> = ["(", ")", "[", "]", "{", "}", ".", ",", ":", "?", "!", "-", "+", "*", "/", "%", "<", ">"]
        if single.contains(scalar) {
            advance()
            return Token(kind: .punctuation(String(scalar)), position: start)
        }
        throw error("unexpected character '\(scalar)'")
    }

    private mutating func lexNumber(start: CELSourcePosition) throws(CELError) -> Token {
        var text = ""
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            advance()
            advance()
            while let next = peek(), Self.hexValue(next) != nil {
                text.unicodeScalars.append(next)
                advance()
            }
            guard !text.isEmpty else { throw error("invalid hexadecimal literal", at: start) }
            guard let value = UInt64(text, radix: 16) else { throw error("integer literal out of range", at: start) }
            if let suffix = peek(), suffix == "u" || suffix == "U" {
                advance()
                return Token(kind: .uint(value), position: start)
            }
            return Token(kind: .int(value), position: start)
        }
        var isDouble = false
        while Self.isDigit(peek()) {
            text.unicodeScalars.append(peek()!)
            advance()
        }
        if peek() == ".", Self.isDigit(peek(1)) {
            isDouble = true
            text.append(".")
            advance()
            while Self.isDigit(peek()) {
                text.unicodeScalars.append(peek()!)
                advance()
            }
        }
        if let e = peek(), e == "e" || e == "E" {
            var lookahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" { lookahead = 2 }
            if Self.isDigit(peek(lookahead)) {
                isDouble = true
                for _ in 0..<lookahead {
                    text.unicodeScalars.append(peek()!)
                    advance()
                }
                while Self.isDigit(peek()) {
                    text.unicodeScalars.append(peek()!)
                    advance()
                }
            }
        }
        if isDouble {
            guard let value = Double(text) else { throw error("invalid floating-point literal", at: start) }
            return Token(kind: .double(value), position: start)
        }
        guard let value = UInt64(text) else { throw error("integer literal out of range", at: start) }
        if let suffix = peek(), suffix == "u" || suffix == "U" {
            advance()
            return Token(kind: .uint(value), position: start)
        }
        return Token(kind: .int(value), position: start)
    }

    private mutating func lexString(raw: Bool, bytes: Bool, start: CELSourcePosition) throws(CELError) -> Token {
        let quote = peek()!
        let triple = peek(1) == quote && peek(2) == quote
        for _ in 0..<(triple ? 3 : 1) { advance() }
        var text = String.UnicodeScalarView()
        var octets: [UInt8] = []
        func appendScalar(_ scalar: Unicode.Scalar) {
            if bytes { octets.append(contentsOf: Array(String(scalar).utf8)) } else { text.append(scalar) }
        }
        while true {
            guard let scalar = peek() else { throw error("unterminated string literal", at: start) }
            if scalar == quote {
                if !triple {
                    advance()
                    break
                }
                if peek(1) == quote, peek(2) == quote {
                    advance()
                    advance()
                    advance()
                    break
                }
            }
            if !triple, scalar == "\n" || scalar == "\r" {
                throw error("newline in string literal", at: start)
            }
            if scalar == "\\", !raw {
                let escapeStart = position
                advance()
                guard let escaped = peek() else { throw error("unterminated string literal", at: start) }
                advance()
                switch escaped {
                case "a": appendScalar("\u{07}")
                case "b": appendScalar("\u{08}")
                case "f": appendScalar("\u{0C}")
                case "n": appendScalar("\n")
                case "r": appendScalar("\r")
                case "t": appendScalar("\t")
                case "v": appendScalar("\u{0B}")
                case "\\", "?", "\"", "'", "`": appendScalar(escaped)
                case "x", "X", "u", "U":
                    let width = escaped == "u" ? 4 : escaped == "U" ? 8 : 2
                    var value: UInt32 = 0
                    for _ in 0..<width {
                        guard let digit = Self.hexValue(peek()) else { throw error("invalid escape sequence", at: escapeStart) }
                        value = value * 16 + digit
                        advance()
                    }
                    if bytes, width == 2 {
                        octets.append(UInt8(value))
                    } else {
                        guard !bytes || width == 2, let decoded = Unicode.Scalar(value) else {
                            throw error("invalid unicode code point in escape sequence", at: escapeStart)
                        }
                        appendScalar(decoded)
                    }
                case "0"..."3":
                    var value = escaped.value - 48
                    for _ in 0..<2 {
                        guard let digit = peek(), ("0"..."7").contains(digit) else {
                            throw error("invalid octal escape sequence", at: escapeStart)
                        }
                        value = value * 8 + digit.value - 48
                        advance()
                    }
                    if bytes { octets.append(UInt8(value)) } else { text.append(Unicode.Scalar(value)!) }
                default:
                    throw error("invalid escape sequence '\\\(escaped)'", at: escapeStart)
                }
                continue
            }
            appendScalar(scalar)
            advance()
        }
        if bytes { return Token(kind: .bytes(octets), position: start) }
        return Token(kind: .string(String(text)), position: start)
    }
}
