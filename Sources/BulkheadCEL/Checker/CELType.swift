/// A CEL type, used both by the type checker and as the runtime value of `type(x)`.
///
/// At runtime a type value compares by ``runtimeName`` only (`type([1]) == type(['a'])`).
public indirect enum CELType: Sendable, Hashable, CustomStringConvertible {
    case dyn
    case null
    case bool
    case int
    case uint
    case double
    case string
    case bytes
    case timestamp
    case duration
    case list(CELType)
    case map(CELType, CELType)
    /// The type of a type value; the parameter is the type denoted, `.dyn` when unknown.
    case type(CELType)
    case optional(CELType)
    /// A named abstract type such as `net.IP`, `kubernetes.Quantity` or a declared `tuple(T, U)`.
    case opaque(String, [CELType])
    /// A protobuf message type (not supported by this engine beyond its name).
    case message(String)
    /// A type parameter in a function signature.
    case typeParameter(String)
    /// The result of a failed check.
    case error

    /// Kubernetes quantity type.
    public static let quantity = CELType.opaque("kubernetes.Quantity", [])
    /// Kubernetes URL type.
    public static let url = CELType.opaque("kubernetes.URL", [])
    /// IP address type.
    public static let ip = CELType.opaque("net.IP", [])
    /// CIDR type.
    public static let cidr = CELType.opaque("net.CIDR", [])

    /// The name of the type as seen by `type(x)` at runtime (parameters dropped).
    public var runtimeName: String {
        switch self {
        case .dyn: return "dyn"
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .timestamp: return "google.protobuf.Timestamp"
        case .duration: return "google.protobuf.Duration"
        case .list: return "list"
        case .map: return "map"
        case .type: return "type"
        case .optional: return "optional_type"
        case .opaque(let name, _): return name
        case .message(let name): return name
        case .typeParameter(let name): return name
        case .error: return "*error*"
        }
    }

    public var description: String {
        switch self {
        case .list(let element): return "list(\(element))"
        case .map(let key, let value): return "map(\(key), \(value))"
        case .type(let denoted): return denoted == .dyn ? "type" : "type(\(denoted))"
        case .optional(let wrapped): return "optional_type(\(wrapped))"
        case .opaque(let name, let parameters):
            return parameters.isEmpty ? name : "\(name)(\(parameters.map(\.description).joined(separator: ", ")))"
        default: return runtimeName
        }
    }

    /// Type names that denote a type value when written as an identifier in an expression.
    static let denotable: [String: CELType] = [
        "bool": .bool, "int": .int, "uint": .uint, "double": .double, "string": .string,
        "bytes": .bytes, "list": .list(.dyn), "map": .map(.dyn, .dyn), "null_type": .null,
        "type": .type(.dyn), "optional_type": .optional(.dyn),
        "google.protobuf.Timestamp": .timestamp, "google.protobuf.Duration": .duration,
        "net.IP": .ip, "net.CIDR": .cidr,
        "kubernetes.Quantity": .quantity, "kubernetes.URL": .url,
    ]
}
