public import BulkheadCEL
import Foundation
import Yams

/// A YAML file read once: its text by line (for mapping positions inside scalars) and its
/// documents as node trees with source marks.
struct YAMLFile {
    let path: String
    let text: String
    let documents: [Node]
    /// Each line's Unicode scalars, without the line break.
    let lines: [[Unicode.Scalar]]

    /// Parses `text`; throws a problem at the syntax error's position.
    init(path: String, text: String) throws(PolicyProblem) {
        self.path = path
        self.text = text
        var lines: [[Unicode.Scalar]] = [[]]
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                lines.append([])
            } else if scalar != "\r" {
                lines[lines.count - 1].append(scalar)
            }
        }
        self.lines = lines
        do {
            // Resolver.basic: tags of plain scalars are resolved only where a value is needed.
            var documents: [Node] = []
            for document in try Yams.compose_all(yaml: text, .basic) { documents.append(document) }
            self.documents = documents
        } catch let error as YamlError {
            throw Self.problem(for: error, path: path)
        } catch {
            throw PolicyProblem("yaml-syntax", "\(error)", at: SourceLocation(file: path, line: 1, column: 1))
        }
    }

    /// Reads and parses the file at `path`.
    init(contentsOf path: String) throws(PolicyProblem) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyProblem("unreadable-file", "cannot read the file: \(error.localizedDescription)",
                                at: SourceLocation(file: path, line: 1, column: 1))
        }
        try self.init(path: path, text: text)
    }

    func location(_ node: Node) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(file: path, line: 1, column: 1) }
        return SourceLocation(file: path, line: mark.line, column: mark.column)
    }

    private static func problem(for error: YamlError, path: String) -> PolicyProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return PolicyProblem("yaml-syntax", "\(detail)\(problem)".trimmingCharacters(in: .whitespaces),
                                 at: SourceLocation(file: path, line: mark.line, column: mark.column))
        default:
            return PolicyProblem("yaml-syntax", "\(error)", at: SourceLocation(file: path, line: 1, column: 1))
        }
    }
}

extension YAMLFile {
    /// Converts a node to the value Kubernetes would decode from the same YAML: plain scalars
    /// become bool, int, double or null by YAML 1.1 rules, everything quoted stays a string.
    static func celValue(_ node: Node) -> CELValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return Bool.construct(from: scalar).map(CELValue.bool) ?? .string(scalar.string)
            case .int:
                if let value = Int64.construct(from: scalar) { return .int(value) }
                if let value = UInt64.construct(from: scalar) { return .uint(value) }
                return .string(scalar.string)
            case .float: return Double.construct(from: scalar).map(CELValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var entries: [(CELValue, CELValue)] = []
            entries.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                entries.append((.string(key.string ?? "\(key)"), celValue(value)))
            }
            return .map(CELMap(entries))
        case .sequence(let sequence):
            return .list(sequence.map(celValue))
        case .alias:
            return .null
        }
    }
}

/// YAML text as CEL values, one per document, with scalars typed by YAML's default rules.
public enum YAMLValues {
    public static func documents(_ text: String) throws -> [CELValue] {
        try Yams.compose_all(yaml: text, .basic).map(YAMLFile.celValue)
    }
}
