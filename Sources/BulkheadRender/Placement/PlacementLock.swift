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
        // Lists read from a lock file or kept by placement are mostly in order already; only the
        // others are sorted (sorting every tenant's list was a tenth of placing a large fleet).
        var sorted = placements
        for (tenant, list) in placements where zip(list, list.dropFirst()).contains(where: { !($0 < $1) }) {
            sorted[tenant] = list.sorted()
        }
        self.placements = sorted
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

    /// Reads the exact layout `serialized()` writes, line by line over the UTF-8 bytes: a YAML
    /// parser took seconds on a lock of 50,000 placements, and String slicing most of a second.
    /// Returns `nil` on any other layout (a hand-edited file, quoted names), which is then read
    /// by the YAML decoder.
    static func parseCanonical(_ text: String) -> [String: [LockedPlacement]]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = CanonicalLockReader(bytes: bytes)
            return reader.read()
        }
    }
}

/// The line reader behind `PlacementLock.parseCanonical`.
private struct CanonicalLockReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var placements: [String: [LockedPlacement]] = [:]
    var tenant: String?
    /// The entry being read: cluster, environment and region, each at most once.
    var entry: [String?] = [nil, nil, nil]
    var entryFields = 0

    static let header = ["apiVersion: \(declarationAPIVersion)", "kind: PlacementLock"].map { Array($0.utf8) }
    static let placementsLines = ["placements:", "placements: {}"].map { Array($0.utf8) }
    static let keys = ["cluster", "environment", "region"].map { Array($0.utf8) }

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func read() -> [String: [LockedPlacement]]? {
        var sawHeader = [false, false]
        var sawPlacements = false
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            if line.isEmpty || line[0] == UInt8(ascii: "#") { continue }
            if let index = Self.header.firstIndex(where: { line.elementsEqual($0) }) { sawHeader[index] = true; continue }
            if Self.placementsLines.contains(where: { line.elementsEqual($0) }) { sawPlacements = true; continue }
            guard line.count > 2, line[0] == 0x20, line[1] == 0x20 else { return nil }
            let isItem = line.count > 4 && line[2] == UInt8(ascii: "-") && line[3] == 0x20
            if isItem || (line.count > 4 && line[2] == 0x20 && line[3] == 0x20) {
                if isItem { guard finishEntry() else { return nil } }
                guard readField(UnsafeBufferPointer(rebasing: line[4...])) else { return nil }
                continue
            }
            // "  <tenant>:"
            guard line.last == UInt8(ascii: ":"), let name = Self.plain(UnsafeBufferPointer(rebasing: line[2..<(line.count - 1)])),
                  finishEntry(), placements[name] == nil else { return nil }
            tenant = name
        }
        guard finishEntry(), sawHeader == [true, true], sawPlacements else { return nil }
        return placements
    }

    /// "key: value" with a known key not yet seen in this entry and a plain value.
    mutating func readField(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon + 2 < field.count, field[colon + 1] == 0x20,
              let key = Self.keys.firstIndex(where: { UnsafeBufferPointer(rebasing: field[..<colon]).elementsEqual($0) }),
              entry[key] == nil, let value = Self.plain(UnsafeBufferPointer(rebasing: field[(colon + 2)...])) else { return false }
        entry[key] = value
        entryFields += 1
        return true
    }

    mutating func finishEntry() -> Bool {
        guard entryFields > 0 else { return true }
        guard let tenant, entryFields == 3, let cluster = entry[0], let environment = entry[1], let region = entry[2] else { return false }
        placements[tenant, default: []].append(LockedPlacement(environment: environment, region: region, cluster: cluster))
        entry = [nil, nil, nil]
        entryFields = 0
        return true
    }

    /// A value as the writer writes a name: plain (not empty, no quote first, no space), or in
    /// single quotes with no quote or space inside, as it writes a name that looks like a number
    /// (`x10879-1`, `123`). Before, such a name sent the whole lock to the YAML decoder: 0.16 s
    /// instead of a few milliseconds on every change of a 1,000-tenant platform.
    static func plain(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        let quote = UInt8(ascii: "'")
        guard let first = value.first, first != UInt8(ascii: "\""), !value.contains(0x20) else { return nil }
        guard first == quote else { return String(decoding: value, as: UTF8.self) }
        let inner = UnsafeBufferPointer(rebasing: value.dropFirst().dropLast())
        guard value.count > 2, value.last == quote, !inner.contains(quote) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }
}
