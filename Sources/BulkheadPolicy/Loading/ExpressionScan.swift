/// A light scan of CEL source text, outside string literals, for the names a policy needs to
/// know before evaluating: which `variables.<name>` an expression reads and which functions it
/// calls that need a live cluster or the network.
struct ExpressionScan {
    /// Kyverno library functions (and the Kubernetes authorizer) that reach outside the request.
    static let clusterFunctions: [String] = [
        "resource.Get", "resource.List", "resource.Post",
        "http.Get", "http.Post", "http.Client",
        "imagedata.Get", "image.GetMetadata", "globalContext.Get",
        "authorizer.group", "authorizer.serviceAccount", "authorizer.requestResource",
    ]

    private(set) var variableReferences: Set<String> = []
    private(set) var indexesVariables = false
    private(set) var clusterCalls: [String] = []

    init(_ source: String) {
        let code = Self.withoutStringLiterals(Array(source.unicodeScalars))
        var index = 0
        while index < code.count {
            guard Self.isIdentifierStart(code[index]), index == 0 || !Self.isIdentifierPart(code[index - 1]) && code[index - 1] != "." else {
                index += 1
                continue
            }
            // A qualified name such as `variables.name` or `resource.Get`.
            var parts: [String] = []
            var end = index
            while true {
                let start = end
                while end < code.count, Self.isIdentifierPart(code[end]) { end += 1 }
                parts.append(String(String.UnicodeScalarView(code[start..<end])))
                // `.name` or `.?name` continues the qualified name.
                var next = end
                guard next < code.count, code[next] == "." else { break }
                next += 1
                if next < code.count, code[next] == "?" { next += 1 }
                guard next < code.count, Self.isIdentifierStart(code[next]) else { break }
                end = next
            }
            if parts.first == "variables" {
                if parts.count > 1 {
                    variableReferences.insert(parts[1])
                } else if end < code.count, code[end] == "[" {
                    indexesVariables = true
                }
            }
            let plain = parts.joined(separator: ".")
            for function in Self.clusterFunctions where plain == function || plain.hasPrefix(function + ".") {
                if !clusterCalls.contains(function) { clusterCalls.append(function) }
            }
            index = end
        }
    }

    /// The source with the content of quoted strings blanked out (quotes kept).
    static func withoutStringLiterals(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result = scalars
        var index = 0
        while index < result.count {
            let scalar = result[index]
            guard scalar == "'" || scalar == "\"" else {
                index += 1
                continue
            }
            let triple = index + 2 < result.count && result[index + 1] == scalar && result[index + 2] == scalar
            let raw = index > 0 && (result[index - 1] == "r" || result[index - 1] == "R")
            var cursor = index + (triple ? 3 : 1)
            while cursor < result.count {
                if result[cursor] == "\\" && !raw {
                    result[cursor] = " "
                    if cursor + 1 < result.count { result[cursor + 1] = " " }
                    cursor += 2
                    continue
                }
                if result[cursor] == scalar {
                    if !triple { break }
                    if cursor + 2 < result.count, result[cursor + 1] == scalar, result[cursor + 2] == scalar {
                        cursor += 2
                        break
                    }
                }
                result[cursor] = " "
                cursor += 1
            }
            index = cursor + 1
        }
        return result
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar)
    }
}
