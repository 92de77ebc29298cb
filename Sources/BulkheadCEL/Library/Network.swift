/// An IPv4 or IPv6 address.
public struct CELIPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public var family: Int { bytes.count == 4 ? 4 : 6 }

    /// Parses an address the way Kubernetes' `ip()` does: no zones, no IPv4-mapped IPv6 written
    /// with a dotted quad, no leading zeros in IPv4 octets.
    init(parsing text: String) throws(EvalError) {
        if text.contains("%") { throw EvalError("IP Address with zone value is not allowed") }
        if text.contains(":") {
            guard let bytes = Self.parseIPv6(text) else { throw EvalError("IP Address '\(text)' parse error during conversion from string") }
            if text.contains("."), bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                throw EvalError("IPv4-mapped IPv6 address is not allowed")
            }
            self.bytes = bytes
        } else {
            guard let bytes = Self.parseIPv4(Substring(text)) else {
                throw EvalError("IP Address '\(text)' parse error during conversion from string")
            }
            self.bytes = bytes
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var groups: [UInt16] = []
        var compressAt: Int?
        var rest = Substring(text)
        if rest.hasPrefix("::") {
            compressAt = 0
            rest = rest.dropFirst(2)
        }
        var tail: [UInt8] = []
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let piece = rest[..<end]
            if piece.contains(".") {
                guard end == rest.endIndex, let v4 = parseIPv4(piece) else { return nil }
                tail = v4
                rest = rest[end...]
                break
            }
            guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
            groups.append(value)
            rest = rest[end...]
            if rest.hasPrefix("::") {
                guard compressAt == nil else { return nil }
                compressAt = groups.count
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                guard !rest.isEmpty else { return nil }
            }
        }
        let total = groups.count * 2 + tail.count
        var bytes: [UInt8] = []
        if let compressAt {
            guard total < 16 else { return nil }
            for group in groups[..<compressAt] { bytes += [UInt8(group >> 8), UInt8(group & 0xFF)] }
            bytes += Array(repeating: 0, count: 16 - total)
            for group in groups[compressAt...] { bytes += [UInt8(group >> 8), UInt8(group & 0xFF)] }
        } else {
            guard total == 16 else { return nil }
            for group in groups { bytes += [UInt8(group >> 8), UInt8(group & 0xFF)] }
        }
        return bytes + tail
    }

    /// IPv4-mapped IPv6 addresses unmapped to IPv4, for comparisons.
    var unmapped: CELIPAddress {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return CELIPAddress(bytes: Array(bytes[12...]))
        }
        return self
    }

    public static func == (lhs: CELIPAddress, rhs: CELIPAddress) -> Bool { lhs.unmapped.bytes == rhs.unmapped.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(unmapped.bytes) }

    /// Dotted quad for IPv4, RFC 5952 canonical form for IPv6.
    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength, end - index >= 2 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    var isLoopback: Bool {
        let address = unmapped
        return address.bytes.count == 4 ? address.bytes[0] == 127 : address.bytes == Array(repeating: 0, count: 15) + [1]
    }

    var isLinkLocalMulticast: Bool {
        let address = unmapped
        if address.bytes.count == 4 { return address.bytes[0] == 224 && address.bytes[1] == 0 && address.bytes[2] == 0 }
        return address.bytes[0] == 0xFF && address.bytes[1] & 0x0F == 0x02
    }

    var isLinkLocalUnicast: Bool {
        let address = unmapped
        if address.bytes.count == 4 { return address.bytes[0] == 169 && address.bytes[1] == 254 }
        return address.bytes[0] == 0xFE && address.bytes[1] & 0xC0 == 0x80
    }

    var isMulticast: Bool {
        let address = unmapped
        return address.bytes.count == 4 ? address.bytes[0] & 0xF0 == 0xE0 : address.bytes[0] == 0xFF
    }

    var isGlobalUnicast: Bool {
        let address = unmapped
        if address.bytes.count == 4, address.bytes == [255, 255, 255, 255] { return false }
        return !isUnspecified && !isLoopback && !isMulticast && !isLinkLocalUnicast
    }
}

/// An IP prefix such as `10.0.0.0/8`; the address keeps any host bits given.
public struct CELCIDR: Sendable, Hashable, CustomStringConvertible {
    public let address: CELIPAddress
    public let prefixLength: Int

    init(parsing text: String) throws(EvalError) {
        if text.contains("%") { throw EvalError("CIDR with zone value is not allowed") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else {
            throw EvalError("network address parse error during conversion from string: '\(text)'")
        }
        let address = try CELIPAddress(parsing: String(parts[0]))
        guard length >= 0, length <= address.bytes.count * 8 else {
            throw EvalError("network address parse error during conversion from string: '\(text)'")
        }
        self.address = address
        self.prefixLength = length
    }

    init(address: CELIPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// The prefix with host bits cleared.
    var masked: CELCIDR {
        var bytes = address.bytes
        for index in bytes.indices {
            let bitsKept = max(0, min(8, prefixLength - index * 8))
            bytes[index] &= bitsKept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsKept))
        }
        return CELCIDR(address: CELIPAddress(bytes: bytes), prefixLength: prefixLength)
    }

    func contains(_ other: CELIPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        return CELCIDR(address: other, prefixLength: prefixLength).masked.address.bytes == masked.address.bytes
    }

    func contains(_ other: CELCIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// The Kubernetes IP and CIDR libraries: `ip`, `isIP`, `ip.isCanonical`, `cidr`, `isCIDR`,
/// `family`, `isUnspecified`, `isLoopback`, `isGlobalUnicast`, `isLinkLocalMulticast`,
/// `isLinkLocalUnicast`, `containsIP`, `containsCIDR`, `prefixLength`, `masked`, `ip()`.
extension Library {
    mutating func addNetwork() {
        global("ip") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("ip", arguments) }
            return .ip(try CELIPAddress(parsing: text))
        }
        global("isIP") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("isIP", arguments) }
            return .bool((try? CELIPAddress(parsing: text)) != nil)
        }
        global("ip.isCanonical") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("ip.isCanonical", arguments) }
            return .bool(try CELIPAddress(parsing: text).description == text)
        }
        global("cidr") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("cidr", arguments) }
            return .cidr(try CELCIDR(parsing: text))
        }
        global("isCIDR") { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(let text) = arguments[0] else { throw EvalError.noOverload("isCIDR", arguments) }
            return .bool((try? CELCIDR(parsing: text)) != nil)
        }
        let tests: [(String, @Sendable (CELIPAddress) -> Bool)] = [
            ("isUnspecified", \.isUnspecified), ("isLoopback", \.isLoopback), ("isGlobalUnicast", \.isGlobalUnicast),
            ("isLinkLocalMulticast", \.isLinkLocalMulticast), ("isLinkLocalUnicast", \.isLinkLocalUnicast),
        ]
        for (name, test) in tests {
            member(name) { arguments throws(EvalError) in
                guard arguments.count == 1, case .ip(let address) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
                return .bool(test(address))
            }
        }
        member("family") { arguments throws(EvalError) in
            guard arguments.count == 1, case .ip(let address) = arguments[0] else { throw EvalError.noOverload("family", arguments) }
            return .int(Int64(address.family))
        }
        member("containsIP") { arguments throws(EvalError) in
            guard arguments.count == 2, case .cidr(let prefix) = arguments[0] else { throw EvalError.noOverload("containsIP", arguments) }
            switch arguments[1] {
            case .ip(let address): return .bool(prefix.contains(address))
            case .string(let text): return .bool(prefix.contains(try CELIPAddress(parsing: text)))
            default: throw EvalError.noOverload("containsIP", arguments)
            }
        }
        member("containsCIDR") { arguments throws(EvalError) in
            guard arguments.count == 2, case .cidr(let prefix) = arguments[0] else { throw EvalError.noOverload("containsCIDR", arguments) }
            switch arguments[1] {
            case .cidr(let other): return .bool(prefix.contains(other))
            case .string(let text): return .bool(prefix.contains(try CELCIDR(parsing: text)))
            default: throw EvalError.noOverload("containsCIDR", arguments)
            }
        }
        member("prefixLength") { arguments throws(EvalError) in
            guard arguments.count == 1, case .cidr(let prefix) = arguments[0] else { throw EvalError.noOverload("prefixLength", arguments) }
            return .int(Int64(prefix.prefixLength))
        }
        member("masked") { arguments throws(EvalError) in
            guard arguments.count == 1, case .cidr(let prefix) = arguments[0] else { throw EvalError.noOverload("masked", arguments) }
            return .cidr(prefix.masked)
        }
        member("ip") { arguments throws(EvalError) in
            guard arguments.count == 1, case .cidr(let prefix) = arguments[0] else { throw EvalError.noOverload("ip", arguments) }
            return .ip(prefix.address)
        }
    }
}
