/// The compiled form of an expression: identifiers resolved to slots or activation names,
/// functions bound to implementations. Evaluated by ``Evaluator`` without re-parsing.
indirect enum Node: Sendable {
    case constant(CELValue)
    /// A variable from the activation.
    case variable(String)
    /// A possibly qualified name resolved at evaluation time: the first candidate name present in
    /// the activation wins and its remaining fields are selected.
    case qualified([(name: String, fields: [String])], display: String)
    /// A comprehension, `cel.bind` or `cel.block` variable.
    case local(Int)
    case select(Node, String, optional: Bool)
    case presence(Node, String)
    case index(Node, Node, optional: Bool)
    case call(Function, [Node])
    case and(Node, Node)
    case or(Node, Node)
    case not(Node)
    case conditional(Node, Node, Node)
    case list([(Node, optional: Bool)])
    case map([(key: Node, value: Node, optional: Bool)])
    case comprehension(CompiledComprehension)
    case bind(slot: Int, value: Node, body: Node)
    case block(firstSlot: Int, [Node], Node)
    /// Fails at evaluation time (an unknown function or an unsupported construct in unchecked mode).
    case failure(String)
    /// Attaches a source position to errors raised below.
    case positioned(Node, CELSourcePosition)
}

struct CompiledComprehension: Sendable {
    enum Operation: Sendable {
        case all, exists, existsOne, filter
        case map(filter: Node?)
        case transformMap(filter: Node?)
        case optionalMap(flat: Bool)
    }

    var operation: Operation
    var range: Node
    var slot: Int
    var secondSlot: Int?
    var body: Node
}
