import BulkheadKube
import Crypto

/// A render unit's fingerprint: a SHA-256 digest held as four words. A fleet has one per
/// placement (50,000 on a large one), so it is a plain value — no string to allocate, hash or
/// compare — and is written as 64 hex digits only in the render state file.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ digest: SHA256.Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { bytes in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(32))) }
        }
        self.words = words
    }

    /// The fingerprint of arbitrary text (for tests and hand-made states).
    public init(hashing text: String) {
        self.init(SHA256.hash(data: Array(text.utf8)))
    }

    /// Reads 64 lowercase or uppercase hex digits; `nil` for anything else.
    init?(hex: some Collection<UInt8>) {
        guard hex.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &words) { bytes -> Bool in
            var index = hex.startIndex
            for offset in 0..<32 {
                guard let high = hexDigitValue(hex[index]) else { return false }
                index = hex.index(after: index)
                guard let low = hexDigitValue(hex[index]) else { return false }
                index = hex.index(after: index)
                bytes[offset] = high << 4 | low
            }
            return true
        }
        guard parsed else { return nil }
        self.words = words
    }

    /// Appends the 64 lowercase hex digits.
    func appendHex(to buffer: inout [UInt8]) {
        withBytes { appendLowercaseHex($0, to: &buffer) }
    }

    /// The digest's bytes, to feed another hash.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeBytes(of: words, body)
    }

    public var description: String { withBytes { lowercaseHex($0) } }

    public static func == (lhs: Fingerprint, rhs: Fingerprint) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        // A digest's words are already uniformly distributed.
        hasher.combine(words.0)
        hasher.combine(words.1)
    }
}
