/// A deterministic JSON writer for encoded values: keys sorted (as the YAML writer sorts), pretty
/// (two-space indentation, `"key" : value`, as Foundation prints) or compact, slashes not escaped.
///
/// Written by hand rather than using Foundation's `JSONEncoder` for speed: every tenant on every
/// cluster gets its IAM documents twice (plain files and strings inside the ACK role), and
/// `JSONEncoder` took 12 % of a 10,000-tenant render. The tree is the one the YAML writer uses.
public enum JSONWriter {
    /// `value` as pretty JSON followed by a newline.
    public static func pretty(_ node: TreeNode) -> String {
        var output: [UInt8] = []
        return pretty(node, scratch: &output)
    }

    /// `value` as pretty JSON followed by a newline, built in `scratch` (see
    /// `YAMLWriter.documents(_:prefix:scratch:)`).
    public static func pretty(_ node: TreeNode, scratch: inout [UInt8]) -> String {
        scratch.removeAll(keepingCapacity: true)
        write(node, indent: 0, pretty: true, into: &scratch)
        scratch.append(UInt8(ascii: "\n"))
        return String(decoding: scratch, as: UTF8.self)
    }

    /// `value` as JSON without any whitespace.
    public static func compact(_ node: TreeNode) -> String {
        var output: [UInt8] = []
        write(node, indent: 0, pretty: false, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func write(_ node: TreeNode, indent: Int, pretty: Bool, into out: inout [UInt8]) {
        switch node {
        case .string(let text): appendString(text, to: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.rounded() == number, abs(number) < 1e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else {
                out.append(contentsOf: String(number).utf8)
            }
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .map(let box):
            box.sortKeys()
            let entries = box.entries
            writeContainer(open: "{", close: "}", count: entries.count, indent: indent, pretty: pretty, into: &out) { index, out in
                appendString(entries[index].key, to: &out)
                out.append(contentsOf: (pretty ? " : " : ":").utf8)
                write(entries[index].value, indent: indent + 2, pretty: pretty, into: &out)
            }
        case .list(let box):
            writeContainer(open: "[", close: "]", count: box.items.count, indent: indent, pretty: pretty, into: &out) { index, out in
                write(box.items[index], indent: indent + 2, pretty: pretty, into: &out)
            }
        }
    }

    static func writeContainer(open: Unicode.Scalar, close: Unicode.Scalar, count: Int, indent: Int, pretty: Bool,
                               into out: inout [UInt8], element: (Int, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: open))
        guard count > 0 else {
            // Foundation prints an empty container across an empty line.
            if pretty {
                out.append(contentsOf: "\n\n".utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
            }
            out.append(UInt8(ascii: close))
            return
        }
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if pretty {
                out.append(UInt8(ascii: "\n"))
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
            }
            element(index, &out)
        }
        if pretty {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }
        out.append(UInt8(ascii: close))
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                withUnsafeBytes(of: byte) { appendLowercaseHex($0, to: &out) }
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
