/// A CEL map: keys are int, uint, bool or string; insertion order is preserved.
///
/// Lookup follows CEL's heterogeneous numeric equality: `{1u: 'a'}[1]` and `{1: 'a'}[1.0]` find
/// the entry.
public struct CELMap: Sendable {
    /// The entries in insertion order.
    public private(set) var entries: [(key: CELValue, value: CELValue)] = []
    private var index: [MapKey: Int] = [:]

    public init() {}

    /// Builds a map from entries; a later duplicate key replaces the earlier value, and entries
    /// whose key is not an int, uint, bool or string are dropped.
    public init(_ entries: [(CELValue, CELValue)]) {
        self.entries.reserveCapacity(entries.count)
        for (key, value) in entries {
            _ = try? insert(key, value, replacing: true)
        }
    }

    /// Builds a string-keyed map.
    public init(_ dictionary: [String: CELValue]) {
        for key in dictionary.keys.sorted() {
            _ = try? insert(.string(key), dictionary[key]!, replacing: true)
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [CELValue] { entries.map(\.key) }

    /// Inserts an entry. Throws for a key kind maps cannot hold, or for a repeated key unless
    /// `replacing` is set.
    mutating func insert(_ key: CELValue, _ value: CELValue, replacing: Bool = false) throws(EvalError) {
        guard let mapKey = MapKey(key) else {
            throw EvalError("unsupported key type: \(key.celType.runtimeName)")
        }
        if let position = index[mapKey] {
            guard replacing else { throw EvalError("Failed with repeated key: \(key)") }
            entries[position].value = value
            return
        }
        index[mapKey] = entries.count
        entries.append((key, value))
    }

    /// The value stored under `key`, using numeric equality across int, uint and double.
    public subscript(key: CELValue) -> CELValue? {
        guard let mapKey = MapKey(lookup: key), let position = index[mapKey] else { return nil }
        return entries[position].value
    }

    /// The value for a string key.
    public subscript(key: String) -> CELValue? { self[.string(key)] }

    func strictValue(forKey key: CELValue) -> CELValue? {
        guard let mapKey = MapKey(key), let position = index[mapKey] else { return nil }
        let found = entries[position]
        return found.key.celType.runtimeName == key.celType.runtimeName ? found.value : nil
    }

    func contains(_ key: CELValue) -> Bool { self[key] != nil }
}

/// A hashable key: non-negative ints and uints share one form so that `1 == 1u` as keys; strings
/// compare by code points (no Unicode normalization).
enum MapKey: Hashable {
    case bool(Bool)
    case negative(Int64)
    case unsigned(UInt64)
    case string(String)

    init?(_ value: CELValue) {
        switch value {
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = number < 0 ? .negative(number) : .unsigned(UInt64(number))
        case .uint(let number): self = .unsigned(number)
        case .string(let text): self = .string(text)
        default: return nil
        }
    }

    /// Like `init(_:)` but also accepts an integral double, as map lookups do.
    init?(lookup value: CELValue) {
        if case .double(let number) = value {
            guard number.rounded(.towardZero) == number else { return nil }
            if number < 0, number >= -9_223_372_036_854_775_808.0 {
                self = .negative(Int64(number))
            } else if number >= 0, number < 18_446_744_073_709_551_616.0 {
                self = .unsigned(UInt64(number))
            } else {
                return nil
            }
            return
        }
        self.init(value)
    }

    static func == (lhs: MapKey, rhs: MapKey) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): return a == b
        case (.negative(let a), .negative(let b)): return a == b
        case (.unsigned(let a), .unsigned(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        default: return false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let flag): hasher.combine(0); hasher.combine(flag)
        case .negative(let number): hasher.combine(1); hasher.combine(number)
        case .unsigned(let number): hasher.combine(2); hasher.combine(number)
        case .string(let text):
            hasher.combine(3)
            var copy = text
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}
