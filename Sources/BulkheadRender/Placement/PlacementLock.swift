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
}
