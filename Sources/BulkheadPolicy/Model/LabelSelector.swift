/// A Kubernetes label selector: every `matchLabels` pair and every requirement must hold.
public struct LabelSelector: Sendable, Hashable {
    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Hashable {
        public enum Operator: String, Sendable, Hashable {
            case `in` = "In"
            case notIn = "NotIn"
            case exists = "Exists"
            case doesNotExist = "DoesNotExist"
        }

        public var key: String
        public var `operator`: Operator
        public var values: [String]

        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        func matches(_ labels: [String: String]) -> Bool {
            switch `operator` {
            case .in: return labels[key].map(values.contains) ?? false
            case .notIn: return labels[key].map { !values.contains($0) } ?? true
            case .exists: return labels[key] != nil
            case .doesNotExist: return labels[key] == nil
            }
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// True for `{}`, which selects everything.
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    /// Whether `labels` satisfy the selector.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        for requirement in matchExpressions where !requirement.matches(labels) { return false }
        return true
    }
}
