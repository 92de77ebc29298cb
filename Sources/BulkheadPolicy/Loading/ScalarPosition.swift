import Yams

/// Maps an offset inside a YAML scalar's value (as CEL reports error positions) back to the line
/// and column in the file, by replaying how YAML turned the scalar's source lines into its value.
///
/// Exact for single-line scalars and for literal (`|`) block scalars. For folded (`>`, `>-`)
/// block scalars and multi-line plain or quoted scalars it replays line folding (a line break
/// between text lines is one space, blank lines are line feeds), which is exact for the way
/// policies are written; columns drift when a double-quoted scalar holds escape sequences or
/// when a folded scalar has more-indented lines (those keep their line breaks).
struct ScalarPosition {
    let file: YAMLFile

    /// The file position of `offset` (in Unicode scalars) within the value of `node`.
    func locate(offset: Int, in node: Node) -> SourceLocation {
        guard case .scalar(let scalar) = node, let mark = node.mark else { return file.location(node) }
        let position: (line: Int, column: Int)
        switch scalar.style {
        case .literal, .folded:
            position = block(offset: offset, header: mark.line, folded: scalar.style == .folded) ?? (mark.line, mark.column)
        case .singleQuoted, .doubleQuoted:
            position = flow(offset: offset, line: mark.line, column: mark.column + 1)
        default:
            position = flow(offset: offset, line: mark.line, column: mark.column)
        }
        return SourceLocation(file: file.path, line: position.line, column: position.column)
    }

    private func line(_ number: Int) -> [Unicode.Scalar] {
        number >= 1 && number <= file.lines.count ? file.lines[number - 1] : []
    }

    private static func indentation(_ line: [Unicode.Scalar]) -> Int {
        line.prefix(while: { $0 == " " }).count
    }

    private static func isBlank(_ line: [Unicode.Scalar]) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// A plain or quoted scalar starting at `line`:`column`: its first line runs to the end of the
    /// line, following lines are trimmed and folded.
    private func flow(offset: Int, line start: Int, column: Int) -> (line: Int, column: Int) {
        var remaining = offset
        var number = start
        var firstColumn = column
        var length = max(0, line(start).count - (column - 1))
        while remaining > length, number < file.lines.count {
            remaining -= length + 1
            number += 1
            var text = line(number)
            var blankRun = 0
            while Self.isBlank(text), number < file.lines.count {
                // Each blank line is a line feed in the folded value, replacing the space.
                blankRun += 1
                number += 1
                text = line(number)
            }
            remaining -= max(0, blankRun - 1)
            let leading = Self.indentation(text)
            firstColumn = leading + 1
            length = text.count - leading
        }
        return (number, firstColumn + max(0, remaining))
    }

    /// A block scalar whose indicator is on line `header`: content lines follow, indented at
    /// least as much as the first non-blank one.
    private func block(offset: Int, header: Int, folded: Bool) -> (line: Int, column: Int)? {
        var first = header + 1
        while first <= file.lines.count, Self.isBlank(line(first)) { first += 1 }
        guard first <= file.lines.count else { return nil }
        let indent = Self.indentation(line(first))
        guard indent > 0 else { return nil }
        var remaining = offset
        var number = header + 1
        var previousMoreIndented = false
        var isFirstText = true
        var pendingBlank = 0
        while number <= file.lines.count {
            let text = line(number)
            if Self.isBlank(text) {
                pendingBlank += 1
                number += 1
                continue
            }
            if Self.indentation(text) < indent { break }
            let moreIndented = Self.indentation(text) > indent
            if !isFirstText {
                // The characters between the previous text line and this one.
                let separator: Int
                if folded && !moreIndented && !previousMoreIndented {
                    separator = max(1, pendingBlank)
                } else {
                    separator = pendingBlank + 1
                }
                if remaining < separator { return (number - 1 - pendingBlank, line(number - 1 - pendingBlank).count + 1) }
                remaining -= separator
            } else {
                remaining -= pendingBlank
            }
            isFirstText = false
            pendingBlank = 0
            let length = text.count - indent
            if remaining <= length { return (number, indent + remaining + 1) }
            remaining -= length
            previousMoreIndented = moreIndented
            number += 1
        }
        return (max(header + 1, number - 1), indent + 1)
    }
}
