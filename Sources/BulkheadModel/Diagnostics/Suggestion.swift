/// "Did you mean" suggestions for near misses of a known word.
enum Suggestion {
    static let longForms = ["production": "prod", "development": "dev", "stage": "staging", "ondemand": "on-demand", "on_demand": "on-demand"]

    /// The closest candidate within an edit distance that scales with the word's length, if any.
    /// Also matches a word cut short ("argo" for "argocd"), common long forms ("production" for
    /// "prod") and dotted words with their parts swapped ("cpu.requests" for "requests.cpu").
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lower = word.lowercased()
        if let alias = longForms[lower], candidates.contains(alias) { return alias }
        if lower.count >= 3, let prefix = candidates.first(where: { $0.lowercased() != lower && $0.lowercased().hasPrefix(lower) }) {
            return prefix
        }
        if lower.contains("."), let swapped = candidates.first(where: { $0.lowercased().split(separator: ".").sorted() == lower.split(separator: ".").sorted() && $0.lowercased() != lower }) {
            return swapped
        }
        let limit = max(1, min(3, word.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// " (did you mean 'x'?)" or "".
    static func hint(for word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
