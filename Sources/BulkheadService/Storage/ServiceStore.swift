public import Foundation

/// The service's operational memory: API tokens, the audit trail, pending changes and
/// idempotency keys. Git stays the source of truth for tenants; deleting the store loses no
/// tenant. Two implementations with the same behaviour: ``SQLiteServiceStore`` (the default) and
/// ``PostgresServiceStore``; ``ServiceStores/open(_:)`` picks one from the `database` setting.
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
    /// Notes that a change is starting (write-ahead), so a restart after a crash can settle it.
    func begin(_ entry: AuditEntry) throws
    /// Appends the entry and forgets the pending change with its request id, in one transaction.
    func finish(_ entry: AuditEntry) throws -> AuditRecord
    /// Changes begun and never finished, oldest first.
    func pendingChanges() throws -> [AuditEntry]
    /// Records matching `filter`, in sequence order.
    func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord]
    /// The answer kept for a token's idempotency key, if any.
    func idempotentAnswer(token: String, key: String) throws -> IdempotentAnswer?
    /// Keeps the answer to a request made with an idempotency key (the first one wins).
    func keep(_ answer: IdempotentAnswer, token: String, key: String) throws
    /// Lets go of the database (connections, threads); calls after it fail. Safe to call twice.
    func close()
}

/// The answer to a request sent with an `Idempotency-Key`, replayed when the request is retried.
public struct IdempotentAnswer: Sendable, Equatable {
    /// SHA-256 of the method, path and body: a retry must send the same request.
    public var requestHash: String
    public var status: Int
    public var body: [UInt8]
    public var createdAt: Date

    public init(requestHash: String, status: Int, body: [UInt8], createdAt: Date) {
        self.requestHash = requestHash
        self.status = status
        self.body = body
        self.createdAt = createdAt
    }
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
