import BulkheadModel
import BulkheadKube
import Yams

/// One recorded placement decision: a tenant's (environment, region) served by a cluster.
public struct LockedPlacement: Sendable, Hashable, Codable, Comparable {
    public var environment: String
    public var region: String
    public var cluster: String

    public init(environment: String, region: String, cluster: String) {
        self.environment = environment
        self.region = region
        self.cluster = cluster
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        let l = Environment(rawValue: lhs.environment), r = Environment(rawValue: rhs.environment)
        if l != r, let l, let r { return l < r }
        return (lhs.environment, lhs.region, lhs.cluster) < (rhs.environment, rhs.region, rhs.cluster)
    }
}

/// The placement decisions recorded in the GitOps repository (`bulkhead.lock`), so that
/// re-rendering never moves a placed tenant by surprise.
public struct PlacementLock: Sendable, Equatable {
    /// Placements by tenant name, each list sorted.
    public var placements: [String: [LockedPlacement]]

    public init(placements: [String: [LockedPlacement]] = [:]) {
        self.placements = placements.mapValues { $0.sorted() }
    }

    /// The lock file's name at the repository root.
    public static let fileName = "bulkhead.lock"

    private struct File: Codable {
        var apiVersion: String
        var kind: String
        var placements: [String: [LockedPlacement]]
    }

    /// The file's deterministic text.
    public func serialized() throws -> String {
        let header = "# Placement decisions recorded by Bulkhead. Re-rendering keeps every tenant where it is listed here;\n# `bulkhead apply --replace TENANT` places a tenant anew. Do not edit by hand.\n"
        return header + (try YAMLWriter.document(File(apiVersion: declarationAPIVersion, kind: "PlacementLock", placements: placements)))
    }

    /// Problems reading a lock file: the file is Bulkhead's own, so a damaged one is reported, not guessed at.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(parsing text: String) throws(ParseError) {
        if let placements = Self.parseCanonical(text) {
            self.init(placements: placements)
            return
        }
        do {
            let file = try YAMLDecoder().decode(File.self, from: text)
            guard file.kind == "PlacementLock" else { throw ParseError(description: "\(Self.fileName): kind is '\(file.kind)', expected PlacementLock") }
            self.init(placements: file.placements)
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "\(Self.fileName) cannot be read (\(error)); restore it from git history, or delete it to place every tenant anew")
        }
    }

    /// Reads the exact layout `serialized()` writes, line by line: a YAML parser took seconds on a
    /// lock of 50,000 placements. Returns `nil` on any other layout (a hand-edited file, quoted
    /// names), which is then read by the YAML decoder.
    static func parseCanonical(_ text: String) -> [String: [LockedPlacement]]? {
        var placements: [String: [LockedPlacement]] = [:]
        var tenant: String?
        var entry: [String: String] = [:]
        var sawHeader = (apiVersion: false, kind: false, placements: false)
        func finishEntry() -> Bool {
            guard !entry.isEmpty else { return true }
            guard let tenant, entry.count == 3, let cluster = entry["cluster"], let environment = entry["environment"], let region = entry["region"] else { return false }
            placements[tenant, default: []].append(LockedPlacement(environment: environment, region: region, cluster: cluster))
            entry = [:]
            return true
        }
        func plain(_ value: Substring) -> String? {
            guard let first = value.first, first != "'", first != "\"", !value.contains(" ") else { return nil }
            return String(value)
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            if line == "apiVersion: \(declarationAPIVersion)" { sawHeader.apiVersion = true; continue }
            if line == "kind: PlacementLock" { sawHeader.kind = true; continue }
            if line == "placements:" || line == "placements: {}" { sawHeader.placements = true; continue }
            if line.hasPrefix("  - ") || line.hasPrefix("    ") {
                if line.hasPrefix("  - ") { guard finishEntry() else { return nil } }
                let field = line.dropFirst(4)
                guard let colon = field.firstIndex(of: ":"), field[field.index(after: colon)...].hasPrefix(" "),
                      let value = plain(field[field.index(colon, offsetBy: 2)...]) else { return nil }
                let key = String(field[..<colon])
                guard ["cluster", "environment", "region"].contains(key), entry[key] == nil else { return nil }
                entry[key] = value
                continue
            }
            if line.hasPrefix("  "), line.hasSuffix(":"), let name = plain(line.dropFirst(2).dropLast()) {
                guard finishEntry() else { return nil }
                guard placements[name] == nil else { return nil }
                tenant = name
                continue
            }
            return nil
        }
        guard finishEntry(), sawHeader.apiVersion, sawHeader.kind, sawHeader.placements else { return nil }
        return placements
    }
}
