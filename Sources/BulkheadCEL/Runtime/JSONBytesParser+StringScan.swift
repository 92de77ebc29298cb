/// Finding the end of a JSON string eight bytes at a time. Most of an AdmissionReview's bytes
/// are inside strings (names, images, labels); testing a 64-bit word for a quote, a backslash or
/// a control byte at once costs about as much as testing one byte.
extension JSONBytesParser {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The position of the first byte at or after `start` that ends a plain run of string bytes: a
    /// `"`, a `\`, a control byte (below 0x20), or, when `stopsAtNonASCII`, a byte of 0x80 or
    /// more; `bytes.count` when there is none.
    @inline(__always)
    func stringRunEnd(from start: Int, stopsAtNonASCII: Bool = false) -> Int {
        var position = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while position + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                var found = Self.zeroBytes(word ^ (Self.ones &* 0x22)) | Self.zeroBytes(word ^ (Self.ones &* 0x5C))
                    | Self.bytesBelow0x20(word)
                if stopsAtNonASCII { found |= word & Self.highBits }
                if found != 0 {
                    // Little-endian: the lowest flagged byte comes first in the text. Only bytes
                    // after a true match can be flagged falsely, so the lowest one is exact.
                    return position + (UInt64(littleEndian: found).trailingZeroBitCount >> 3)
                }
                position += 8
            }
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || (stopsAtNonASCII && byte >= 0x80) {
                return position
            }
            position += 1
        }
        return position
    }

    /// The high bit set in each byte of `word` that is zero (exact for the lowest such byte).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highBits
    }

    /// The high bit set in each byte of `word` below 0x20 (exact for the lowest such byte).
    @inline(__always)
    private static func bytesBelow0x20(_ word: UInt64) -> UInt64 {
        (word &- ones &* 0x20) & ~word & highBits
    }
}
