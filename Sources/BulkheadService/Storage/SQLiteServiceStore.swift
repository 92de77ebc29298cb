public import Foundation
import GRDB
import Synchronization

/// The default store: one SQLite file through GRDB, with versioned migrations. Times are whole
/// milliseconds since 1970; the audit table refuses updates and deletes by trigger.
public final class SQLiteServiceStore: ServiceStore {
    let database: DatabaseQueue
    public let path: String
    /// True after ``close()``. Held during every call too, since GRDB must not touch a closed
    /// connection (the queue runs one call at a time anyway).
    let isClosed = Mutex(false)

    /// Opens (creating when missing) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw StoreError("cannot open the SQLite database \(path): \(error)")
        }
    }

    /// Closes the database file; later calls fail. Safe to call more than once.
    public func close() {
        isClosed.withLock { isClosed in
            guard !isClosed else { return }
            isClosed = true
            try? database.close()
        }
    }

    /// Schema versions, applied in order and recorded by GRDB in `grdb_migrations`.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: tokens and audit trail") { db in
            try db.create(table: "token") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("role", .text).notNull()
                table.column("tenants", .text).notNull()
                table.column("secretHash", .text).notNull().unique()
                table.column("createdAt", .integer).notNull()
                table.column("expiresAt", .integer)
                table.column("revokedAt", .integer)
            }
            try db.create(table: "auditRecord") { table in
                table.primaryKey("sequence", .integer)
                table.column("time", .integer).notNull()
                table.column("actor", .text).notNull()
                table.column("role", .text).notNull()
                table.column("action", .text).notNull()
                table.column("tenant", .text).indexed()
                table.column("requestID", .text).notNull()
                table.column("source", .text).notNull()
                table.column("platformCommitBefore", .text)
                table.column("platformCommitAfter", .text)
                table.column("gitopsCommitBefore", .text)
                table.column("gitopsCommitAfter", .text)
                table.column("result", .text).notNull()
                table.column("previousHash", .text).notNull()
                table.column("hash", .text).notNull()
            }
            for verb in ["UPDATE", "DELETE"] {
                try db.execute(sql: """
                    CREATE TRIGGER auditRecordNo\(verb.capitalized) BEFORE \(verb) ON auditRecord
                    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
                    """)
            }
        }
        migrator.registerMigration("v2: idempotency keys") { db in
            try db.create(table: "idempotentAnswer") { table in
                table.column("token", .text).notNull()
                table.column("key", .text).notNull()
                table.column("requestHash", .text).notNull()
                table.column("status", .integer).notNull()
                table.column("body", .blob).notNull()
                table.column("createdAt", .integer).notNull()
                table.primaryKey(["token", "key"])
            }
        }
        migrator.registerMigration("v3: pending changes") { db in
            try db.create(table: "pendingChange") { table in
                table.primaryKey("requestID", .text)
                table.column("entry", .text).notNull()
            }
        }
        return migrator
    }

    // MARK: Pending changes

    static let entryCoder = (encoder: { () -> JSONEncoder in
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }(), decoder: { () -> JSONDecoder in
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }())

    public func begin(_ entry: AuditEntry) throws {
        let text = String(decoding: try Self.entryCoder.encoder.encode(entry), as: UTF8.self)
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO pendingChange (requestID, entry) VALUES (?, ?)", arguments: [entry.requestID, text])
        }
    }

    public func finish(_ entry: AuditEntry) throws -> AuditRecord {
        try write { db in
            let record = try Self.append(entry, in: db)
            try db.execute(sql: "DELETE FROM pendingChange WHERE requestID = ?", arguments: [entry.requestID])
            return record
        }
    }

    public func pendingChanges() throws -> [AuditEntry] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT entry FROM pendingChange ORDER BY rowid").map { text in
                try Self.entryCoder.decoder.decode(AuditEntry.self, from: Data(text.utf8))
            }
        }
    }

    // MARK: Idempotency keys

    public func idempotentAnswer(token: String, key: String) throws -> IdempotentAnswer? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM idempotentAnswer WHERE token = ? AND key = ?", arguments: [token, key]).map { row in
                IdempotentAnswer(requestHash: row["requestHash"], status: row["status"], body: [UInt8](row["body"] as Data),
                                 createdAt: Self.date(row["createdAt"]))
            }
        }
    }

    public func keep(_ answer: IdempotentAnswer, token: String, key: String) throws {
        try write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO idempotentAnswer (token, key, requestHash, status, body, createdAt) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [token, key, answer.requestHash, answer.status, Data(answer.body), Self.milliseconds(answer.createdAt)])
        }
    }

    // MARK: Tokens

    public func insert(_ token: APIToken, secretHash: String) throws {
        let tenants = String(decoding: try JSONEncoder().encode(token.tenants), as: UTF8.self)
        try write { db in
            try db.execute(sql: """
                INSERT INTO token (id, name, role, tenants, secretHash, createdAt, expiresAt, revokedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token.id, token.name, token.role.rawValue, tenants, secretHash,
                                 Self.milliseconds(token.createdAt), token.expiresAt.map(Self.milliseconds),
                                 token.revokedAt.map(Self.milliseconds)])
        }
    }

    public func tokens() throws -> [APIToken] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM token ORDER BY createdAt, id").map(Self.token) }
    }

    public func token(secretHash: String) throws -> APIToken? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM token WHERE secretHash = ?", arguments: [secretHash]).map(Self.token) }
    }

    public func revokeToken(id: String, at time: Date) throws -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE token SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL",
                           arguments: [Self.milliseconds(time), id])
            return db.changesCount > 0
        }
    }

    static func token(_ row: Row) throws -> APIToken {
        let roleName: String = row["role"]
        guard let role = Role(rawValue: roleName) else { throw StoreError("token \(row["id"] as String): unknown role '\(roleName)'") }
        let tenants = try JSONDecoder().decode([String].self, from: Data((row["tenants"] as String).utf8))
        return APIToken(id: row["id"], name: row["name"], role: role, tenants: tenants, createdAt: date(row["createdAt"]),
                        expiresAt: (row["expiresAt"] as Int64?).map(date), revokedAt: (row["revokedAt"] as Int64?).map(date))
    }

    // MARK: Audit trail

    public func append(_ entry: AuditEntry) throws -> AuditRecord {
        try write { db in try Self.append(entry, in: db) }
    }

    /// Appends inside a write transaction: one writer at a time (SQLite's write lock), so
    /// reading the tail and inserting after it cannot interleave with another append.
    static func append(_ entry: AuditEntry, in db: Database) throws -> AuditRecord {
        var entry = entry
        entry.time = Self.date(Self.milliseconds(entry.time))
        let last = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM auditRecord ORDER BY sequence DESC LIMIT 1")
        let sequence = (last?["sequence"] as Int64? ?? 0) + 1
        let record = AuditChain.link(entry, sequence: sequence, previousHash: last?["hash"] ?? AuditChain.genesis)
        try db.execute(sql: """
            INSERT INTO auditRecord (sequence, time, actor, role, action, tenant, requestID, source,
              platformCommitBefore, platformCommitAfter, gitopsCommitBefore, gitopsCommitAfter, result, previousHash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [sequence, Self.milliseconds(entry.time), entry.actor, entry.role, entry.action, entry.tenant,
                             entry.requestID, entry.source, entry.platformCommitBefore, entry.platformCommitAfter,
                             entry.gitopsCommitBefore, entry.gitopsCommitAfter, entry.result, record.previousHash, record.hash])
        return record
    }

    public func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let tenant = filter.tenant { conditions.append("tenant = ?"); arguments.append(tenant) }
        if let actor = filter.actor { conditions.append("actor = ?"); arguments.append(actor) }
        if let since = filter.since { conditions.append("time >= ?"); arguments.append(Self.milliseconds(since)) }
        if let until = filter.until { conditions.append("time < ?"); arguments.append(Self.milliseconds(until)) }
        var sql = "SELECT * FROM auditRecord"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY sequence"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        let statementArguments = StatementArguments(arguments)
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.record) }
    }

    static func record(_ row: Row) -> AuditRecord {
        let entry = AuditEntry(time: date(row["time"]), actor: row["actor"], role: row["role"], action: row["action"],
                               tenant: row["tenant"], requestID: row["requestID"], source: row["source"],
                               platformCommitBefore: row["platformCommitBefore"], platformCommitAfter: row["platformCommitAfter"],
                               gitopsCommitBefore: row["gitopsCommitBefore"], gitopsCommitAfter: row["gitopsCommitAfter"],
                               result: row["result"])
        return AuditRecord(sequence: row["sequence"], entry: entry, previousHash: row["previousHash"], hash: row["hash"])
    }

    // MARK: Helpers

    static func milliseconds(_ date: Date) -> Int64 { AuditChain.milliseconds(date) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    func read<T>(_ work: (Database) throws -> T) throws -> T {
        try open("reading") { try database.read(work) }
    }

    func write<T>(_ work: (Database) throws -> T) throws -> T {
        try open("writing") { try database.write(work) }
    }

    /// Runs `access` unless the store is closed; errors become ``StoreError``s naming the file.
    func open<T>(_ doing: String, _ access: () throws -> T) throws -> T {
        let outcome: Result<T, any Error> = isClosed.withLock { isClosed in
            guard !isClosed else { return .failure(StoreError("\(doing) \(path): the store is closed")) }
            do { return .success(try access()) } catch { return .failure(error) }
        }
        do { return try outcome.get() } catch let error as StoreError { throw error } catch {
            throw StoreError("\(doing) \(path): \(error)")
        }
    }
}
