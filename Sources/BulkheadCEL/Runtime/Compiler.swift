/// Turns a parsed ``Expression`` into an evaluable ``Node``: resolves comprehension variables to
/// slots, qualified names against the container, and functions against the library.
struct Compiler {
    let library: Library
    let container: String
    /// Declared variables when type checking is on; nil compiles in unchecked mode, where names
    /// are resolved against the activation at evaluation time.
    let declarations: [String: CELType]?
    /// Whether nodes carry source positions for their errors. A program is compiled both ways:
    /// evaluation runs the tree without them (a position wrapper around every node is about a
    /// tenth of an evaluation's cost) and runs the positioned tree only to place an error.
    let positions: Bool

    private var scope: [(name: String, slot: Int)] = []
    private var nextSlot = 0
    private(set) var slotCount = 0

    init(library: Library, container: String, declarations: [String: CELType]?, positions: Bool = true) {
        self.library = library
        self.container = container
        self.declarations = declarations
        self.positions = positions
    }

    /// `node` with the position of the expression it was compiled from, when positions are kept.
    private func positioned(_ node: Node, _ position: CELSourcePosition) -> Node {
        positions ? .positioned(node, position) : node
    }

    /// Container prefixes from the most specific: `a.b` gives `a.b.`, `a.`, ``.
    static func prefixes(container: String) -> [String] {
        guard !container.isEmpty else { return [""] }
        let parts = container.split(separator: ".").map(String.init)
        var result: [String] = []
        for count in stride(from: parts.count, to: 0, by: -1) {
            result.append(parts[0..<count].joined(separator: ".") + ".")
        }
        return result + [""]
    }

    /// Candidate (name, remaining fields) pairs for a qualified identifier, best first.
    static func candidates(_ parts: [String], rooted: Bool, container: String) -> [(name: String, fields: [String])] {
        var result: [(name: String, fields: [String])] = []
        for prefix in rooted ? [""] : prefixes(container: container) {
            for count in stride(from: parts.count, to: 0, by: -1) {
                result.append((prefix + parts[0..<count].joined(separator: "."), Array(parts[count...])))
            }
        }
        return result
    }

    /// The identifier parts of `a.b.c` (an identifier followed by plain selections).
    static func qualifiedParts(_ expression: Expression) -> (parts: [String], rooted: Bool)? {
        switch expression.kind {
        case .identifier(let name, let rooted): return ([name], rooted)
        case .select(let operand, let field, optional: false):
            guard let inner = qualifiedParts(operand) else { return nil }
            return (inner.parts + [field], inner.rooted)
        default: return nil
        }
    }

    func local(_ name: String) -> Int? {
        scope.last(where: { $0.name == name })?.slot
    }

    private mutating func allocate(_ name: String) -> Int {
        let slot = nextSlot
        nextSlot += 1
        slotCount = max(slotCount, nextSlot)
        scope.append((name, slot))
        return slot
    }

    private mutating func release(_ count: Int) {
        scope.removeLast(count)
        nextSlot -= count
    }

    private func error(_ message: String, _ expression: Expression) -> CELError {
        CELError(declarations == nil ? .syntax : .check, message, at: expression.position)
    }

    mutating func compile(_ expression: Expression) throws(CELError) -> Node {
        switch expression.kind {
        case .literal(let value):
            return .constant(value)
        case .identifier(let name, let rooted):
            if !rooted, let slot = local(name) { return .local(slot) }
            return try compileQualified([name], rooted: rooted, expression)
        case .select(let operand, let field, let optional):
            if !optional, let (parts, rooted) = Self.qualifiedParts(expression), rooted || local(parts[0]) == nil {
                return try compileQualified(parts, rooted: rooted, expression)
            }
            return positioned(.select(try compile(operand), field, optional: optional), expression.position)
        case .presence(let operand, let field):
            return positioned(.presence(try compile(operand), field), expression.position)
        case .index(let operand, let index, let optional):
            return positioned(.index(try compile(operand), try compile(index), optional: optional), expression.position)
        case .call(let name, let target, let arguments):
            return try compileCall(name, target: target, arguments, expression)
        case .list(let elements):
            var nodes: [(Node, optional: Bool)] = []
            for element in elements {
                nodes.append((try compile(element.value), element.optional))
            }
            if !nodes.contains(where: \.optional), let values = constants(nodes.map(\.0)) {
                return .constant(.list(values))
            }
            return positioned(.list(nodes), expression.position)
        case .map(let entries):
            var nodes: [(key: Node, value: Node, optional: Bool)] = []
            for entry in entries {
                nodes.append((try compile(entry.key), try compile(entry.value), entry.optional))
            }
            return positioned(.map(nodes), expression.position)
        case .message(let name, _):
            if declarations != nil { throw error("unknown message type '\(name)' (protobuf messages are not supported)", expression) }
            return positioned(.failure("unknown type '\(name)' (protobuf messages are not supported)"), expression.position)
        case .conditional(let condition, let whenTrue, let whenFalse):
            return positioned(.conditional(try compile(condition), try compile(whenTrue), try compile(whenFalse)), expression.position)
        case .and(let left, let right):
            return positioned(.and(try compile(left), try compile(right)), expression.position)
        case .or(let left, let right):
            return positioned(.or(try compile(left), try compile(right)), expression.position)
        case .comprehension(let comprehension):
            let range = try compile(comprehension.range)
            let slot = allocate(comprehension.variable)
            let secondSlot = comprehension.secondVariable.map { allocate($0) }
            defer { release(secondSlot == nil ? 1 : 2) }
            let operation: CompiledComprehension.Operation
            switch comprehension.operation {
            case .all: operation = .all
            case .exists: operation = .exists
            case .existsOne: operation = .existsOne
            case .filter: operation = .filter
            case .map(let filter): operation = .map(filter: try filter.map { (filter) throws(CELError) in try compile(filter) })
            case .transformMap(let filter):
                operation = .transformMap(filter: try filter.map { (filter) throws(CELError) in try compile(filter) })
            case .optionalMap(let flat): operation = .optionalMap(flat: flat)
            }
            let body = try compile(comprehension.body)
            return positioned(.comprehension(CompiledComprehension(
                operation: operation, range: range, slot: slot, secondSlot: secondSlot, body: body)), expression.position)
        case .bind(let name, let value, let body):
            let valueNode = try compile(value)
            let slot = allocate(name)
            defer { release(1) }
            return .bind(slot: slot, value: valueNode, body: try compile(body))
        case .block(let bindings, let result):
            let firstSlot = nextSlot
            for offset in bindings.indices { _ = allocate("@index\(offset)") }
            defer { release(bindings.count) }
            var nodes: [Node] = []
            for binding in bindings { nodes.append(try compile(binding)) }
            return .block(firstSlot: firstSlot, nodes, try compile(result))
        }
    }

    private func constants(_ nodes: [Node]) -> [CELValue]? {
        var values: [CELValue] = []
        for node in nodes {
            guard case .constant(let value) = node else { return nil }
            values.append(value)
        }
        return values
    }

    private func compileQualified(_ parts: [String], rooted: Bool, _ expression: Expression) throws(CELError) -> Node {
        let full = parts.joined(separator: ".")
        let candidates = Self.candidates(parts, rooted: rooted, container: container)
        if let declarations {
            for candidate in candidates where declarations[candidate.name] != nil {
                var node = Node.variable(candidate.name)
                for field in candidate.fields { node = positioned(.select(node, field, optional: false), expression.position) }
                return node
            }
            if let type = CELType.denotable[full] { return .constant(.type(type)) }
            throw error("undeclared reference to '\(full)' (in container '\(container)')", expression)
        }
        if let type = CELType.denotable[full] { return .constant(.type(type)) }
        if candidates.count == 1 {
            return positioned(.variable(candidates[0].name), expression.position)
        }
        return positioned(.qualified(candidates, display: full), expression.position)
    }

    private mutating func compileCall(_ name: String, target: Expression?, _ arguments: [Expression],
                                      _ expression: Expression) throws(CELError) -> Node {
        var argumentNodes: [Node] = []
        for argument in arguments { argumentNodes.append(try compile(argument)) }
        switch (name, argumentNodes.count) {
        case ("!_", 1) where target == nil:
            return positioned(.not(argumentNodes[0]), expression.position)
        default: break
        }
        if let target {
            // A namespaced global function such as math.greatest(...) or optional.of(...).
            if let (parts, rooted) = Self.qualifiedParts(target), rooted || local(parts[0]) == nil {
                let qualifiedName = (parts + [name]).joined(separator: ".")
                if let function = library.globals[qualifiedName] {
                    return positioned(.call(function, argumentNodes), expression.position)
                }
            }
            let targetNode = try compile(target)
            guard let function = library.members[name] else {
                return positioned(.failure("unbound function '\(name)'"), expression.position)
            }
            let all = [targetNode] + argumentNodes
            if let specialized = Library.specialize(function, all) {
                return positioned(.call(specialized, all), expression.position)
            }
            return positioned(.call(function, all), expression.position)
        }
        guard let function = library.globals[name] else {
            return positioned(.failure("unbound function '\(name)'"), expression.position)
        }
        if let specialized = Library.specialize(function, argumentNodes) {
            return positioned(.call(specialized, argumentNodes), expression.position)
        }
        return positioned(.call(function, argumentNodes), expression.position)
    }
}
