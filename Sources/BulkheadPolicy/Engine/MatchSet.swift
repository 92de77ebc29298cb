/// One `matchConstraints` or binding `matchResources`, as the engine checks it. The built-in
/// policies share a handful of these (every binding selects tenant namespaces), so an engine
/// numbers the distinct ones and a request checks each once, not once per policy and binding.
struct MatchSet: Sendable, Hashable {
    var match: MatchResources
    /// A binding's `matchResources` without resourceRules does not restrict resources.
    var emptyRulesMatchAll: Bool

    /// Nil when the request matches, else why not.
    func mismatch(_ request: AdmissionRequest, namespaceLabels: [String: String]) -> RequestMatcher.Mismatch? {
        RequestMatcher.mismatch(match, request, namespaceLabels: namespaceLabels, emptyRulesMatchAll: emptyRulesMatchAll)
    }

    /// Gives each distinct set an id, in the order first seen.
    struct Numbering {
        private(set) var sets: [MatchSet] = []
        private var ids: [MatchSet: Int] = [:]

        mutating func id(of set: MatchSet) -> Int {
            if let id = ids[set] { return id }
            ids[set] = sets.count
            sets.append(set)
            return sets.count - 1
        }
    }

    /// One request's answers, each worked out when first asked.
    struct Answers {
        private enum Answer {
            case unknown
            case matches
            case mismatch(RequestMatcher.Mismatch)
        }

        private let sets: [MatchSet]
        private var answers: [Answer]

        init(_ sets: [MatchSet]) {
            self.sets = sets
            answers = Array(repeating: .unknown, count: sets.count)
        }

        mutating func mismatch(_ id: Int, _ request: AdmissionRequest, namespaceLabels: [String: String]) -> RequestMatcher.Mismatch? {
            switch answers[id] {
            case .matches: return nil
            case .mismatch(let mismatch): return mismatch
            case .unknown:
                let mismatch = sets[id].mismatch(request, namespaceLabels: namespaceLabels)
                answers[id] = mismatch.map { .mismatch($0) } ?? .matches
                return mismatch
            }
        }
    }
}
