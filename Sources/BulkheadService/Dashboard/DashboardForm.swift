import BulkheadCEL
import BulkheadModel
import Foundation

/// An `application/x-www-form-urlencoded` body (or query), fields in order; a name may repeat.
struct FormFields: Sendable {
    var pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)]) { self.pairs = pairs }

    init(urlEncoded text: String) {
        pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of a field, trimmed; "" when absent.
    subscript(_ name: String) -> String {
        (pairs.first { $0.name == name }?.value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every value of a field, in order.
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
}

/// What a person typed into the onboarding form, kept as typed so a refused form comes back
/// with the same input.
struct OnboardingInput: Sendable, Equatable {
    var name = ""
    var tier = ""
    var team = ""
    var costCenter = ""
    var owners = ""
    var environments: [String] = []
    var regions = ""
    var dataClassification = ""
    var apps = ""
    var buckets = ""

    init() {}

    init(_ form: FormFields) {
        name = form["name"]
        tier = form["tier"]
        team = form["team"]
        costCenter = form["costCenter"]
        owners = form["owners"]
        environments = form.all("environments")
        regions = form["regions"]
        dataClassification = form["dataClassification"]
        apps = form["apps"]
        buckets = form["buckets"]
    }

    /// The Tenant document `POST /v1/tenants` would get for this input. Empty fields are left
    /// out, so the loader reports them exactly as it does for a file that lacks them; values are
    /// passed on as typed (a port that is not a number stays text), so every message is the
    /// loader's own.
    var document: CELValue {
        var spec: [(CELValue, CELValue)] = []
        func text(_ key: String, _ value: String) { if !value.isEmpty { spec.append((.string(key), .string(value))) } }
        func list(_ key: String, _ values: [String]) { if !values.isEmpty { spec.append((.string(key), .list(values.map(CELValue.string)))) } }
        text("tier", tier)
        list("owners", Self.words(owners))
        text("team", team)
        text("costCenter", costCenter)
        list("environments", environments.filter { !$0.isEmpty })
        list("regions", Self.words(regions))
        text("dataClassification", dataClassification)
        let appLines = apps.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !appLines.isEmpty {
            spec.append((.string("apps"), .list(appLines.map { line in
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                var app: [(CELValue, CELValue)] = [(.string("name"), .string(parts[0]))]
                if parts.count > 1 { app.append((.string("port"), Int64(parts[1]).map(CELValue.int) ?? .string(parts[1]))) }
                return .map(CELMap(app))
            })))
        }
        list("buckets", Self.words(buckets))
        var root: [(CELValue, CELValue)] = []
        if !name.isEmpty { root.append((.string("metadata"), .map(CELMap([(.string("name"), .string(name))])))) }
        root.append((.string("spec"), .map(CELMap(spec))))
        return .map(CELMap(root))
    }

    /// A list typed as words separated by commas or spaces.
    static func words(_ text: String) -> [String] {
        text.split { $0 == "," || $0.isWhitespace }.map(String.init)
    }

    /// The form field a problem is about, from its path (`spec.apps[0].port` is `apps`); nil
    /// when it is about no one field.
    static func field(of path: String) -> String? {
        if path == "metadata.name" || path.hasPrefix("metadata.name") { return "name" }
        guard path.hasPrefix("spec.") else { return nil }
        let key = path.dropFirst(5).prefix { $0 != "." && $0 != "[" }
        let fields = ["tier", "team", "costCenter", "owners", "environments", "regions", "dataClassification", "apps", "buckets"]
        if fields.contains(String(key)) { return String(key) }
        return nil
    }
}
