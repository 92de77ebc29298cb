/// Parsing under a ``CELProjection``: the parts no program observes are scanned, so that
/// malformed JSON anywhere is still rejected with the same message, but no value is built for
/// them.
extension JSONBytesParser {
    /// The one JSON value the text holds, projected, with nothing but whitespace after it.
    mutating func parseDocument(projection: CELProjection) throws(CELError) -> CELValue {
        let value = try parseValue(depth: 0, projection: projection)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the JSON value") }
        return value
    }

    mutating func parseValue(depth: Int, projection: CELProjection) throws(CELError) -> CELValue {
        if projection.isWhole { return try parseValue(depth: depth) }
        guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end of input") }
        if projection.isPresenceOnly {
            try skipValue(depth: depth)
            return .null
        }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth, projection: projection)
        case UInt8(ascii: "["): return try parseArray(depth: depth, projection: projection)
        default: return try parseValue(depth: depth)
        }
    }

    private mutating func parseObject(depth: Int, projection: CELProjection) throws(CELError) -> CELValue {
        let base = pairStack.count
        if opensEmpty(closing: UInt8(ascii: "}")) { return .map(CELMap()) }
        // Keys matched to distinct fields are distinct: the map is built without comparing them.
        var seen: UInt64 = 0
        var distinct = projection.fields.count <= 64
        while true {
            try expectKey()
            let keyStart = position
            let matched = try matchKey(projection)
            try expectColon()
            if let matched {
                let bit: UInt64 = matched < 64 ? 1 << UInt64(matched) : 0
                if seen & bit != 0 { distinct = false }
                seen |= bit
                let field = projection.fields[matched]
                pairStack.append((field.name, try parseValue(depth: depth + 1, projection: field.projection)))
            } else if projection.keepsAllKeys {
                distinct = false
                let colon = position
                position = keyStart
                let key = try parseString()
                position = colon
                let value = try parseValue(depth: depth + 1, projection: projection.values ?? .presence)
                pairStack.append((key, value))
            } else {
                try skipValue(depth: depth + 1)
            }
            if try memberEnds(UInt8(ascii: "}")) { return distinct ? distinctMap(from: base) : map(from: base) }
        }
    }

    /// The map of the members stacked since `base`, whose keys are known to be distinct.
    private mutating func distinctMap(from base: Int) -> CELValue {
        let map = CELMap(distinctStringKeyed: pairStack[base...])
        pairStack.removeSubrange(base...)
        return .map(map)
    }

    private mutating func parseArray(depth: Int, projection: CELProjection) throws(CELError) -> CELValue {
        let base = valueStack.count
        let elements = projection.elements ?? CELProjection.presence
        if opensEmpty(closing: UInt8(ascii: "]")) { return .list([]) }
        while true {
            valueStack.append(try parseValue(depth: depth + 1, projection: elements))
            if try memberEnds(UInt8(ascii: "]")) { return list(from: base) }
        }
    }

    /// Reads the key at `position` (a `"`) and returns the position of the field it names, if the
    /// projection keeps one. Plain ASCII keys are compared as bytes; others are decoded first.
    private mutating func matchKey(_ projection: CELProjection) throws(CELError) -> Int? {
        let start = position + 1
        let end = stringRunEnd(from: start, stopsAtNonASCII: true)
        if end < bytes.count && bytes[end] == UInt8(ascii: "\"") {
            position = end + 1
            return projection.fieldIndex(utf8: UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
        let key = try parseString()
        return projection.fields.firstIndex { sameCodePoints($0.name, key) }
    }

    /// Moves past one JSON value, checking it as ``parseValue(depth:)`` does, building nothing.
    mutating func skipValue(depth: Int) throws(CELError) {
        guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            if opensEmpty(closing: UInt8(ascii: "}")) { return }
            while true {
                try expectKey()
                try skipString()
                try expectColon()
                try skipValue(depth: depth + 1)
                if try memberEnds(UInt8(ascii: "}")) { return }
            }
        case UInt8(ascii: "["):
            if opensEmpty(closing: UInt8(ascii: "]")) { return }
            while true {
                try skipValue(depth: depth + 1)
                if try memberEnds(UInt8(ascii: "]")) { return }
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectWord("true")
        case UInt8(ascii: "f"): try expectWord("false")
        case UInt8(ascii: "n"): try expectWord("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    /// Moves past a string; one with escapes is parsed, so that bad escapes fail as in a value.
    private mutating func skipString() throws(CELError) {
        let end = stringRunEnd(from: position + 1)
        if end < bytes.count && bytes[end] == UInt8(ascii: "\"") {
            position = end + 1
            return
        }
        _ = try parseString()
    }
}

extension CELValue {
    /// Parses JSON text keeping only what `projection` keeps (see ``CELProjection``); the rest of
    /// the text is checked but not built. Throws, as ``init(jsonBytes:)`` does, for malformed JSON
    /// anywhere in the text.
    public init(jsonBytes: some Collection<UInt8>, projection: CELProjection) throws(CELError) {
        if projection.isWhole {
            try self.init(jsonBytes: jsonBytes)
            return
        }
        let parse = { (buffer: UnsafeBufferPointer<UInt8>) -> Result<CELValue, CELError> in
            var parser = JSONBytesParser(buffer)
            do throws(CELError) { return .success(try parser.parseDocument(projection: projection)) } catch { return .failure(error) }
        }
        if let parsed = jsonBytes.withContiguousStorageIfAvailable(parse) {
            self = try parsed.get()
            return
        }
        self = try Array(jsonBytes).withUnsafeBufferPointer(parse).get()
    }
}
