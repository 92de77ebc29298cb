/// A lexical token of CEL source.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case int(UInt64)
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        /// A backquoted field name: `` `content-type` ``.
        case quotedIdentifier(String)
        case punctuation(String)
        case end
    }

    var kind: Kind
    var position: CELSourcePosition

    func isPunctuation(_ text: String) -> Bool {
        if case .punctuation(let value) = kind { return value == text }
        return false
    }
}
