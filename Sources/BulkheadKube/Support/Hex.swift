/// Bytes as lowercase hexadecimal, two digits per byte (digests, token ids, ETags).
public func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
    // Copied to an array first: iterating a digest byte by byte through its generic iterator
    // cost more than hashing it.
    let array = bytes.withContiguousStorageIfAvailable { Array($0) } ?? Array(bytes)
    return String(unsafeUninitializedCapacity: array.count * 2) { text in
        for (index, byte) in array.enumerated() {
            text[2 * index] = hexDigit(byte >> 4)
            text[2 * index + 1] = hexDigit(byte & 0x0F)
        }
        return array.count * 2
    }
}

/// Appends `bytes` as lowercase hexadecimal to a byte buffer (for writers that build UTF-8 text).
public func appendLowercaseHex(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
    for byte in bytes {
        buffer.append(hexDigit(byte >> 4))
        buffer.append(hexDigit(byte & 0x0F))
    }
}

/// The value of one hexadecimal digit (either case), or nil for any other byte.
public func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

@inline(__always)
private func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
}
