/// The functions known to the compiler, by name, in global (`f(x)`) and receiver (`x.f()`) style.
struct Library: Sendable {
    var globals: [String: Function] = [:]
    var members: [String: Function] = [:]

    /// Registers a global function.
    mutating func global(_ name: String, linearCost: Bool = false, _ implementation: @escaping Function.Implementation) {
        globals[name] = Function(name: name, implementation: implementation, linearCost: linearCost)
    }

    /// Registers a receiver-style function.
    mutating func member(_ name: String, linearCost: Bool = false, _ implementation: @escaping Function.Implementation) {
        members[name] = Function(name: name, implementation: implementation, linearCost: linearCost)
    }

    /// Registers a function callable both ways.
    mutating func both(_ name: String, linearCost: Bool = false, _ implementation: @escaping Function.Implementation) {
        global(name, linearCost: linearCost, implementation)
        member(name, linearCost: linearCost, implementation)
    }

    /// Every function of this engine: the standard definitions and the extension libraries.
    static let standard: Library = {
        var library = Library()
        library.addOperators()
        library.addConversions()
        library.addTime()
        library.addStrings()
        library.addRegex()
        library.addFormat()
        library.addLists()
        library.addMath()
        library.addOptionals()
        library.addEncoders()
        library.addQuantity()
        library.addURL()
        library.addNetwork()
        return library
    }()
}
