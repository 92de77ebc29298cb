/// The parts of a JSON document that some CEL programs can observe, so that a parser can skip
/// the rest (see ``CELValue/init(jsonBytes:projection:)``).
///
/// A projection mirrors the document's shape: objects keep only the named fields (or every key,
/// with placeholder values, when the programs count or iterate the keys), arrays keep every
/// element (so sizes and positions stay true) projected by ``elements``; an object's values are
/// projected by ``values`` when a program reads values under keys it cannot name. A value no program can
/// observe beyond its presence becomes `null`. Objects stay maps, arrays lists and scalars keep
/// their value, so a program sees the same results, errors and costs on a projected document as
/// on the whole one. Built by ``CELProjectionAnalysis``.
public final class CELProjection: Sendable {
    /// One named field of an object and how its value is projected.
    struct Field: Sendable {
        let name: String
        let utf8: [UInt8]
        let projection: CELProjection
    }

    /// Keep the value whole.
    public let isWhole: Bool
    /// Keep every key of an object, even those no field names (their values become `null`).
    public let keepsAllKeys: Bool
    /// How the elements of an array are projected; nil when no program looks inside them.
    public let elements: CELProjection?
    /// How every value of an object is projected (the object then keeps all its keys); nil when
    /// programs read values only under the keys ``fields`` names.
    public let values: CELProjection?
    let fields: [Field]
    /// Every field name's UTF-8, one after the other, and where each ends: matched against a key
    /// without touching the fields themselves.
    private let fieldBytes: [UInt8]
    private let fieldEnds: [Int]
    /// Each name's length and first byte in one number, compared before any other byte.
    private let fieldShapes: [UInt32]

    /// The whole value.
    public static let whole = CELProjection(isWhole: true, keepsAllKeys: true, fields: [], elements: nil, values: nil)
    /// Nothing but the value's presence: it is read as `null`.
    public static let presence = CELProjection(isWhole: false, keepsAllKeys: false, fields: [], elements: nil, values: nil)

    /// A projection that keeps `fields` of an object; `elements` projects every element of an
    /// array, `values` every value of an object (which then keeps all its keys).
    public convenience init(fields: [String: CELProjection] = [:], elements: CELProjection? = nil, values: CELProjection? = nil,
                            keepsAllKeys: Bool = false) {
        var merged = fields
        if let values {
            for name in merged.keys { merged[name] = merged[name]!.merging(values) }
        }
        let ordered = merged.keys.sorted().map { Field(name: $0, utf8: Array($0.utf8), projection: merged[$0]!) }
        self.init(isWhole: false, keepsAllKeys: keepsAllKeys || values != nil, fields: ordered, elements: elements, values: values)
    }

    private init(isWhole: Bool, keepsAllKeys: Bool, fields: [Field], elements: CELProjection?, values: CELProjection?) {
        self.isWhole = isWhole
        self.keepsAllKeys = keepsAllKeys
        self.fields = fields
        self.elements = elements
        self.values = values
        self.fieldBytes = fields.flatMap(\.utf8)
        var end = 0
        self.fieldEnds = fields.map { field in
            end += field.utf8.count
            return end
        }
        self.fieldShapes = fields.map { Self.shape(count: $0.utf8.count, first: $0.utf8.first ?? 0) }
    }

    private static func shape(count: Int, first: UInt8) -> UInt32 { UInt32(truncatingIfNeeded: count) << 8 | UInt32(first) }

    /// The position in ``fields`` of the field whose name is `key`'s bytes.
    func fieldIndex(utf8 key: UnsafeBufferPointer<UInt8>) -> Int? {
        let keyShape = Self.shape(count: key.count, first: key.first ?? 0)
        return fieldShapes.withUnsafeBufferPointer { shapes in
            for index in 0..<shapes.count where shapes[index] == keyShape {
                let matches = fieldBytes.withUnsafeBufferPointer { bytes in
                    let start = fieldEnds[index] - key.count
                    var offset = 1
                    while offset < key.count && bytes[start + offset] == key[offset] { offset += 1 }
                    return offset >= key.count
                }
                if matches { return index }
            }
            return nil
        }
    }

    /// Only the value's presence is observed.
    var isPresenceOnly: Bool { !isWhole && !keepsAllKeys && fields.isEmpty && elements == nil && values == nil }

    /// The projection of the named field, if any.
    public func field(_ name: String) -> CELProjection? {
        fields.first { $0.name == name }?.projection
    }

    /// The names of the fields kept, in name order.
    public var fieldNames: [String] { fields.map(\.name) }

    /// What either projection keeps.
    public func merging(_ other: CELProjection) -> CELProjection {
        if isWhole || other.isWhole { return .whole }
        if other.isPresenceOnly { return self }
        if isPresenceOnly { return other }
        var merged: [String: CELProjection] = [:]
        for field in fields { merged[field.name] = field.projection }
        for field in other.fields { merged[field.name] = merged[field.name].map { $0.merging(field.projection) } ?? field.projection }
        return CELProjection(fields: merged, elements: Self.merged(elements, other.elements), values: Self.merged(values, other.values),
                             keepsAllKeys: keepsAllKeys || other.keepsAllKeys)
    }

    private static func merged(_ mine: CELProjection?, _ theirs: CELProjection?) -> CELProjection? {
        guard let mine else { return theirs }
        return theirs.map { mine.merging($0) } ?? mine
    }

    /// This projection applied to the value at `path` inside a document, the rest skipped.
    public func nested(under path: [String]) -> CELProjection {
        path.reversed().reduce(self) { inner, name in CELProjection(fields: [name: inner]) }
    }
}

extension CELProjection: CustomStringConvertible {
    /// A compact rendering for tests and logs: `*` whole, `?` presence, `{a,b:{c}}` fields,
    /// `[...]` elements, `+keys` all keys kept, `+values:...` the values of every key.
    public var description: String {
        if isWhole { return "*" }
        if isPresenceOnly { return "?" }
        var parts = fields.map { $0.projection.isPresenceOnly ? $0.name : "\($0.name):\($0.projection)" }
        if let elements { parts.append("[\(elements)]") }
        if let values { parts.append("+values:\(values)") } else if keepsAllKeys { parts.append("+keys") }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
