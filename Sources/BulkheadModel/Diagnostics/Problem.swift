/// Where a problem is: a file and a 1-based line and column.
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a declaration: what is wrong, where, what was found and what is allowed.
public struct Problem: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    /// A stable identifier for the kind of problem ("unknown-field", "bad-quantity", ...).
    public var code: String
    public var severity: Severity
    public var location: SourceLocation?
    /// The field path inside the document, e.g. `spec.quota["requests.cpu"]`; empty for file-level problems.
    public var path: String
    public var message: String
    public var found: String?
    public var allowed: String?

    public init(_ code: String, _ message: String, at location: SourceLocation?, path: String = "", found: String? = nil, allowed: String? = nil, severity: Severity = .error) {
        self.code = code
        self.severity = severity
        self.location = location
        self.path = path
        self.message = message
        self.found = found
        self.allowed = allowed
    }

    /// `file:line:column: error: path: message (found: x; allowed: y)`.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): "
        if !path.isEmpty { text += "\(path): " }
        text += message
        var details: [String] = []
        if let found { details.append("found \(found)") }
        if let allowed { details.append("allowed: \(allowed)") }
        if !details.isEmpty { text += " (" + details.joined(separator: "; ") + ")" }
        return text
    }
}

/// Problems sorted the way they are reported: by file, line and column, file-less ones first.
public func sortedProblems(_ problems: [Problem]) -> [Problem] {
    problems.sorted { lhs, rhs in
        switch (lhs.location, rhs.location) {
        case (nil, nil): return lhs.message < rhs.message
        case (nil, _): return true
        case (_, nil): return false
        case let (l?, r?): return l == r ? lhs.message < rhs.message : l < r
        }
    }
}

/// Thrown by the loader when the declaration has errors; carries every problem found.
public struct DeclarationErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
