/// The text of each document in a YAML stream, found by its document markers, so a document can
/// be fingerprinted by its text instead of by encoding what it decoded to (see `TenantSource`).
///
/// YAML forbids a line that starts with `---` or `...` followed by a space or the line's end
/// inside a document's content, so such lines split a stream exactly. A stream is not split (the
/// initializer fails, and callers fall back to the decoded value) when its text alone might not
/// determine a document or its line numbers:
/// - a directive (a line starting with `%`) changes how the next document reads;
/// - a line break other than LF or CRLF (a lone CR, NEL, LS, PS) counts as a line for the YAML
///   parser but not here.
struct DocumentTexts {
    /// Each stretch of text between markers, with the 1-based line it starts on. The first starts
    /// at line 1; every other starts at a marker line.
    private(set) var chunks: [(line: Int, text: Substring)] = []

    init?(_ text: String) {
        let bytes = text.utf8
        var starts: [(line: Int, index: String.Index)] = [(1, bytes.startIndex)]
        var line = 1
        var index = bytes.startIndex
        var lineStart = true
        while index < bytes.endIndex {
            let byte = bytes[index]
            if lineStart {
                if byte == UInt8(ascii: "%") { return nil }
                if line > 1, Self.isMarker(bytes, at: index) { starts.append((line, index)) }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = true
            case UInt8(ascii: "\r"):
                let next = bytes.index(after: index)
                guard next < bytes.endIndex, bytes[next] == UInt8(ascii: "\n") else { return nil }
                lineStart = false
            case 0xC2, 0xE2:
                // NEL is C2 85; LS and PS are E2 80 A8 and E2 80 A9.
                let rest = bytes[bytes.index(after: index)...].prefix(2)
                if byte == 0xC2 ? rest.first == 0x85 : Array(rest) == [0x80, 0xA8] || Array(rest) == [0x80, 0xA9] { return nil }
                lineStart = false
            default:
                lineStart = false
            }
            index = bytes.index(after: index)
        }
        for (number, start) in starts.enumerated() {
            let end = number + 1 < starts.count ? starts[number + 1].index : text.endIndex
            chunks.append((start.line, text[start.index..<end]))
        }
    }

    /// The chunk holding `line` (where a document's root node starts), with its number.
    func chunk(containing line: Int) -> (number: Int, line: Int, text: Substring) {
        // The last chunk starting at or before `line` (the first starts at line 1).
        var low = 0, high = chunks.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if chunks[middle].line <= line { low = middle } else { high = middle - 1 }
        }
        return (low, chunks[low].line, chunks[low].text)
    }

    /// Whether the line starting at `index` starts with `---` or `...` followed by a space, a tab
    /// or the line's end.
    private static func isMarker(_ bytes: String.UTF8View, at index: String.Index) -> Bool {
        let head = Array(bytes[index...].prefix(4))
        guard head.count >= 3, head[0] == head[1], head[1] == head[2],
              head[0] == UInt8(ascii: "-") || head[0] == UInt8(ascii: ".") else { return false }
        return head.count == 3 || [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(head[3])
    }
}
