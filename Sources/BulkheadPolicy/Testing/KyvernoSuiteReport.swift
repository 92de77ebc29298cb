/// The outcome of running one `kyverno-test.yaml`: one case per expected result and resource.
public struct KyvernoSuiteReport: Sendable {
    public enum Status: String, Sendable, Codable {
        /// The evaluated result is the expected one.
        case passed
        /// It is not, or the case could not be run (missing resource, policy that does not load).
        case failed
        /// Not evaluated here (needs a live cluster or network, or an unsupported policy kind);
        /// the reason says why. Never counted as passed.
        case skipped
    }

    public struct Case: Sendable, Codable {
        public var policy: String
        public var kind: String
        public var resource: String
        public var expected: String
        /// The result evaluated; nil when the case was not evaluated.
        public var got: String?
        public var status: Status
        /// The policy's message, or why the case failed or was skipped.
        public var message: String
    }

    public var path: String
    public var cases: [Case]

    public var passed: Int { cases.filter { $0.status == .passed }.count }
    public var failed: Int { cases.filter { $0.status == .failed }.count }
    public var skipped: Int { cases.filter { $0.status == .skipped }.count }

    /// `suite <path>: N passed, N failed, N skipped`.
    public func summary(displayPath: String? = nil) -> String {
        "suite \(displayPath ?? path): \(passed) passed, \(failed) failed, \(skipped) skipped"
    }

    /// One line per failed or skipped case.
    public var details: [String] {
        cases.compactMap { item in
            let subject = "\(item.policy) \(item.kind.isEmpty ? "" : item.kind + "/")\(item.resource)"
            switch item.status {
            case .passed: return nil
            case .failed:
                return "  FAIL \(subject): expected \(item.expected), got \(item.got ?? "nothing")\(item.message.isEmpty ? "" : ": \(item.message)")"
            case .skipped:
                return "  SKIP \(subject): \(item.message)"
            }
        }
    }
}

extension KyvernoSuiteReport: Codable {}
