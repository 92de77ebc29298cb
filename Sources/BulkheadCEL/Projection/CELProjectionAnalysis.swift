/// Works out which parts of some input variables (JSON documents such as an admission request's
/// `object`) a set of compiled programs can observe, as a ``CELProjection`` per variable.
///
/// The analysis follows every value that may be a part of an input: a field selection or a
/// constant index names a part, `has()` needs only its presence, a comprehension iterates an
/// input's elements or keys, `+`, `?:`, `cel.bind` and optional unwrapping pass parts on. Any other
/// use (a comparison, a function argument, a literal list or map, a program's result) needs the
/// part whole. Whatever it does not recognise it treats as a whole use, so a projection can keep
/// too much but never too little.
///
/// ```swift
/// var analysis = CELProjectionAnalysis(inputs: ["object"])
/// analysis.require(try CELProgram(source: "object.spec.replicas <= 5"))
/// analysis.projection(of: "object")   // {spec:{replicas:*}}
/// ```
public struct CELProjectionAnalysis: Sendable {
    /// The parts of the inputs a value may be: what a later use of the value must keep.
    public struct Parts: Sendable {
        var nodes: Set<Int> = []
        /// The value may be the `variables` map itself.
        var isVariablesMap = false

        public init() {}

        init(nodes: Set<Int> = [], isVariablesMap: Bool = false) {
            self.nodes = nodes
            self.isVariablesMap = isVariablesMap
        }

        /// What either value may be.
        public func union(_ other: Parts) -> Parts {
            Parts(nodes: nodes.union(other.nodes), isVariablesMap: isVariablesMap || other.isVariablesMap)
        }
    }

    private struct Demand {
        var isWhole = false
        var keepsAllKeys = false
        var fields: [String: Int] = [:]
        /// A list's elements.
        var elements: Int?
        /// A map's values under any key.
        var values: Int?
    }

    private var demands: [Demand] = []
    private let inputs: [String: Int]
    private var locals: [Int: Parts] = [:]
    private var variables: [String: Parts] = [:]

    /// An analysis of the inputs named `inputs` (activation names); other names are not followed.
    public init(inputs: [String]) {
        var roots: [String: Int] = [:]
        for name in inputs where roots[name] == nil {
            roots[name] = demands.count
            demands.append(Demand())
        }
        self.inputs = roots
    }

    /// The parts of the inputs `program`'s result may be, given the parts each policy variable
    /// (`variables.<name>`) may be. Records every use the program makes on the way.
    public mutating func parts(of program: CELProgram, variables: [String: Parts] = [:]) -> Parts {
        self.variables = variables
        locals = [:]
        return visit(program.root)
    }

    /// Records that `program`'s result is used whole (a validation, a message, a condition).
    public mutating func require(_ program: CELProgram, variables: [String: Parts] = [:]) {
        markWhole(parts(of: program, variables: variables))
    }

    /// Records that `path` inside `input` is used whole (read by code outside the programs).
    public mutating func requireWhole(_ path: [String], of input: String) {
        guard let root = inputs[input] else { return }
        markWhole(Parts(nodes: [path.reduce(root) { field($0, $1) }]))
    }

    /// What the programs analysed so far can observe of `input`.
    public func projection(of input: String) -> CELProjection {
        guard let root = inputs[input] else { return .presence }
        return projection(root)
    }

    private func projection(_ index: Int) -> CELProjection {
        let demand = demands[index]
        if demand.isWhole { return .whole }
        return CELProjection(fields: demand.fields.mapValues(projection), elements: demand.elements.map(projection),
                             values: demand.values.map(projection), keepsAllKeys: demand.keepsAllKeys)
    }

    // MARK: Recording uses

    private mutating func field(_ node: Int, _ name: String) -> Int {
        if let child = demands[node].fields[name] { return child }
        demands.append(Demand())
        demands[node].fields[name] = demands.count - 1
        return demands.count - 1
    }

    private mutating func elements(_ node: Int) -> Int {
        if let child = demands[node].elements { return child }
        demands.append(Demand())
        demands[node].elements = demands.count - 1
        return demands.count - 1
    }

    private mutating func values(_ node: Int) -> Int {
        if let child = demands[node].values { return child }
        demands.append(Demand())
        demands[node].values = demands.count - 1
        return demands.count - 1
    }

    private mutating func select(_ parts: Parts, _ name: String) -> Parts {
        var result = Parts()
        if parts.isVariablesMap { result = variables[name] ?? Parts() }
        for node in parts.nodes { result.nodes.insert(field(node, name)) }
        return result
    }

    /// What a list's elements may be (a map's keys, which are strings, need only be kept).
    private mutating func elements(of parts: Parts) -> Parts {
        keepAllKeys(parts)
        var result = Parts()
        for node in parts.nodes { result.nodes.insert(elements(node)) }
        return result
    }

    /// What a list's elements or a map's values under any key may be.
    private mutating func members(of parts: Parts) -> Parts {
        var result = elements(of: parts)
        for node in parts.nodes { result.nodes.insert(values(node)) }
        return result
    }

    private mutating func keepAllKeys(_ parts: Parts) {
        if parts.isVariablesMap { markEveryVariableWhole() }
        for node in parts.nodes { demands[node].keepsAllKeys = true }
    }

    private mutating func markWhole(_ parts: Parts) {
        if parts.isVariablesMap { markEveryVariableWhole() }
        for node in parts.nodes { demands[node].isWhole = true }
    }

    private mutating func markEveryVariableWhole() {
        for parts in variables.values { markWhole(Parts(nodes: parts.nodes)) }
    }

    /// The parts a name of the activation is, and the `variables` map.
    private func named(_ name: String) -> Parts {
        if name == "variables" { return Parts(isVariablesMap: true) }
        guard let root = inputs[name] else { return Parts() }
        return Parts(nodes: [root])
    }

    // MARK: The walk

    private mutating func visit(_ node: Node) -> Parts {
        switch node {
        case .constant, .failure:
            return Parts()
        case .variable(let name):
            return named(name)
        case .qualified(let candidates, _):
            var result = Parts()
            for candidate in candidates {
                var parts = named(candidate.name)
                for field in candidate.fields { parts = select(parts, field) }
                result = result.union(parts)
            }
            return result
        case .local(let slot):
            return locals[slot] ?? Parts()
        case .select(let operand, let name, _):
            return select(visit(operand), name)
        case .presence(let operand, let name):
            _ = select(visit(operand), name)
            return Parts()
        case .index(let operand, let key, _):
            let container = visit(operand)
            markWhole(visit(key))
            if case .constant(.string(let name)) = Self.unpositioned(key) { return select(container, name) }
            if case .constant(.int) = Self.unpositioned(key) { return elements(of: container) }
            return members(of: container)
        case .call(let function, let arguments):
            let parts = arguments.map { visit($0) }
            switch function.name {
            case "_+_":
                // List concatenation passes its operands' elements on; sizes are charged for.
                for part in parts { keepAllKeys(part) }
                return parts.reduce(Parts()) { $0.union($1) }
            case "size":
                for part in parts { keepAllKeys(part) }
                return Parts()
            case "value", "orValue":
                return parts.reduce(Parts()) { $0.union($1) }
            default:
                for part in parts { markWhole(part) }
                return Parts()
            }
        case .and(let left, let right), .or(let left, let right):
            markWhole(visit(left))
            markWhole(visit(right))
            return Parts()
        case .not(let operand):
            markWhole(visit(operand))
            return Parts()
        case .conditional(let condition, let whenTrue, let whenFalse):
            markWhole(visit(condition))
            return visit(whenTrue).union(visit(whenFalse))
        case .list(let elements):
            for element in elements { markWhole(visit(element.0)) }
            return Parts()
        case .map(let entries):
            for entry in entries {
                markWhole(visit(entry.key))
                markWhole(visit(entry.value))
            }
            return Parts()
        case .comprehension(let comprehension):
            return visit(comprehension)
        case .bind(let slot, let value, let body):
            locals[slot] = visit(value)
            return visit(body)
        case .block(let firstSlot, let bindings, let result):
            for (offset, binding) in bindings.enumerated() { locals[firstSlot + offset] = visit(binding) }
            return visit(result)
        case .positioned(let inner, _):
            return visit(inner)
        }
    }

    private mutating func visit(_ comprehension: CompiledComprehension) -> Parts {
        let range = visit(comprehension.range)
        if case .optionalMap = comprehension.operation {
            locals[comprehension.slot] = range
            return visit(comprehension.body)
        }
        if let second = comprehension.secondSlot {
            // A list's position and element, or a map's key and value.
            locals[comprehension.slot] = Parts()
            locals[second] = members(of: range)
        } else {
            // A list's elements, or a map's keys (kept by `elements(of:)`).
            locals[comprehension.slot] = elements(of: range)
        }
        switch comprehension.operation {
        case .all, .exists, .existsOne:
            markWhole(visit(comprehension.body))
            return Parts()
        case .filter:
            markWhole(visit(comprehension.body))
            return range
        case .map(let filter), .transformMap(let filter):
            if let filter { markWhole(visit(filter)) }
            markWhole(visit(comprehension.body))
            return Parts()
        case .optionalMap:
            return Parts()
        }
    }

    private static func unpositioned(_ node: Node) -> Node {
        if case .positioned(let inner, _) = node { return unpositioned(inner) }
        return node
    }
}
