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

@inline(__always)
private func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
}
