/// A parsed CEL expression with its source position. Macros are already expanded.
struct Expression: Sendable {
    var kind: Kind
    var position: CELSourcePosition

    indirect enum Kind: Sendable {
        case literal(CELValue)
        /// An identifier; `rooted` when written with a leading dot (`.y`), which skips the container.
        case identifier(String, rooted: Bool)
        /// `operand.field`, or `operand.?field` when `optional`.
        case select(Expression, field: String, optional: Bool)
        /// `has(operand.field)`.
        case presence(Expression, field: String)
        /// A function call, `target.function(arguments)` when `target` is set.
        case call(function: String, target: Expression?, arguments: [Expression])
        /// `operand[index]`, or `operand[?index]` when `optional`.
        case index(Expression, Expression, optional: Bool)
        case list([ListElement])
        case map([MapEntry])
        /// A protobuf message literal `Name{field: value}`; parsed but not supported at runtime.
        case message(String, [(field: String, value: Expression, optional: Bool)])
        case conditional(Expression, Expression, Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case comprehension(Comprehension)
        /// `cel.bind(name, value, body)`.
        case bind(name: String, value: Expression, body: Expression)
        /// `cel.block([bindings], result)`; bindings are referenced as `@index0`, `@index1`...
        case block([Expression], Expression)
    }

    struct ListElement: Sendable {
        var value: Expression
        var optional: Bool
    }

    struct MapEntry: Sendable {
        var key: Expression
        var value: Expression
        var optional: Bool
    }

    /// A macro expansion: iteration over `range` with one or two variables.
    struct Comprehension: Sendable {
        enum Operation: Sendable {
            case all, exists, existsOne
            /// `map(x, transform)` or with a filter `map(x, filter, transform)`; also `transformList`.
            case map(filter: Expression?)
            case filter
            /// `transformMap(k, v, [filter,] transform)`.
            case transformMap(filter: Expression?)
            /// `opt.optMap(x, transform)` and `opt.optFlatMap(x, transform)`.
            case optionalMap(flat: Bool)
        }

        var operation: Operation
        var range: Expression
        /// First variable: element for lists and maps' keys, or the index/key with two variables.
        var variable: String
        /// Second variable (value) for the two-variable forms.
        var secondVariable: String?
        /// The predicate or transform.
        var body: Expression
    }
}
