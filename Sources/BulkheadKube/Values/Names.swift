/// Naming rules of Kubernetes and AWS that the rendered output must satisfy.
public enum Names {
    /// An RFC 1123 label: lowercase letters, digits and '-', starting and ending alphanumeric,
    /// at most 63 characters (Namespace names, label values Bulkhead sets).
    public static func isDNSLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        for (index, byte) in bytes.enumerated() {
            let alnum = (97...122).contains(byte) || (48...57).contains(byte)
            if !alnum && !(byte == UInt8(ascii: "-") && index > 0 && index < bytes.count - 1) { return false }
        }
        return true
    }

    /// What `isDNSLabel` allows, in words for error messages.
    public static let dnsLabelRule = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"

    /// Why a generated S3 bucket name is invalid, or `nil` when it is valid
    /// (general purpose bucket rules: 3–63 characters, lowercase letters, digits, '-' and '.',
    /// starting and ending alphanumeric, no reserved prefix or suffix).
    public static func s3BucketNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count < 3 || bytes.count > 63 { return "is \(bytes.count) characters; S3 allows 3 to 63" }
        for byte in bytes {
            let ok = (97...122).contains(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            if !ok { return "contains '\(Character(Unicode.Scalar(byte)))'; S3 allows lowercase letters, digits, '-' and '.'" }
        }
        let first = bytes.first!, last = bytes.last!
        func alnum(_ b: UInt8) -> Bool { (97...122).contains(b) || (48...57).contains(b) }
        if !alnum(first) || !alnum(last) { return "must start and end with a letter or digit" }
        // Compared as bytes (the name is ASCII by now): this runs for every bucket on every load.
        if zip(bytes, bytes.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }) { return "must not contain '..'" }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where bytes.starts(with: prefix.utf8) {
            return "must not start with '\(prefix)'"
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where bytes.count >= suffix.utf8.count && bytes.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) {
            return "must not end with '\(suffix)'"
        }
        return nil
    }
}
