/// An encoded value: what an `Encodable` wrote, with its scalar types kept, so one encoding
/// serves both the YAML file and the policy gate's view of the object.
public enum TreeNode {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case map(MapBox)
    case list(ListBox)

    /// Encodes `value` through its `Encodable` conformance.
    public init<Value: Encodable>(encoding value: Value) throws {
        self = try TreeEncoder.encode(value)
    }
}

/// A mapping's entries in the order they were encoded (sorted by key once written as YAML).
///
/// The boxes' storage is read and changed only by the encoder building them and, once built,
/// by one thread at a time, so Swift's run-time exclusivity checks (a thread-local access set
/// consulted on every access, about 3 % of a render) are turned off for it.
public final class MapBox {
    @exclusivity(unchecked) public internal(set) var entries: [(key: String, value: TreeNode)]
    @exclusivity(unchecked) private var isSorted = false

    init() {
        // Most Kubernetes mappings have a handful of keys: one allocation instead of three.
        entries = []
        entries.reserveCapacity(4)
    }

    /// A mapping with these entries (written sorted by key).
    public init(entries: [(key: String, value: TreeNode)]) { self.entries = entries }

    /// A string-to-string dictionary, as its `Encodable` conformance would encode it.
    init(strings: [String: String]) {
        entries = []
        entries.reserveCapacity(strings.count)
        for (key, value) in strings { entries.append((key, .string(value))) }
    }

    func sortKeys() {
        guard !isSorted else { return }
        entries.sort { $0.key < $1.key }
        isSorted = true
    }
}

/// A sequence's items.
public final class ListBox {
    @exclusivity(unchecked) public internal(set) var items: [TreeNode] = []

    init() {}

    /// A sequence of these items.
    public init(items: [TreeNode]) { self.items = items }

    /// A string list, as its `Encodable` conformance would encode it.
    init(strings: [String]) { items = strings.map(TreeNode.string) }
}

/// Where an encoder writes the value it is given: an entry of a mapping or an item of a
/// sequence, so that a nested value is built in place, with no holder object of its own.
enum EncodingTarget {
    case entry(MapBox, Int)
    case item(ListBox, Int)

    var value: TreeNode {
        get {
            switch self {
            case .entry(let box, let index): box.entries[index].value
            case .item(let box, let index): box.items[index]
            }
        }
        nonmutating set {
            switch self {
            case .entry(let box, let index): box.entries[index].value = newValue
            case .item(let box, let index): box.items[index] = newValue
            }
        }
    }
}

struct TreeEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let target: EncodingTarget

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: MapBox
        if case .map(let existing) = target.value { box = existing } else {
            box = MapBox()
            target.value = .map(box)
        }
        return KeyedEncodingContainer(MapContainer<Key>(box: box))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ListBox
        if case .list(let existing) = target.value { box = existing } else {
            box = ListBox()
            target.value = .list(box)
        }
        return ListContainer(box: box)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { ValueContainer(target: target) }

    /// `value` as a tree of its own.
    static func encode<T: Encodable>(_ value: T) throws -> TreeNode {
        if let node = directNode(value) { return node }
        let root = ListBox(items: [.null])
        try value.encode(to: TreeEncoder(target: .item(root, 0)))
        return root.items[0]
    }

    /// Encodes `value` into `target`.
    static func encode<T: Encodable>(_ value: T, into target: EncodingTarget) throws {
        if let node = directNode(value) {
            target.value = node
            return
        }
        try value.encode(to: TreeEncoder(target: target))
    }

    /// The node of a scalar, a string-to-string dictionary (labels, annotations, tags) or a
    /// string list, built directly; nil for other types, which encode themselves. Types are told
    /// apart by comparing metatypes, far cheaper than `as?` casts on every nested value, and the
    /// dictionary and list skip `Encodable`'s generic containers (a metadata lookup and a box per
    /// container, and a coding key per dictionary entry).
    @inline(__always)
    static func directNode<T: Encodable>(_ value: T) -> TreeNode? {
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == [String: String].self { return .map(MapBox(strings: unsafeBitCast(value, to: [String: String].self))) }
        if T.self == [String].self { return .list(ListBox(strings: unsafeBitCast(value, to: [String].self))) }
        if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if T.self == Int64.self { return .int(unsafeBitCast(value, to: Int64.self)) }
        if T.self == Int32.self { return .int(Int64(unsafeBitCast(value, to: Int32.self))) }
        if T.self == UInt32.self { return .int(Int64(unsafeBitCast(value, to: UInt32.self))) }
        return nil
    }
}

struct MapContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var codingPath: [any CodingKey] { [] }
    let box: MapBox

    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let node = TreeEncoder.directNode(value) {
            box.entries.append((key.stringValue, node))
            return
        }
        box.entries.append((key.stringValue, .null))
        try value.encode(to: TreeEncoder(target: .entry(box, box.entries.count - 1)))
    }
    // The primitive overloads skip the generic path's dynamic casts.
    mutating func encode(_ value: String, forKey key: Key) throws { box.entries.append((key.stringValue, .string(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.entries.append((key.stringValue, .int(Int64(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.entries.append((key.stringValue, .int(value))) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.entries.append((key.stringValue, .bool(value))) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = MapBox()
        box.entries.append((key.stringValue, .map(nested)))
        return KeyedEncodingContainer(MapContainer<NestedKey>(box: nested))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ListBox()
        box.entries.append((key.stringValue, .list(nested)))
        return ListContainer(box: nested)
    }
    // Class-inheritance encoding is not used by any rendered object; refuse it loudly rather
    // than drop the value.
    mutating func superEncoder() -> any Encoder { preconditionFailure("YAMLWriter does not support superEncoder") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("YAMLWriter does not support superEncoder") }
}

struct ListContainer: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    let box: ListBox
    var count: Int { box.items.count }

    mutating func encodeNil() throws { box.items.append(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let node = TreeEncoder.directNode(value) {
            box.items.append(node)
            return
        }
        box.items.append(.null)
        try value.encode(to: TreeEncoder(target: .item(box, box.items.count - 1)))
    }
    mutating func encode(_ value: String) throws { box.items.append(.string(value)) }
    mutating func encode(_ value: Int) throws { box.items.append(.int(Int64(value))) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = MapBox()
        box.items.append(.map(nested))
        return KeyedEncodingContainer(MapContainer<NestedKey>(box: nested))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ListBox()
        box.items.append(.list(nested))
        return ListContainer(box: nested)
    }
    mutating func superEncoder() -> any Encoder { preconditionFailure("YAMLWriter does not support superEncoder") }
}

struct ValueContainer: SingleValueEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    let target: EncodingTarget

    mutating func encodeNil() throws { target.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: target) }
    mutating func encode(_ value: String) throws { target.value = .string(value) }
}
