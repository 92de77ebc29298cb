/// A problem found while loading policies: what is wrong and where (the file, and for a CEL
/// error the line and column inside the expression, mapped onto the file).
public struct PolicyProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Errors make a policy unusable; warnings name something accepted but not acted on.
    public enum Severity: String, Sendable, Codable {
        case error, warning
    }

    /// A stable identifier such as `cel-check`, `unknown-kind` or `missing-field`.
    public var code: String
    public var message: String
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity

    public init(_ code: String, _ message: String, at location: SourceLocation, severity: Severity = .error) {
        self.code = code
        self.message = message
        self.file = location.file
        self.line = location.line
        self.column = location.column
        self.severity = severity
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    public var description: String { "\(file):\(line):\(column): \(severity.rawValue): \(message) [\(code)]" }
}

extension PolicyProblem: Encodable {}
