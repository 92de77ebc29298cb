extension CELProgram {
    /// The activation names the program may read; for a qualified name, every candidate.
    public var variableNames: Set<String> {
        var names: Set<String> = []
        Self.collectNames(root, into: &names)
        return names
    }

    private static func collectNames(_ node: Node, into names: inout Set<String>) {
        switch node {
        case .constant, .local, .failure: return
        case .variable(let name): names.insert(name)
        case .qualified(let candidates, _): for candidate in candidates { names.insert(candidate.name) }
        case .select(let operand, _, _), .presence(let operand, _), .not(let operand), .positioned(let operand, _):
            collectNames(operand, into: &names)
        case .index(let left, let right, _), .and(let left, let right), .or(let left, let right), .bind(_, let left, let right):
            collectNames(left, into: &names)
            collectNames(right, into: &names)
        case .call(_, let arguments):
            for argument in arguments { collectNames(argument, into: &names) }
        case .conditional(let condition, let whenTrue, let whenFalse):
            for child in [condition, whenTrue, whenFalse] { collectNames(child, into: &names) }
        case .list(let elements):
            for element in elements { collectNames(element.0, into: &names) }
        case .map(let entries):
            for entry in entries { collectNames(entry.key, into: &names); collectNames(entry.value, into: &names) }
        case .comprehension(let comprehension):
            collectNames(comprehension.range, into: &names)
            collectNames(comprehension.body, into: &names)
            switch comprehension.operation {
            case .map(let filter?), .transformMap(let filter?): collectNames(filter, into: &names)
            default: break
            }
        case .block(_, let bindings, let result):
            for binding in bindings { collectNames(binding, into: &names) }
            collectNames(result, into: &names)
        }
    }
}
