import BulkheadCEL

/// The CEL environment policy expressions are checked against: the variables a validating
/// admission policy sees, plus declarations (for the type checker only) of the functions that need
/// a live cluster, so that policies using them load and are reported as not evaluable offline.
enum PolicyEnvironment {
    /// Variables every expression may use. `authorizer` and the Kyverno library objects
    /// (`resource`, `http`, `imagedata`, `image`, `globalContext`) are declared so that policies
    /// calling them type-check; they are never bound here.
    static let variables: [String: CELType] = [
        "object": .dyn,
        "oldObject": .dyn,
        "request": .dyn,
        "params": .dyn,
        "namespaceObject": .dyn,
        "variables": .map(.string, .dyn),
        "authorizer": .dyn,
        "exceptions": .dyn,
        "resource": .dyn,
        "http": .dyn,
        "imagedata": .dyn,
        "image": .dyn,
        "globalContext": .dyn,
    ]

    static let functions: [CELFunctionDeclaration] = {
        func overloads(_ arities: ClosedRange<Int>, member: Bool) -> [CELFunctionDeclaration.Overload] {
            arities.map { count in
                CELFunctionDeclaration.Overload(parameters: Array(repeating: .dyn, count: count + (member ? 1 : 0)),
                                                result: .dyn, isMember: member)
            }
        }
        var declarations: [CELFunctionDeclaration] = []
        for name in ["resource.Get", "resource.List", "resource.Post", "http.Get", "http.Post", "http.Client",
                     "imagedata.Get", "image.GetMetadata", "globalContext.Get"] {
            declarations.append(CELFunctionDeclaration(name: name, overloads: overloads(0...5, member: false)))
        }
        declarations.append(CELFunctionDeclaration(name: "authorizer.group", overloads: overloads(1...1, member: false)))
        declarations.append(CELFunctionDeclaration(name: "authorizer.serviceAccount", overloads: overloads(2...2, member: false)))
        // Members of the authorizer's builder and of an `http.Client(...)`.
        for name in ["resource", "subresource", "namespace", "name", "check", "path"] {
            declarations.append(CELFunctionDeclaration(name: name, overloads: overloads(1...1, member: true)))
        }
        for name in ["allowed", "reason", "errored", "error"] {
            declarations.append(CELFunctionDeclaration(name: name, overloads: overloads(0...0, member: true)))
        }
        for name in ["Get", "Post"] {
            declarations.append(CELFunctionDeclaration(name: name, overloads: overloads(1...3, member: true)))
        }
        return declarations
    }()

    static let options = CELOptions(variables: variables, functions: functions)
}
