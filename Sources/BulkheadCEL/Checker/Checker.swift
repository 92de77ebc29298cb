/// The optional type checker: infers the type of an expression from declared variables and
/// function signatures, with type parameters unified across arguments. It rejects undeclared
/// identifiers and calls that no overload accepts; library functions without a signature are
/// accepted and typed `dyn`.
struct Checker {
    private let variables: [String: CELType]
    private let container: String
    private var functions: [String: [CELFunctionDeclaration.Overload]]
    private var scopes: [(name: String, type: CELType)] = []
    private var substitution: [String: CELType] = [:]
    private var fresh = 0

    init(variables: [String: CELType], functions: [CELFunctionDeclaration], container: String) {
        self.variables = variables
        self.container = container
        var table = Signatures.standard
        for function in functions {
            table[function.name, default: []].append(contentsOf: function.overloads)
        }
        self.functions = table
    }

    /// The type of `expression`, with unresolved type parameters reported as `dyn`.
    mutating func check(_ expression: Expression) throws(CELError) -> CELType {
        finalize(try infer(expression))
    }

    // MARK: Type parameters

    private mutating func freshParameter() -> CELType {
        fresh += 1
        return .typeParameter("%\(fresh)")
    }

    private func resolve(_ type: CELType) -> CELType {
        var current = type
        while case .typeParameter(let name) = current, let bound = substitution[name] { current = bound }
        return current
    }

    /// Applies the substitution everywhere in `type`.
    private func substitute(_ type: CELType) -> CELType {
        switch resolve(type) {
        case .list(let element): return .list(substitute(element))
        case .map(let key, let value): return .map(substitute(key), substitute(value))
        case .optional(let wrapped): return .optional(substitute(wrapped))
        case .type(let denoted): return .type(substitute(denoted))
        case .opaque(let name, let parameters): return .opaque(name, parameters.map(substitute))
        case let other: return other
        }
    }

    private func finalize(_ type: CELType) -> CELType {
        switch substitute(type) {
        case .typeParameter: return .dyn
        case .list(let element): return .list(finalize(element))
        case .map(let key, let value): return .map(finalize(key), finalize(value))
        case .optional(let wrapped): return .optional(finalize(wrapped))
        case .type(let denoted): return .type(finalize(denoted))
        case .opaque(let name, let parameters): return .opaque(name, parameters.map(finalize))
        case let other: return other
        }
    }

    private func occurs(_ name: String, in type: CELType) -> Bool {
        switch resolve(type) {
        case .typeParameter(let other): return other == name
        case .list(let element): return occurs(name, in: element)
        case .map(let key, let value): return occurs(name, in: key) || occurs(name, in: value)
        case .optional(let wrapped), .type(let wrapped): return occurs(name, in: wrapped)
        case .opaque(_, let parameters): return parameters.contains { occurs(name, in: $0) }
        default: return false
        }
    }

    /// Whether a value of type `source` may be used where `target` is expected, binding type
    /// parameters as needed.
    private mutating func assignable(_ target: CELType, _ source: CELType) -> Bool {
        let target = resolve(target)
        let source = resolve(source)
        if target == source { return true }
        if case .typeParameter(let name) = target {
            if occurs(name, in: source) { return false }
            substitution[name] = source
            return true
        }
        if case .typeParameter(let name) = source {
            if occurs(name, in: target) { return false }
            substitution[name] = target
            return true
        }
        switch (target, source) {
        case (.dyn, _), (_, .dyn), (.error, _), (_, .error): return true
        case (.list(let a), .list(let b)): return assignable(a, b)
        case (.map(let k1, let v1), .map(let k2, let v2)): return assignable(k1, k2) && assignable(v1, v2)
        case (.optional(let a), .optional(let b)): return assignable(a, b)
        case (.type, .type): return true
        case (.opaque(let n1, let p1), .opaque(let n2, let p2)):
            guard n1 == n2, p1.count == p2.count else { return false }
            for (a, b) in zip(p1, p2) where !assignable(a, b) { return false }
            return true
        case (.optional, .null), (.opaque, .null), (.message, .null), (.timestamp, .null), (.duration, .null):
            return true
        default: return false
        }
    }

    /// Whether `a` is at least as general as `b` (dyn and free parameters are most general).
    private func lessSpecific(_ a: CELType, _ b: CELType) -> Bool {
        let a = resolve(a)
        let b = resolve(b)
        switch (a, b) {
        case (.dyn, _), (.typeParameter, _), (_, .null): return true
        case (.list(let x), .list(let y)), (.optional(let x), .optional(let y)), (.type(let x), .type(let y)):
            return lessSpecific(x, y)
        case (.map(let k1, let v1), .map(let k2, let v2)): return lessSpecific(k1, k2) && lessSpecific(v1, v2)
        case (.opaque(let n1, let p1), .opaque(let n2, let p2)):
            return n1 == n2 && p1.count == p2.count && zip(p1, p2).allSatisfy { lessSpecific($0, $1) }
        default: return a == b
        }
    }

    /// The common type of list elements or map keys/values: the more general of two assignable
    /// types, else `dyn`.
    private mutating func join(_ previous: CELType?, _ current: CELType) -> CELType {
        guard let previous else { return current }
        let saved = substitution
        if assignable(previous, current) {
            return lessSpecific(previous, current) ? substitute(previous) : substitute(current)
        }
        substitution = saved
        return .dyn
    }

    private func instantiate(_ overload: CELFunctionDeclaration.Overload, _ names: inout [String: CELType],
                             _ fresh: inout Int) -> ([CELType], CELType) {
        func rename(_ type: CELType) -> CELType {
            switch type {
            case .typeParameter(let name):
                if let existing = names[name] { return existing }
                fresh += 1
                let renamed = CELType.typeParameter("%\(fresh)")
                names[name] = renamed
                return renamed
            case .list(let element): return .list(rename(element))
            case .map(let key, let value): return .map(rename(key), rename(value))
            case .optional(let wrapped): return .optional(rename(wrapped))
            case .type(let denoted): return .type(rename(denoted))
            case .opaque(let name, let parameters): return .opaque(name, parameters.map(rename))
            default: return type
            }
        }
        return (overload.parameters.map(rename), rename(overload.result))
    }

    // MARK: Inference

    private func error(_ message: String, _ expression: Expression) -> CELError {
        CELError(.check, message, at: expression.position)
    }

    private func local(_ name: String) -> CELType? { scopes.last(where: { $0.name == name })?.type }

    private mutating func call(_ name: String, _ arguments: [CELType], member: Bool,
                               _ expression: Expression) throws(CELError) -> CELType {
        let overloads = (functions[name] ?? []).filter { $0.isMember == member && $0.parameters.count == arguments.count }
        guard !overloads.isEmpty || functions[name] != nil else {
            let library = Library.standard
            if (member ? library.members[name] : library.globals[name]) != nil { return .dyn }
            throw error("undeclared reference to '\(name)' (in container '\(container)')", expression)
        }
        let saved = substitution
        var matches: [(result: CELType, substitution: [String: CELType])] = []
        for overload in overloads {
            substitution = saved
            var names: [String: CELType] = [:]
            let (parameters, result) = instantiate(overload, &names, &fresh)
            if zip(parameters, arguments).allSatisfy({ assignable($0, $1) }) {
                matches.append((substitute(result), substitution))
            }
        }
        substitution = saved
        guard let first = matches.first else {
            let types = arguments.map { "\(finalize($0))" }.joined(separator: ", ")
            throw error("found no matching overload for '\(name)' applied to '(\(types))'", expression)
        }
        if matches.count == 1 {
            substitution = first.substitution
            return first.result
        }
        return matches.allSatisfy({ $0.result == first.result }) ? first.result : .dyn
    }

    private mutating func infer(_ expression: Expression) throws(CELError) -> CELType {
        switch expression.kind {
        case .literal(let value):
            return value.celType
        case .identifier(let name, let rooted):
            if !rooted, let type = local(name) { return type }
            return try qualified([name], rooted: rooted, expression)
        case .select(let operand, let field, let optional):
            if !optional, let (parts, rooted) = Compiler.qualifiedParts(expression), rooted || local(parts[0]) == nil {
                return try qualified(parts, rooted: rooted, expression)
            }
            return try select(try infer(operand), field, optional: optional, expression)
        case .presence(let operand, _):
            let type = resolve(try infer(operand))
            switch type {
            case .map, .dyn, .typeParameter, .optional, .message, .error: return .bool
            default: throw error("type '\(finalize(type))' does not support presence tests", expression)
            }
        case .index(let operand, let index, let optional):
            var container = resolve(try infer(operand))
            let indexType = try infer(index)
            var wrap = optional
            if case .optional(let wrapped) = container {
                container = resolve(wrapped)
                wrap = true
            }
            let element: CELType
            switch container {
            case .dyn, .typeParameter, .error: element = .dyn
            default: element = try call("_[_]", [container, indexType], member: false, expression)
            }
            return wrap ? .optional(element) : element
        case .call(let name, let target, let arguments):
            if let target, let (parts, rooted) = Compiler.qualifiedParts(target), rooted || local(parts[0]) == nil {
                let qualifiedName = (parts + [name]).joined(separator: ".")
                if functions[qualifiedName] != nil || Library.standard.globals[qualifiedName] != nil {
                    var types: [CELType] = []
                    for argument in arguments { types.append(try infer(argument)) }
                    return try call(qualifiedName, types, member: false, expression)
                }
            }
            var types: [CELType] = []
            if let target { types.append(try infer(target)) }
            for argument in arguments { types.append(try infer(argument)) }
            return try call(name, types, member: target != nil, expression)
        case .list(let elements):
            var element: CELType?
            for item in elements {
                var type = try infer(item.value)
                if item.optional {
                    if case .optional(let wrapped) = resolve(type) { type = wrapped }
                }
                element = join(element, type)
            }
            return .list(element ?? freshParameter())
        case .map(let entries):
            var key: CELType?
            var value: CELType?
            for entry in entries {
                key = join(key, try infer(entry.key))
                var type = try infer(entry.value)
                if entry.optional, case .optional(let wrapped) = resolve(type) { type = wrapped }
                value = join(value, type)
            }
            return .map(key ?? freshParameter(), value ?? freshParameter())
        case .message(let name, _):
            throw error("unknown message type '\(name)' (protobuf messages are not supported)", expression)
        case .conditional(let condition, let whenTrue, let whenFalse):
            let types = [try infer(condition), try infer(whenTrue), try infer(whenFalse)]
            return try call("_?_:_", types, member: false, expression)
        case .and(let left, let right), .or(let left, let right):
            for operand in [left, right] {
                let type = try infer(operand)
                guard assignable(.bool, type) else {
                    throw error("expected bool operands for logical operator, found '\(finalize(type))'", operand)
                }
            }
            return .bool
        case .comprehension(let comprehension):
            return try infer(comprehension, expression)
        case .bind(let name, let value, let body):
            let type = try infer(value)
            scopes.append((name, type))
            defer { scopes.removeLast() }
            return try infer(body)
        case .block(let bindings, let result):
            for (offset, binding) in bindings.enumerated() {
                scopes.append(("@index\(offset)", try infer(binding)))
            }
            defer { scopes.removeLast(bindings.count) }
            return try infer(result)
        }
    }

    private mutating func qualified(_ parts: [String], rooted: Bool, _ expression: Expression) throws(CELError) -> CELType {
        for candidate in Compiler.candidates(parts, rooted: rooted, container: container) {
            guard var type = variables[candidate.name] else { continue }
            for field in candidate.fields { type = try select(type, field, optional: false, expression) }
            return type
        }
        let full = parts.joined(separator: ".")
        if let type = CELType.denotable[full] { return .type(type) }
        throw error("undeclared reference to '\(full)' (in container '\(container)')", expression)
    }

    private mutating func select(_ operand: CELType, _ field: String, optional: Bool,
                                 _ expression: Expression) throws(CELError) -> CELType {
        switch resolve(operand) {
        case .map(let key, let value):
            guard assignable(key, .string) else {
                throw error("type '\(finalize(operand))' does not support field selection", expression)
            }
            return optional ? .optional(value) : value
        case .dyn, .typeParameter, .message, .error:
            return optional ? .optional(.dyn) : .dyn
        case .optional(let wrapped):
            let inner = try select(wrapped, field, optional: false, expression)
            return .optional(inner)
        default:
            throw error("type '\(finalize(operand))' does not support field selection", expression)
        }
    }

    private mutating func infer(_ comprehension: Expression.Comprehension, _ expression: Expression) throws(CELError) -> CELType {
        let range = resolve(try infer(comprehension.range))
        let first: CELType
        let second: CELType
        if case .optionalMap(let flat) = comprehension.operation {
            guard case .optional(let wrapped) = range else {
                if range == .dyn { return .dyn }
                throw error("optMap/optFlatMap requires an optional value, found '\(finalize(range))'", expression)
            }
            scopes.append((comprehension.variable, wrapped))
            defer { scopes.removeLast() }
            let body = try infer(comprehension.body)
            if flat {
                guard case .optional = resolve(body) else {
                    if resolve(body) == .dyn { return .dyn }
                    throw error("optFlatMap() function must return an optional value", expression)
                }
                return body
            }
            return .optional(body)
        }
        switch range {
        case .list(let element):
            (first, second) = comprehension.secondVariable == nil ? (element, .dyn) : (.int, element)
        case .map(let key, let value):
            (first, second) = (key, value)
        case .dyn, .typeParameter, .error:
            (first, second) = (.dyn, .dyn)
        default:
            throw error("expression of type '\(finalize(range))' cannot be the range of a comprehension (must be list or map)", comprehension.range)
        }
        scopes.append((comprehension.variable, first))
        if let secondVariable = comprehension.secondVariable { scopes.append((secondVariable, second)) }
        defer { scopes.removeLast(comprehension.secondVariable == nil ? 1 : 2) }
        func requireBool(_ type: CELType, _ node: Expression) throws(CELError) {
            guard assignable(.bool, type) else { throw error("expected a bool predicate, found '\(finalize(type))'", node) }
        }
        switch comprehension.operation {
        case .all, .exists, .existsOne:
            try requireBool(try infer(comprehension.body), comprehension.body)
            return .bool
        case .filter:
            try requireBool(try infer(comprehension.body), comprehension.body)
            return .list(first)
        case .map(let filter):
            if let filter { try requireBool(try infer(filter), filter) }
            return .list(try infer(comprehension.body))
        case .transformMap(let filter):
            if let filter { try requireBool(try infer(filter), filter) }
            return .map(first, try infer(comprehension.body))
        case .optionalMap:
            return .dyn
        }
    }
}
