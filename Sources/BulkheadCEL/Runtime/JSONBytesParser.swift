/// Parses JSON text straight into CEL values, without Foundation's `JSONSerialization` object
/// graph in between. Written by hand because the webhook parses every AdmissionReview body and
/// the gate every rendered object, and going through `NSDictionary`/`NSNumber` costs several
/// times the evaluation itself on Linux; no listed package parses JSON into a value tree.
///
/// Numbers follow ``CELValue/init(json:)``: integral values become `int` (or `uint` above
/// `Int64.max`), others `double`. Object keys keep their order in the text; a repeated key keeps
/// the last value, as JSON decoders usually do.
struct JSONBytesParser {
    /// Nesting deeper than this is rejected rather than risking the stack.
    static let maximumDepth = 256

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Members of the objects and arrays being parsed, shared by every level so that each
    /// container is built once at its final size instead of growing its own array.
    var pairStack: [(String, CELValue)] = []
    var valueStack: [CELValue] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one JSON value the text holds, with nothing but whitespace after it.
    mutating func parseDocument() throws(CELError) -> CELValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the JSON value") }
        return value
    }

    mutating func parseValue(depth: Int) throws(CELError) -> CELValue {
        guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    mutating func parseObject(depth: Int) throws(CELError) -> CELValue {
        let base = pairStack.count
        if opensEmpty(closing: UInt8(ascii: "}")) { return .map(CELMap()) }
        while true {
            try expectKey()
            let key = try parseString()
            try expectColon()
            let value = try parseValue(depth: depth + 1)
            pairStack.append((key, value))
            if try memberEnds(UInt8(ascii: "}")) { return map(from: base) }
        }
    }

    mutating func parseArray(depth: Int) throws(CELError) -> CELValue {
        let base = valueStack.count
        if opensEmpty(closing: UInt8(ascii: "]")) { return .list([]) }
        while true {
            let value = try parseValue(depth: depth + 1)
            valueStack.append(value)
            if try memberEnds(UInt8(ascii: "]")) { return list(from: base) }
        }
    }

    /// Moves past a container's opening byte, and past its `closing` byte when nothing is between.
    @inline(__always)
    mutating func opensEmpty(closing: UInt8) -> Bool {
        position += 1
        skipWhitespace()
        guard peek == closing else { return false }
        position += 1
        return true
    }

    /// Checks for an object key's opening quote.
    @inline(__always)
    mutating func expectKey() throws(CELError) {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw failure("expected a string key") }
    }

    /// Moves past the `:` after an object key.
    @inline(__always)
    mutating func expectColon() throws(CELError) {
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw failure("expected ':' after an object key") }
        position += 1
    }

    /// Moves past what follows a member: true at the container's `closing` byte, false at a comma.
    @inline(__always)
    mutating func memberEnds(_ closing: UInt8) throws(CELError) -> Bool {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: ","):
            position += 1
            return false
        case closing:
            position += 1
            return true
        default:
            throw failure(closing == UInt8(ascii: "}") ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
        }
    }

    /// The map of the members stacked since `base`, which are taken off the stack.
    @inline(__always)
    mutating func map(from base: Int) -> CELValue {
        let map = CELMap(stringKeyed: pairStack[base...])
        pairStack.removeSubrange(base...)
        return .map(map)
    }

    /// The list of the elements stacked since `base`, which are taken off the stack.
    @inline(__always)
    mutating func list(from base: Int) -> CELValue {
        let values = Array(valueStack[base...])
        valueStack.removeSubrange(base...)
        return .list(values)
    }

    mutating func parseString() throws(CELError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes, the bytes are the string.
        position = stringRunEnd(from: start)
        if position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte < 0x20 { throw failure("control character in a string") }
        }
        var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"): scalars.append(contentsOf: try parseUnicodeEscape())
                default: throw failure("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            case 0..<0x20:
                throw failure("control character in a string")
            default:
                scalars.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// The UTF-8 bytes of a `\uXXXX` escape (the `\u` already read), joining surrogate pairs.
    mutating func parseUnicodeEscape() throws(CELError) -> [UInt8] {
        var code = try hexQuad()
        if (0xD800..<0xDC00).contains(code) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw failure("unpaired surrogate in a \\u escape")
            }
            position += 2
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(code) {
            throw failure("unpaired surrogate in a \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
        return Array(String(Character(scalar)).utf8)
    }

    mutating func hexQuad() throws(CELError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in a \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func parseNumber() throws(CELError) -> CELValue {
        let start = position
        if peek == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        guard position > digitsStart else { throw failure("invalid number") }
        if bytes[digitsStart] == UInt8(ascii: "0") && position - digitsStart > 1 { throw failure("leading zero in a number") }
        var isIntegral = true
        if peek == UInt8(ascii: ".") {
            isIntegral = false
            position += 1
            let fractionStart = position
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            guard position > fractionStart else { throw failure("invalid number") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            isIntegral = false
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            let exponentStart = position
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            guard position > exponentStart else { throw failure("invalid number") }
        }
        // Fast path: up to 18 digits always fit an Int64.
        if isIntegral, position - digitsStart <= 18 {
            var value: Int64 = 0
            for index in digitsStart..<position { value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            return .int(bytes[start] == UInt8(ascii: "-") ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isIntegral {
            if let value = Int64(text) { return .int(value) }
            if let value = UInt64(text) { return .uint(value) }
        }
        guard let value = Double(text), value.isFinite else { throw failure("number out of range") }
        if value.rounded() == value, abs(value) < 9.2e18 { return .int(Int64(value)) }
        return .double(value)
    }

    mutating func expectWord(_ word: StaticString) throws(CELError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw failure("unexpected end of input") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] {
            throw failure("invalid literal")
        }
        position += count
    }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func failure(_ reason: String) -> CELError {
        CELError(.evaluation, "invalid JSON at byte \(position): \(reason)")
    }
}

extension CELValue {
    /// Parses JSON text into a CEL value: integral numbers become `int`, other numbers `double`,
    /// objects string-keyed maps in the order of the text. Throws with the byte offset of the
    /// first error.
    public init(jsonBytes: some Collection<UInt8>) throws(CELError) {
        let parsed: Result<CELValue, CELError>? = jsonBytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONBytesParser(buffer)
            do throws(CELError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        if let parsed {
            self = try parsed.get()
            return
        }
        let copy = Array(jsonBytes)
        let result: Result<CELValue, CELError> = copy.withUnsafeBufferPointer { buffer in
            var parser = JSONBytesParser(buffer)
            do throws(CELError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        self = try result.get()
    }
}
