public import Foundation

/// The service's operational memory: API tokens and the audit trail. Git stays the source of
/// truth for tenants; deleting the store loses no tenant.
public protocol ServiceStore: Sendable {
    /// Stores a new token with the SHA-256 of its secret.
    func insert(_ token: APIToken, secretHash: String) throws
    /// Every token, oldest first.
    func tokens() throws -> [APIToken]
    /// The token whose secret hashes to `secretHash`, usable or not.
    func token(secretHash: String) throws -> APIToken?
    /// Marks a token revoked; false when there is no such token or it was already revoked.
    func revokeToken(id: String, at time: Date) throws -> Bool
    /// Appends an entry to the hash-chained audit trail, atomically after the last record.
    func append(_ entry: AuditEntry) throws -> AuditRecord
    /// Records matching `filter`, in sequence order.
    func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord]
}

/// Which audit records to read.
public struct AuditFilter: Sendable, Equatable {
    public var tenant: String?
    public var actor: String?
    public var since: Date?
    public var until: Date?
    /// At most this many records (the oldest matching ones), or all.
    public var limit: Int?

    public init(tenant: String? = nil, actor: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int? = nil) {
        self.tenant = tenant
        self.actor = actor
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// Every record.
    public static let all = AuditFilter()
}

/// A store that cannot do what was asked, with what and why.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
