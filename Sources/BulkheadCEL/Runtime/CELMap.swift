#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CEL map: keys are int, uint, bool or string; insertion order is preserved.
///
/// Lookup follows CEL's heterogeneous numeric equality: `{1u: 'a'}[1]` and `{1: 'a'}[1.0]` find
/// the entry.
public struct CELMap: Sendable {
    /// The entries in insertion order. Copying a map (which the evaluator does on every field
    /// access) costs one retain for a small map and two for an indexed one; parsing a JSON
    /// object allocates one array.
    public private(set) var entries: [(key: CELValue, value: CELValue)] = []
    /// Positions by key, built only once the map outgrows ``linearLimit``: Kubernetes objects
    /// are mostly small maps, where comparing a few keys beats hashing one.
    private var index: KeyIndex?

    /// The index of a large map, shared between copies until one of them changes.
    private final class KeyIndex: @unchecked Sendable {
        var positions: [MapKey: Int]

        init(_ positions: [MapKey: Int]) {
            self.positions = positions
        }
    }

    static let linearLimit = 12

    public init() {}

    /// Builds a map from entries; a later duplicate key replaces the earlier value, and entries
    /// whose key is not an int, uint, bool or string are dropped.
    public init(_ entries: [(CELValue, CELValue)]) {
        self.entries.reserveCapacity(entries.count)
        for (key, value) in entries {
            _ = try? insert(key, value, replacing: true)
        }
    }

    /// Builds a map from string keys in order, a repeated key keeping its last value, in one pass
    /// (the JSON parser's path: one array, no key copies).
    public init(stringKeyed pairs: some Collection<(String, CELValue)>) {
        var entries: [(key: CELValue, value: CELValue)] = []
        entries.reserveCapacity(pairs.count)
        if pairs.count <= Self.linearLimit {
            next: for (key, value) in pairs {
                for position in entries.indices {
                    if case .string(let existing) = entries[position].key, sameCodePoints(existing, key) {
                        entries[position].value = value
                        continue next
                    }
                }
                entries.append((.string(key), value))
            }
            self.entries = entries
            return
        }
        var positions: [MapKey: Int] = [:]
        positions.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            let mapKey = MapKey.string(key)
            if let existing = positions[mapKey] {
                entries[existing].value = value
                continue
            }
            positions[mapKey] = entries.count
            entries.append((.string(key), value))
        }
        self.entries = entries
        if entries.count > Self.linearLimit { index = KeyIndex(positions) }
    }

    /// Builds a map from string keys known to be distinct (the projected JSON parser's fields).
    init(distinctStringKeyed pairs: some Collection<(String, CELValue)>) {
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs { entries.append((.string(key), value)) }
        if entries.count > Self.linearLimit {
            var positions: [MapKey: Int] = [:]
            for (position, entry) in entries.enumerated() { if case .string(let key) = entry.key { positions[.string(key)] = position } }
            index = KeyIndex(positions)
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

    /// The position of `key`, by scan while the map is small and by index after.
    @inline(__always)
    private func position(of key: MapKey) -> Int? {
        if let index { return index.positions[key] }
        for position in entries.indices where MapKey(entries[position].key) == key { return position }
        return nil
    }

    /// Inserts an entry. Throws for a key kind maps cannot hold, or for a repeated key unless
    /// `replacing` is set.
    mutating func insert(_ key: CELValue, _ value: CELValue, replacing: Bool = false) throws(EvalError) {
        guard let mapKey = MapKey(key) else {
            throw EvalError("unsupported key type: \(key.celType.runtimeName)")
        }
        if let position = position(of: mapKey) {
            guard replacing else { throw EvalError("Failed with repeated key: \(key)") }
            entries[position].value = value
            return
        }
        entries.append((key, value))
        let count = entries.count
        if count == Self.linearLimit + 1 {
            var positions: [MapKey: Int] = [:]
            for (position, entry) in entries.enumerated() { positions[MapKey(entry.key)!] = position }
            index = KeyIndex(positions)
        } else if count > Self.linearLimit + 1 {
            if !isKnownUniquelyReferenced(&index!) { index = KeyIndex(index!.positions) }
            index!.positions[mapKey] = count - 1
        }
    }

    /// The value stored under `key`, using numeric equality across int, uint and double.
    public subscript(key: CELValue) -> CELValue? {
        guard let mapKey = MapKey(lookup: key), let position = position(of: mapKey) else { return nil }
        return entries[position].value
    }

    /// The value for a string key (the evaluator's field access: no key value is built).
    public subscript(key: String) -> CELValue? {
        if let index {
            return index.positions[.string(key)].map { entries[$0].value }
        }
        // By position, reading only the key: `for entry in entries` would copy every value passed.
        return entries.withUnsafeBufferPointer { entries in
            for position in entries.indices {
                if case .string(let candidate) = entries[position].key, sameCodePoints(candidate, key) { return entries[position].value }
            }
            return nil
        }
    }

    func strictValue(forKey key: CELValue) -> CELValue? {
        guard let mapKey = MapKey(key), let position = position(of: mapKey) else { return nil }
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
        case (.string(let a), .string(let b)): return sameCodePoints(a, b)
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

/// Whether two strings have the same code points (no Unicode normalization, unlike `==`).
@inline(__always)
func sameCodePoints(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    let fast = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in
            left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
        }
    }
    if let result = fast ?? nil { return result }
    return a.utf8.elementsEqual(b.utf8)
}
