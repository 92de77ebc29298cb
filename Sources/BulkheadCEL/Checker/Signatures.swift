/// Type signatures of the standard functions for the checker, written in a compact notation:
/// `name(param, ...) -> result`, `recv.name(...)` for receiver style, `A`/`B`/`K`/`V` type
/// parameters. Library functions without a signature here are accepted with a `dyn` result.
enum Signatures {
    static let standard: [String: [CELFunctionDeclaration.Overload]] = {
        var table: [String: [CELFunctionDeclaration.Overload]] = [:]
        let numeric = ["int", "uint", "double"]
        var lines = [
            "!_(bool) -> bool", "-_(int) -> int", "-_(double) -> double", "-_(duration) -> duration",
            "_==_(A, A) -> bool", "_!=_(A, A) -> bool",
            "_+_(int, int) -> int", "_+_(uint, uint) -> uint", "_+_(double, double) -> double",
            "_+_(string, string) -> string", "_+_(bytes, bytes) -> bytes", "_+_(list(A), list(A)) -> list(A)",
            "_+_(timestamp, duration) -> timestamp", "_+_(duration, timestamp) -> timestamp",
            "_+_(duration, duration) -> duration",
            "_-_(int, int) -> int", "_-_(uint, uint) -> uint", "_-_(double, double) -> double",
            "_-_(timestamp, timestamp) -> duration", "_-_(timestamp, duration) -> timestamp",
            "_-_(duration, duration) -> duration",
            "_*_(int, int) -> int", "_*_(uint, uint) -> uint", "_*_(double, double) -> double",
            "_/_(int, int) -> int", "_/_(uint, uint) -> uint", "_/_(double, double) -> double",
            "_%_(int, int) -> int", "_%_(uint, uint) -> uint",
            "@in(A, list(A)) -> bool", "@in(A, map(A, B)) -> bool",
            "_[_](list(A), int) -> A", "_[_](map(K, V), K) -> V",
            "_?_:_(bool, A, A) -> A",
            "size(string) -> int", "size(bytes) -> int", "size(list(A)) -> int", "size(map(K, V)) -> int",
            "string.size() -> int", "bytes.size() -> int", "list(A).size() -> int", "map(K, V).size() -> int",
            "string.contains(string) -> bool", "string.startsWith(string) -> bool", "string.endsWith(string) -> bool",
            "string.matches(string) -> bool", "matches(string, string) -> bool",
            "int(int) -> int", "int(uint) -> int", "int(double) -> int", "int(string) -> int", "int(timestamp) -> int",
            "uint(int) -> uint", "uint(uint) -> uint", "uint(double) -> uint", "uint(string) -> uint",
            "double(int) -> double", "double(uint) -> double", "double(double) -> double", "double(string) -> double",
            "string(int) -> string", "string(uint) -> string", "string(double) -> string", "string(bool) -> string",
            "string(bytes) -> string", "string(string) -> string", "string(timestamp) -> string", "string(duration) -> string",
            "bytes(string) -> bytes", "bytes(bytes) -> bytes", "bool(bool) -> bool", "bool(string) -> bool",
            "dyn(A) -> dyn", "type(A) -> type(A)",
            "timestamp(string) -> timestamp", "timestamp(int) -> timestamp", "timestamp(timestamp) -> timestamp",
            "duration(string) -> duration", "duration(duration) -> duration",
            "optional.of(A) -> optional(A)", "optional.ofNonZeroValue(A) -> optional(A)", "optional.none() -> optional(A)",
            "optional(A).hasValue() -> bool", "optional(A).value() -> A",
            "optional(A).or(optional(A)) -> optional(A)", "optional(A).orValue(A) -> A",
        ]
        lines += extensions
        for name in ["_<_", "_<=_", "_>_", "_>=_"] {
            for left in numeric { for right in numeric { lines.append("\(name)(\(left), \(right)) -> bool") } }
            for type in ["string", "bytes", "bool", "timestamp", "duration"] { lines.append("\(name)(\(type), \(type)) -> bool") }
        }
        for accessor in ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek",
                         "getHours", "getMinutes", "getSeconds", "getMilliseconds"] {
            lines.append("timestamp.\(accessor)() -> int")
            lines.append("timestamp.\(accessor)(string) -> int")
        }
        for accessor in ["getHours", "getMinutes", "getSeconds", "getMilliseconds"] {
            lines.append("duration.\(accessor)() -> int")
        }
        for line in lines {
            let (name, overload) = parse(line)
            table[name, default: []].append(overload)
        }
        return table
    }()

    /// The strings, lists, regex, quantity, URL, IP/CIDR and format extensions. (The math
    /// extension's variadic mixed-type functions stay unchecked.)
    static let extensions = [
        "string.charAt(int) -> string", "string.indexOf(string) -> int", "string.indexOf(string, int) -> int",
        "string.lastIndexOf(string) -> int", "string.lastIndexOf(string, int) -> int",
        "string.lowerAscii() -> string", "string.upperAscii() -> string",
        "string.replace(string, string) -> string", "string.replace(string, string, int) -> string",
        "string.split(string) -> list(string)", "string.split(string, int) -> list(string)",
        "string.substring(int) -> string", "string.substring(int, int) -> string", "string.trim() -> string",
        "list(string).join() -> string", "list(string).join(string) -> string", "string.reverse() -> string",
        "strings.quote(string) -> string", "string.format(list(dyn)) -> string",
        "string.find(string) -> string", "string.findAll(string) -> list(string)",
        "string.findAll(string, int) -> list(string)",
        "list(A).isSorted() -> bool", "list(A).sum() -> A", "list(A).min() -> A", "list(A).max() -> A",
        "list(A).indexOf(A) -> int", "list(A).lastIndexOf(A) -> int", "list(A).reverse() -> list(A)",
        "list(A).slice(int, int) -> list(A)", "list(A).distinct() -> list(A)", "list(A).sort() -> list(A)",
        "list(dyn).flatten() -> list(dyn)", "list(dyn).flatten(int) -> list(dyn)", "lists.range(int) -> list(int)",
        "quantity(string) -> kubernetes.Quantity", "isQuantity(string) -> bool",
        "kubernetes.Quantity.sign() -> int", "kubernetes.Quantity.isInteger() -> bool",
        "kubernetes.Quantity.asInteger() -> int", "kubernetes.Quantity.asApproximateFloat() -> double",
        "kubernetes.Quantity.add(kubernetes.Quantity) -> kubernetes.Quantity", "kubernetes.Quantity.add(int) -> kubernetes.Quantity",
        "kubernetes.Quantity.sub(kubernetes.Quantity) -> kubernetes.Quantity", "kubernetes.Quantity.sub(int) -> kubernetes.Quantity",
        "kubernetes.Quantity.isLessThan(kubernetes.Quantity) -> bool",
        "kubernetes.Quantity.isGreaterThan(kubernetes.Quantity) -> bool",
        "kubernetes.Quantity.compareTo(kubernetes.Quantity) -> int",
        "url(string) -> kubernetes.URL", "isURL(string) -> bool",
        "kubernetes.URL.getScheme() -> string", "kubernetes.URL.getHost() -> string",
        "kubernetes.URL.getHostname() -> string", "kubernetes.URL.getPort() -> string",
        "kubernetes.URL.getEscapedPath() -> string", "kubernetes.URL.getQuery() -> map(string, list(string))",
        "ip(string) -> net.IP", "isIP(string) -> bool", "ip.isCanonical(string) -> bool",
        "cidr(string) -> net.CIDR", "isCIDR(string) -> bool", "net.IP.family() -> int",
        "net.IP.isUnspecified() -> bool", "net.IP.isLoopback() -> bool", "net.IP.isGlobalUnicast() -> bool",
        "net.IP.isLinkLocalMulticast() -> bool", "net.IP.isLinkLocalUnicast() -> bool",
        "net.CIDR.containsIP(net.IP) -> bool", "net.CIDR.containsIP(string) -> bool",
        "net.CIDR.containsCIDR(net.CIDR) -> bool", "net.CIDR.containsCIDR(string) -> bool",
        "net.CIDR.prefixLength() -> int", "net.CIDR.masked() -> net.CIDR", "net.CIDR.ip() -> net.IP",
        "string(net.IP) -> string", "string(net.CIDR) -> string", "string(kubernetes.URL) -> string",
        "string(kubernetes.Quantity) -> string",
        "base64.encode(bytes) -> string", "base64.decode(string) -> bytes",
    ]

    /// Parses one `name(params) -> result` line.
    static func parse(_ line: String) -> (String, CELFunctionDeclaration.Overload) {
        let characters = Array(line)
        let arrow = (0..<(characters.count - 3)).last { String(characters[$0..<($0 + 4)]) == " -> " }!
        let head = Substring(String(characters[..<arrow]))
        let result = type(String(characters[(arrow + 4)...]))
        var open = head.index(before: head.endIndex)
        var depth = 0
        while true {
            if head[open] == ")" { depth += 1 }
            if head[open] == "(" { depth -= 1; if depth == 0 { break } }
            open = head.index(before: open)
        }
        var name = String(head[..<open])
        let parameterText = head[head.index(after: open)..<head.index(before: head.endIndex)]
        var parameters = splitTopLevel(String(parameterText)).map(type)
        var isMember = false
        let globals = ["optional.", "strings.", "lists.", "ip.isCanonical", "base64."]
        if !globals.contains(where: { name.hasPrefix($0) }), let dot = lastTopLevelDot(name) {
            parameters.insert(type(String(name[..<dot])), at: 0)
            name = String(name[name.index(after: dot)...])
            isMember = true
        }
        return (name, CELFunctionDeclaration.Overload(parameters: parameters, result: result, isMember: isMember))
    }

    private static func lastTopLevelDot(_ text: String) -> String.Index? {
        var depth = 0
        var found: String.Index?
        for index in text.indices {
            switch text[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "." where depth == 0: found = index
            default: break
            }
        }
        return found
    }

    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                parts.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingSpaces.isEmpty { parts.append(current.trimmingSpaces) }
        return parts
    }

    static func type(_ text: String) -> CELType {
        let text = text.trimmingSpaces
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let name = String(text[..<open])
            let arguments = splitTopLevel(String(text[text.index(after: open)..<text.index(before: text.endIndex)])).map(type)
            switch name {
            case "list": return .list(arguments[0])
            case "map": return .map(arguments[0], arguments[1])
            case "optional": return .optional(arguments[0])
            case "type": return .type(arguments[0])
            default: return .opaque(name, arguments)
            }
        }
        switch text {
        case "bool": return .bool
        case "int": return .int
        case "uint": return .uint
        case "double": return .double
        case "string": return .string
        case "bytes": return .bytes
        case "timestamp": return .timestamp
        case "duration": return .duration
        case "dyn": return .dyn
        case "null": return .null
        case "kubernetes.Quantity", "kubernetes.URL", "net.IP", "net.CIDR": return .opaque(text, [])
        default: return .typeParameter(text)
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var result = Substring(self)
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return String(result)
    }
}
