/// A URL accepted by Kubernetes' `url()`: an absolute URI (`https://host:8080/path?q=1`) or an
/// absolute path (`/path`).
public struct CELURL: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    /// Host with port, IPv6 addresses in brackets.
    public let host: String
    public let path: String
    public let rawQuery: String
    private let text: String

    public init?(_ text: String) {
        guard !text.isEmpty, !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
        self.text = text
        var rest = Substring(text)
        if let question = rest.firstIndex(of: "?") {
            rawQuery = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        } else {
            rawQuery = ""
        }
        if rest.hasPrefix("/") {
            scheme = ""
            host = ""
            path = String(rest)
            return
        }
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let schemeText = rest[..<colon]
        guard let first = schemeText.unicodeScalars.first, Self.isLetter(first),
            schemeText.unicodeScalars.allSatisfy({ Self.isLetter($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        scheme = String(schemeText)
        rest = rest[rest.index(after: colon)...]
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<end]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { return nil }
                let after = authority[authority.index(after: close)...]
                guard after.isEmpty || (after.hasPrefix(":") && after.dropFirst().allSatisfy(\.isNumber)) else { return nil }
            } else if let portColon = authority.lastIndex(of: ":") {
                guard authority[authority.index(after: portColon)...].allSatisfy(\.isNumber) else { return nil }
            }
            host = String(authority)
            path = String(rest[end...])
        } else {
            guard !rest.isEmpty else { return nil }
            host = ""
            path = String(rest)
        }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// The host without port or IPv6 brackets.
    public var hostname: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    /// The port, or "" when none is given.
    public var port: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            return after.hasPrefix(":") ? String(after.dropFirst()) : ""
        }
        if let colon = host.lastIndex(of: ":") { return String(host[host.index(after: colon)...]) }
        return ""
    }

    /// Query parameters, decoded, in order of first appearance.
    public var query: CELMap {
        var map = CELMap()
        var values: [(String, [String])] = []
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if let index = values.firstIndex(where: { $0.0 == key }) { values[index].1.append(value) } else { values.append((key, [value])) }
        }
        for (key, list) in values { _ = try? map.insert(.string(key), .list(list.map(CELValue.string))) }
        return map
    }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { text }
}

/// The Kubernetes URL library: `url`, `isURL`, `getScheme`, `getHost`, `getHostname`, `getPort`,
/// `getEscapedPath`, `getQuery`.
extension Library {
    mutating func addURL() {
        global("url") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("url", arguments) }
            guard let url = CELURL(text) else { throw EvalError("URL parse error during conversion from string: '\(text)'") }
            return .url(url)
        }
        global("isURL") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("isURL", arguments) }
            return .bool(CELURL(text) != nil)
        }
        let accessors: [(String, @Sendable (CELURL) -> CELValue)] = [
            ("getScheme", { .string($0.scheme) }), ("getHost", { .string($0.host) }),
            ("getHostname", { .string($0.hostname) }), ("getPort", { .string($0.port) }),
            ("getEscapedPath", { .string($0.path) }), ("getQuery", { .map($0.query) }),
        ]
        for (name, accessor) in accessors {
            member(name) { arguments throws(EvalError) in
                guard arguments.count == 1, case .url(let url) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
                return accessor(url)
            }
        }
    }
}
