public import Foundation
import Crypto

/// What a mutating request is about to record: everything but its place in the chain.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var time: Date
    /// The token id, or `cli:<user>` for a command run on the server's machine.
    public var actor: String
    public var role: String
    /// What was done, as `<resource>.<verb>` (`tenant.create`, `token.revoke`).
    public var action: String
    public var tenant: String?
    public var requestID: String
    /// The client's address, or `local` for the command line.
    public var source: String
    public var platformCommitBefore: String?
    public var platformCommitAfter: String?
    public var gitopsCommitBefore: String?
    public var gitopsCommitAfter: String?
    /// `ok`, or what went wrong.
    public var result: String

    public init(time: Date, actor: String, role: String, action: String, tenant: String? = nil, requestID: String,
                source: String, platformCommitBefore: String? = nil, platformCommitAfter: String? = nil,
                gitopsCommitBefore: String? = nil, gitopsCommitAfter: String? = nil, result: String) {
        self.time = time
        self.actor = actor
        self.role = role
        self.action = action
        self.tenant = tenant
        self.requestID = requestID
        self.source = source
        self.platformCommitBefore = platformCommitBefore
        self.platformCommitAfter = platformCommitAfter
        self.gitopsCommitBefore = gitopsCommitBefore
        self.gitopsCommitAfter = gitopsCommitAfter
        self.result = result
    }
}

/// One link of the audit trail: an entry, its position, the previous record's hash and its own.
public struct AuditRecord: Sendable, Equatable, Codable {
    /// 1, 2, 3, … with no gaps.
    public var sequence: Int64
    public var entry: AuditEntry
    /// The hash of record `sequence - 1`; for the first record, ``AuditChain/genesis``.
    public var previousHash: String
    /// SHA-256 of this record's canonical text, which includes `previousHash`.
    public var hash: String
}

/// The hash chain: how a record's hash is computed, and how a whole trail is checked.
public enum AuditChain {
    /// The previous hash of the first record.
    public static let genesis = String(repeating: "0", count: 64)

    /// Links `entry` after a record whose hash is `previousHash`.
    public static func link(_ entry: AuditEntry, sequence: Int64, previousHash: String) -> AuditRecord {
        AuditRecord(sequence: sequence, entry: entry, previousHash: previousHash,
                    hash: hash(entry, sequence: sequence, previousHash: previousHash))
    }

    /// SHA-256 over the fields in a fixed order, each as its length and bytes so no two
    /// different records share a text. Times count in whole milliseconds since 1970.
    public static func hash(_ entry: AuditEntry, sequence: Int64, previousHash: String) -> String {
        let fields: [String?] = [
            String(sequence), previousHash, String(milliseconds(entry.time)), entry.actor, entry.role, entry.action,
            entry.tenant, entry.requestID, entry.source, entry.platformCommitBefore, entry.platformCommitAfter,
            entry.gitopsCommitBefore, entry.gitopsCommitAfter, entry.result,
        ]
        var text = ""
        for field in fields {
            if let field { text += "\(field.utf8.count):\(field);" } else { text += "-;" }
        }
        return sha256Hex(Data(text.utf8))
    }

    /// A time as stored: whole milliseconds since 1970.
    public static func milliseconds(_ time: Date) -> Int64 {
        Int64((time.timeIntervalSince1970 * 1000).rounded())
    }

    /// Why a trail is not intact, at the first record where it breaks.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        /// The sequence number of the first bad record, as stored.
        public var sequence: Int64
        public var reason: String
        public var description: String { "record \(sequence): \(reason)" }
    }

    /// Checks records in stored order: numbered 1, 2, 3 … without gaps, each linked to the one
    /// before, each hash matching its contents. Returns the first break, or `nil` when intact.
    public static func verify(_ records: [AuditRecord]) -> Break? {
        var expectedSequence: Int64 = 1
        var previousHash = genesis
        for record in records {
            if record.sequence != expectedSequence {
                let what = record.sequence > expectedSequence ? "record \(expectedSequence) is missing" : "is out of order"
                return Break(sequence: record.sequence, reason: "expected record \(expectedSequence) here: \(what) (removed or reordered)")
            }
            if record.previousHash != previousHash {
                return Break(sequence: record.sequence, reason: "its previous hash does not match record \(record.sequence - 1) (a record before it was removed, reordered or edited)")
            }
            if hash(record.entry, sequence: record.sequence, previousHash: record.previousHash) != record.hash {
                return Break(sequence: record.sequence, reason: "its contents do not match its hash (edited)")
            }
            previousHash = record.hash
            expectedSequence += 1
        }
        return nil
    }
}
