/// A recursive-descent parser for the CEL grammar; expands macros as it goes.
struct Parser {
    private var tokens: [Token]
    private var current = 0
    private var depth = 0
    private let macros: Bool

    /// Nesting limit, counting each operator of a chain such as `a + b + c` as one level, so
    /// that evaluation never recurses deeper than this.
    static let maximumDepth = 250
    static let maximumLength = 100_000
    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while", "in", "true", "false", "null",
    ]

    /// Parses `source` into an expression tree.
    static func parse(_ source: String, macros: Bool = true) throws(CELError) -> Expression {
        guard source.unicodeScalars.count <= maximumLength else {
            throw CELError(.syntax, "expression is longer than \(maximumLength) code points", at: CELSourcePosition(offset: 0, line: 1, column: 1))
        }
        var parser = Parser(tokens: try Lexer.tokenize(source), macros: macros)
        let expression = try parser.parseExpression()
        guard parser.peek.kind == .end else {
            throw CELError(.syntax, "unexpected \(parser.describe(parser.peek)), expected end of expression",
                           at: parser.peek.position)
        }
        return expression
    }

    private init(tokens: [Token], macros: Bool) {
        self.tokens = tokens
        self.macros = macros
    }

    private var peek: Token { tokens[current] }

    private func peek(_ ahead: Int) -> Token { tokens[min(current + ahead, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let token = tokens[current]
        if current < tokens.count - 1 { current += 1 }
        return token
    }

    private mutating func accept(_ punctuation: String) -> Bool {
        guard peek.isPunctuation(punctuation) else { return false }
        _ = advance()
        return true
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier(let name): return "'\(name)'"
        case .quotedIdentifier(let name): return "'`\(name)`'"
        case .punctuation(let text): return "'\(text)'"
        case .end: return "end of expression"
        default: return "literal"
        }
    }

    private mutating func expect(_ punctuation: String) throws(CELError) {
        guard accept(punctuation) else {
            throw CELError(.syntax, "expected '\(punctuation)' but found \(describe(peek))", at: peek.position)
        }
    }

    private mutating func enter() throws(CELError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw CELError(.syntax, "expression nested too deeply", at: peek.position)
        }
    }

    mutating func parseExpression() throws(CELError) -> Expression {
        try enter()
        defer { depth -= 1 }
        let condition = try parseOr()
        guard peek.isPunctuation("?") else { return condition }
        let position = advance().position
        let whenTrue = try parseOr()
        try expect(":")
        let whenFalse = try parseExpression()
        return Expression(kind: .conditional(condition, whenTrue, whenFalse), position: position)
    }

    private mutating func parseOr() throws(CELError) -> Expression {
        var left = try parseAnd()
        let entryDepth = depth
        defer { depth = entryDepth }
        while peek.isPunctuation("||") {
            try enter()
            let position = advance().position
            let right = try parseAnd()
            left = Expression(kind: .or(left, right), position: position)
        }
        return left
    }

    private mutating func parseAnd() throws(CELError) -> Expression {
        var left = try parseRelation()
        let entryDepth = depth
        defer { depth = entryDepth }
        while peek.isPunctuation("&&") {
            try enter()
            let position = advance().position
            let right = try parseRelation()
            left = Expression(kind: .and(left, right), position: position)
        }
        return left
    }

    private mutating func parseRelation() throws(CELError) -> Expression {
        var left = try parseAddition()
        let entryDepth = depth
        defer { depth = entryDepth }
        let operators = ["<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_", "==": "_==_", "!=": "_!=_"]
        while true {
            let function: String
            if case .punctuation(let text) = peek.kind, let name = operators[text] {
                function = name
            } else if case .identifier("in") = peek.kind {
                function = "@in"
            } else {
                return left
            }
            try enter()
            let position = advance().position
            let right = try parseAddition()
            left = Expression(kind: .call(function: function, target: nil, arguments: [left, right]), position: position)
        }
    }

    private mutating func parseAddition() throws(CELError) -> Expression {
        var left = try parseMultiplication()
        let entryDepth = depth
        defer { depth = entryDepth }
        while peek.isPunctuation("+") || peek.isPunctuation("-") {
            try enter()
            let token = advance()
            let function = token.isPunctuation("+") ? "_+_" : "_-_"
            let right = try parseMultiplication()
            left = Expression(kind: .call(function: function, target: nil, arguments: [left, right]), position: token.position)
        }
        return left
    }

    private mutating func parseMultiplication() throws(CELError) -> Expression {
        var left = try parseUnary()
        let entryDepth = depth
        defer { depth = entryDepth }
        while peek.isPunctuation("*") || peek.isPunctuation("/") || peek.isPunctuation("%") {
            try enter()
            let token = advance()
            let function = token.isPunctuation("*") ? "_*_" : token.isPunctuation("/") ? "_/_" : "_%_"
            let right = try parseUnary()
            left = Expression(kind: .call(function: function, target: nil, arguments: [left, right]), position: token.position)
        }
        return left
    }

    private mutating func parseUnary() throws(CELError) -> Expression {
        try enter()
        defer { depth -= 1 }
        if peek.isPunctuation("!") {
            let position = advance().position
            let operand = try parseUnary()
            return Expression(kind: .call(function: "!_", target: nil, arguments: [operand]), position: position)
        }
        if peek.isPunctuation("-") {
            let position = advance().position
            // Fold a negative integer literal so that -9223372036854775808 is representable.
            if case .int(let magnitude) = peek.kind, !peek(1).isPunctuation("."), !peek(1).isPunctuation("[") {
                let literal = advance()
                guard magnitude <= UInt64(Int64.max) + 1 else {
                    throw CELError(.syntax, "integer literal out of range", at: literal.position)
                }
                let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
                return Expression(kind: .literal(.int(value)), position: position)
            }
            let operand = try parseUnary()
            return Expression(kind: .call(function: "-_", target: nil, arguments: [operand]), position: position)
        }
        return try parseMember()
    }

    private mutating func parseMember() throws(CELError) -> Expression {
        var expression = try parsePrimary()
        let entryDepth = depth
        defer { depth = entryDepth }
        while true {
            if peek.isPunctuation(".") || peek.isPunctuation("[") { try enter() }
            if peek.isPunctuation(".") {
                let dot = advance()
                let optional = accept("?")
                let token = advance()
                let name: String
                switch token.kind {
                case .identifier(let identifier): name = identifier
                case .quotedIdentifier(let identifier) where !peek.isPunctuation("("): name = identifier
                default:
                    throw CELError(.syntax, "expected a field name after '.' but found \(describe(token))", at: token.position)
                }
                if !optional, case .identifier = token.kind, peek.isPunctuation("(") {
                    _ = advance()
                    let arguments = try parseArguments(closing: ")")
                    expression = try makeCall(name, target: expression, arguments, at: token.position)
                } else {
                    expression = Expression(kind: .select(expression, field: name, optional: optional), position: dot.position)
                }
            } else if peek.isPunctuation("[") {
                let position = advance().position
                let optional = accept("?")
                let index = try parseExpression()
                try expect("]")
                expression = Expression(kind: .index(expression, index, optional: optional), position: position)
            } else if peek.isPunctuation("{"), let typeName = qualifiedName(expression) {
                let position = advance().position
                expression = Expression(kind: .message(typeName, try parseFieldInitializers()), position: position)
            } else {
                return expression
            }
        }
    }

    private func qualifiedName(_ expression: Expression) -> String? {
        switch expression.kind {
        case .identifier(let name, let rooted): return rooted ? "." + name : name
        case .select(let operand, let field, false):
            return qualifiedName(operand).map { $0 + "." + field }
        default: return nil
        }
    }

    private mutating func parseFieldInitializers() throws(CELError) -> [(field: String, value: Expression, optional: Bool)] {
        var fields: [(field: String, value: Expression, optional: Bool)] = []
        while !peek.isPunctuation("}") {
            let optional = accept("?")
            let token = advance()
            guard case .identifier(let name) = token.kind else {
                throw CELError(.syntax, "expected a field name but found \(describe(token))", at: token.position)
            }
            try expect(":")
            fields.append((name, try parseExpression(), optional))
            if !accept(",") { break }
        }
        try expect("}")
        return fields
    }

    private mutating func parseArguments(closing: String) throws(CELError) -> [Expression] {
        var arguments: [Expression] = []
        if accept(closing) { return arguments }
        while true {
            arguments.append(try parseExpression())
            if accept(closing) { return arguments }
            try expect(",")
            if closing == "]", accept(closing) { return arguments }
        }
    }

    private mutating func parsePrimary() throws(CELError) -> Expression {
        let token = advance()
        let position = token.position
        switch token.kind {
        case .int(let magnitude):
            guard magnitude <= UInt64(Int64.max) else {
                throw CELError(.syntax, "integer literal out of range", at: position)
            }
            return Expression(kind: .literal(.int(Int64(magnitude))), position: position)
        case .uint(let value): return Expression(kind: .literal(.uint(value)), position: position)
        case .double(let value): return Expression(kind: .literal(.double(value)), position: position)
        case .string(let value): return Expression(kind: .literal(.string(value)), position: position)
        case .bytes(let value): return Expression(kind: .literal(.bytes(value)), position: position)
        case .identifier(let name):
            switch name {
            case "true": return Expression(kind: .literal(.bool(true)), position: position)
            case "false": return Expression(kind: .literal(.bool(false)), position: position)
            case "null": return Expression(kind: .literal(.null), position: position)
            default: break
            }
            guard !Self.reserved.contains(name) else {
                throw CELError(.syntax, "reserved identifier '\(name)'", at: position)
            }
            if accept("(") {
                let arguments = try parseArguments(closing: ")")
                return try makeCall(name, target: nil, arguments, at: position)
            }
            return Expression(kind: .identifier(name, rooted: false), position: position)
        case .punctuation("."):
            let next = advance()
            guard case .identifier(let name) = next.kind, !Self.reserved.contains(name) else {
                throw CELError(.syntax, "expected an identifier after leading '.'", at: next.position)
            }
            if accept("(") {
                let arguments = try parseArguments(closing: ")")
                return try makeCall(name, target: nil, arguments, at: position)
            }
            return Expression(kind: .identifier(name, rooted: true), position: position)
        case .punctuation("("):
            let inner = try parseExpression()
            try expect(")")
            return inner
        case .punctuation("["):
            var elements: [Expression.ListElement] = []
            while !peek.isPunctuation("]") {
                let optional = accept("?")
                elements.append(.init(value: try parseExpression(), optional: optional))
                if !accept(",") { break }
            }
            try expect("]")
            return Expression(kind: .list(elements), position: position)
        case .punctuation("{"):
            var entries: [Expression.MapEntry] = []
            while !peek.isPunctuation("}") {
                let optional = accept("?")
                let key = try parseExpression()
                try expect(":")
                let value = try parseExpression()
                entries.append(.init(key: key, value: value, optional: optional))
                if !accept(",") { break }
            }
            try expect("}")
            return Expression(kind: .map(entries), position: position)
        default:
            throw CELError(.syntax, "unexpected \(describe(token))", at: position)
        }
    }

    // MARK: Macros

    private func variableName(_ expression: Expression) -> String? {
        if case .identifier(let name, rooted: false) = expression.kind { return name }
        return nil
    }

    private func makeCall(_ name: String, target: Expression?, _ arguments: [Expression],
                          at position: CELSourcePosition) throws(CELError) -> Expression {
        let plain = Expression(kind: .call(function: name, target: target, arguments: arguments), position: position)
        if let target, case .identifier("cel", rooted: false) = target.kind {
            switch (name, arguments.count) {
            case ("index", 1):
                if case .literal(.int(let slot)) = arguments[0].kind {
                    return Expression(kind: .identifier("@index\(slot)", rooted: false), position: position)
                }
            case ("iterVar", 2):
                if case .literal(.int(let depth)) = arguments[0].kind, case .literal(.int(let slot)) = arguments[1].kind {
                    return Expression(kind: .identifier("@it:\(depth):\(slot)", rooted: false), position: position)
                }
            case ("bind", 3) where macros:
                guard let variable = variableName(arguments[0]) else {
                    throw CELError(.syntax, "cel.bind() variable must be a simple name", at: arguments[0].position)
                }
                return Expression(kind: .bind(name: variable, value: arguments[1], body: arguments[2]), position: position)
            case ("block", 2) where macros:
                guard case .list(let elements) = arguments[0].kind else {
                    throw CELError(.syntax, "cel.block() requires a list of bindings", at: arguments[0].position)
                }
                return Expression(kind: .block(elements.map(\.value), arguments[1]), position: position)
            default: break
            }
        }
        guard macros else { return plain }
        guard let target else {
            if name == "has", arguments.count == 1 {
                guard case .select(let operand, let field, optional: false) = arguments[0].kind else {
                    throw CELError(.syntax, "invalid argument to has() macro", at: arguments[0].position)
                }
                return Expression(kind: .presence(operand, field: field), position: position)
            }
            return plain
        }
        typealias Operation = Expression.Comprehension.Operation
        let operation: Operation
        var twoVariables = false
        switch (name, arguments.count) {
        case ("all", 2): operation = .all
        case ("all", 3): operation = .all; twoVariables = true
        case ("exists", 2): operation = .exists
        case ("exists", 3): operation = .exists; twoVariables = true
        case ("exists_one", 2), ("existsOne", 2): operation = .existsOne
        case ("exists_one", 3), ("existsOne", 3): operation = .existsOne; twoVariables = true
        case ("map", 2): operation = .map(filter: nil)
        case ("map", 3): operation = .map(filter: arguments[1])
        case ("filter", 2): operation = .filter
        case ("transformList", 3): operation = .map(filter: nil); twoVariables = true
        case ("transformList", 4): operation = .map(filter: arguments[2]); twoVariables = true
        case ("transformMap", 3): operation = .transformMap(filter: nil); twoVariables = true
        case ("transformMap", 4): operation = .transformMap(filter: arguments[2]); twoVariables = true
        case ("optMap", 2): operation = .optionalMap(flat: false)
        case ("optFlatMap", 2): operation = .optionalMap(flat: true)
        default: return plain
        }
        guard let variable = variableName(arguments[0]) else {
            throw CELError(.syntax, "\(name)() variable name must be a simple identifier", at: arguments[0].position)
        }
        var secondVariable: String?
        if twoVariables {
            guard let second = variableName(arguments[1]) else {
                throw CELError(.syntax, "\(name)() variable name must be a simple identifier", at: arguments[1].position)
            }
            guard second != variable else {
                throw CELError(.syntax, "\(name)() variables must differ", at: arguments[1].position)
            }
            secondVariable = second
        }
        let comprehension = Expression.Comprehension(
            operation: operation, range: target, variable: variable, secondVariable: secondVariable,
            body: arguments[arguments.count - 1])
        return Expression(kind: .comprehension(comprehension), position: position)
    }
}
