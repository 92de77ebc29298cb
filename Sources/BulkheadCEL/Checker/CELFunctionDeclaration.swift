/// A function signature for the type checker, e.g. `fn(string, int) -> string`.
public struct CELFunctionDeclaration: Sendable {
    /// One accepted argument list and its result.
    public struct Overload: Sendable {
        public var parameters: [CELType]
        public var result: CELType
        /// Whether the first parameter is the receiver (`x.f(y)`).
        public var isMember: Bool

        public init(parameters: [CELType], result: CELType, isMember: Bool = false) {
            self.parameters = parameters
            self.result = result
            self.isMember = isMember
        }
    }

    public var name: String
    public var overloads: [Overload]

    public init(name: String, overloads: [Overload]) {
        self.name = name
        self.overloads = overloads
    }
}
