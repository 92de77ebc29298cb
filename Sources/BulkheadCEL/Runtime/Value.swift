/// A CEL runtime value.
///
/// `Equatable` here is structural equality, meant for tests and caching: kinds must match
/// (`1 != 1u`), NaN equals NaN, maps compare without regard to order. The CEL `==` operator,
/// with its heterogeneous numeric equality, is ``celEquals(_:)``.
/// The rarer kinds are `indirect` so that the common ones (scalars, strings, lists, maps) keep the
/// value small and cheap to copy on the evaluator's hot path.
public enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map(CELMap)
    indirect case type(CELType)
    indirect case timestamp(CELTimestamp)
    indirect case duration(CELDuration)
    /// An optional value: `optional.of(x)` is `.optional(x)`, `optional.none()` is `.optional(nil)`.
    indirect case optional(CELValue?)
    /// A Kubernetes resource quantity (`quantity('500m')`).
    indirect case quantity(CELQuantity)
    /// A parsed URL (`url('https://example.com')`).
    indirect case url(CELURL)
    /// An IP address (`ip('10.0.0.1')`).
    indirect case ip(CELIPAddress)
    /// An IP prefix (`cidr('10.0.0.0/8')`).
    indirect case cidr(CELCIDR)

    /// The runtime type of the value, as returned by `type(x)`.
    public var celType: CELType {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .uint: return .uint
        case .double: return .double
        case .string: return .string
        case .bytes: return .bytes
        case .list: return .list(.dyn)
        case .map: return .map(.dyn, .dyn)
        case .type: return .type(.dyn)
        case .timestamp: return .timestamp
        case .duration: return .duration
        case .optional: return .optional(.dyn)
        case .quantity: return .quantity
        case .url: return .url
        case .ip: return .ip
        case .cidr: return .cidr
        }
    }

    /// True for the zero value of the kind (0, "", false, null, empty list or map, none...).
    var isZeroValue: Bool {
        switch self {
        case .null: return true
        case .bool(let value): return !value
        case .int(let value): return value == 0
        case .uint(let value): return value == 0
        case .double(let value): return value == 0
        case .string(let value): return value.isEmpty
        case .bytes(let value): return value.isEmpty
        case .list(let value): return value.isEmpty
        case .map(let value): return value.isEmpty
        case .timestamp(let value): return value.nanoseconds == 0
        case .duration(let value): return value.nanoseconds == 0
        case .optional(let value): return value == nil
        case .type, .quantity, .url, .ip, .cidr: return false
        }
    }
}

extension CELValue: Equatable {
    public static func == (lhs: CELValue, rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a.entries {
                guard let other = b.strictValue(forKey: key), other == value else { return false }
            }
            return true
        case (.type(let a), .type(let b)): return a.runtimeName == b.runtimeName
        case (.timestamp(let a), .timestamp(let b)): return a == b
        case (.duration(let a), .duration(let b)): return a == b
        case (.optional(let a), .optional(let b)): return a == b
        case (.quantity(let a), .quantity(let b)): return a.value == b.value
        case (.url(let a), .url(let b)): return a == b
        case (.ip(let a), .ip(let b)): return a == b
        case (.cidr(let a), .cidr(let b)): return a == b
        default: return false
        }
    }
}

extension CELValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: CELValue...) { self = .list(elements) }
}

extension CELValue: CustomStringConvertible {
    /// A readable rendering, used by `string()`-like formatting (`%s`) and in messages.
    public var description: String { Formatting.display(self) }
}
