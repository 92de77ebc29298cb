/// A position inside CEL source text: 1-based line and column, counted in Unicode scalars.
public struct CELSourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// Offset in Unicode scalars from the start of the expression.
    public var offset: Int
    /// 1-based line number.
    public var line: Int
    /// 1-based column number.
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}
