public import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The store in a PostgreSQL database through postgres-nio, with the same semantics as
/// ``SQLiteServiceStore``: versioned migrations recorded in `bulkhead_migrations`, times as whole
/// milliseconds since 1970, an audit table that refuses updates, deletes and truncation by
/// trigger, and a hash chain appended under a table lock so appenders in several processes form
/// one chain.
///
/// The ``ServiceStore`` protocol is synchronous, so this store bridges to postgres-nio's
/// `EventLoopFuture` API by blocking: it owns a one-thread `MultiThreadedEventLoopGroup` that runs
/// its connection and nothing else, and each call waits for its future on the caller's thread.
/// No caller ever runs on that event loop (it is private to the store), so a wait cannot block
/// the loop it waits for. One connection serves the process and calls take turns on it, like
/// GRDB's `DatabaseQueue`; a connection the server dropped is opened again on the next call.
/// ``close()`` closes the connection and shuts the event loop group down.
public final class PostgresServiceStore: ServiceStore {
    public let location: PostgresLocation
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    /// The open connection, nil before the first one and after ``close()``.
    let state: Mutex<State>

    struct State {
        var connection: PostgresConnection?
        var isClosed = false
    }

    /// Connects to the database at `location` and brings its schema up to date.
    public init(location: PostgresLocation) throws {
        self.location = location
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "bulkhead.store.postgres")
        logger.logLevel = .warning
        self.logger = logger
        state = Mutex(State())
        do {
            try session("migrating") { session in try Self.migrate(session) }
        } catch {
            close()
            throw error
        }
    }

    /// Opens the database named by a `postgres://` URL.
    public convenience init(url: String) throws {
        try self.init(location: try PostgresLocation(url: url))
    }

    deinit { close() }

    /// Closes the connection and shuts down the store's event loop group; later calls fail.
    /// Safe to call more than once: only the first call does anything.
    public func close() {
        let (wasOpen, connection) = state.withLock { state in
            defer { state.isClosed = true; state.connection = nil }
            return (!state.isClosed, state.connection)
        }
        guard wasOpen else { return }
        if let connection { try? connection.close().wait() }
        try? group.syncShutdownGracefully()
    }

    // MARK: Migrations

    /// Schema versions, applied in order, each recorded in `bulkhead_migrations` in the same
    /// transaction as its statements.
    static let migrations: [(version: Int64, name: String, statements: [String])] = [
        (1, "tokens and audit trail", [
            """
            CREATE TABLE token (
              id text PRIMARY KEY, name text NOT NULL, role text NOT NULL, tenants text NOT NULL,
              secret_hash text NOT NULL UNIQUE, created_at bigint NOT NULL, expires_at bigint, revoked_at bigint)
            """,
            """
            CREATE TABLE audit_record (
              sequence bigint PRIMARY KEY, time bigint NOT NULL, actor text NOT NULL, role text NOT NULL,
              action text NOT NULL, tenant text, request_id text NOT NULL, source text NOT NULL,
              platform_commit_before text, platform_commit_after text, gitops_commit_before text,
              gitops_commit_after text, result text NOT NULL, previous_hash text NOT NULL, hash text NOT NULL)
            """,
            "CREATE INDEX audit_record_tenant ON audit_record (tenant)",
            """
            CREATE FUNCTION audit_record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$
            """,
            "CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change()",
            "CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change()",
            "CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse_change()",
        ]),
        (2, "idempotency keys", [
            """
            CREATE TABLE idempotent_answer (
              token text NOT NULL, idempotency_key text NOT NULL, request_hash text NOT NULL, status bigint NOT NULL,
              body bytea NOT NULL, created_at bigint NOT NULL, PRIMARY KEY (token, idempotency_key))
            """,
        ]),
        (3, "pending changes", [
            """
            CREATE TABLE pending_change (
              request_id text PRIMARY KEY, entry text NOT NULL, position bigint GENERATED ALWAYS AS IDENTITY)
            """,
        ]),
    ]

    /// Applies the migrations the database lacks, in one transaction under an advisory lock so
    /// two processes starting at once do not both migrate.
    static func migrate(_ session: Session) throws {
        try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock(\(migrationLockKey))")
            try session.query("""
                CREATE TABLE IF NOT EXISTS bulkhead_migrations (
                  version bigint PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)
                """)
            let applied = try session.query("SELECT version FROM bulkhead_migrations").map { try $0.decode(Int64.self) }
            let known = migrations.map(\.version)
            if let unknown = applied.first(where: { !known.contains($0) }) {
                throw StoreError("the database has schema version \(unknown), which this bulkhead does not know (it knows 1 to \(known.max() ?? 0)); use a newer bulkhead")
            }
            let now = AuditChain.milliseconds(Date())
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements { try session.query(PostgresQuery(unsafeSQL: statement)) }
                try session.query("""
                    INSERT INTO bulkhead_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(now))
                    """)
            }
        }
    }

    /// Any fixed number shared by every bulkhead process: the key of the migration lock.
    static let migrationLockKey: Int64 = 0x62_75_6c_6b_68_65_61_64 // "bulkhead"

    // MARK: Pending changes

    public func begin(_ entry: AuditEntry) throws {
        let text = String(decoding: try SQLiteServiceStore.entryCoder.encoder.encode(entry), as: UTF8.self)
        try session("writing") { session in
            // Delete and insert, so a change begun again moves to the end like SQLite's INSERT OR REPLACE.
            try session.transaction {
                try session.query("DELETE FROM pending_change WHERE request_id = \(entry.requestID)")
                try session.query("INSERT INTO pending_change (request_id, entry) VALUES (\(entry.requestID), \(text))")
            }
        }
    }

    public func finish(_ entry: AuditEntry) throws -> AuditRecord {
        try session("writing") { session in
            try session.transaction {
                let record = try Self.append(entry, in: session)
                try session.query("DELETE FROM pending_change WHERE request_id = \(entry.requestID)")
                return record
            }
        }
    }

    public func pendingChanges() throws -> [AuditEntry] {
        try session("reading") { session in
            try session.query("SELECT entry FROM pending_change ORDER BY position").map { row in
                let text = try row.decode(String.self)
                return try SQLiteServiceStore.entryCoder.decoder.decode(AuditEntry.self, from: Data(text.utf8))
            }
        }
    }

    // MARK: Idempotency keys

    public func idempotentAnswer(token: String, key: String) throws -> IdempotentAnswer? {
        try session("reading") { session in
            try session.query("""
                SELECT request_hash, status, body, created_at FROM idempotent_answer WHERE token = \(token) AND idempotency_key = \(key)
                """).first.map { row in
                let (requestHash, status, body, createdAt) = try row.decode((String, Int64, Data, Int64).self)
                return IdempotentAnswer(requestHash: requestHash, status: Int(status), body: [UInt8](body), createdAt: Self.date(createdAt))
            }
        }
    }

    public func keep(_ answer: IdempotentAnswer, token: String, key: String) throws {
        _ = try session("writing") { session in
            try session.query("""
                INSERT INTO idempotent_answer (token, idempotency_key, request_hash, status, body, created_at)
                VALUES (\(token), \(key), \(answer.requestHash), \(Int64(answer.status)), \(Data(answer.body)), \(AuditChain.milliseconds(answer.createdAt)))
                ON CONFLICT (token, idempotency_key) DO NOTHING
                """)
        }
    }

    // MARK: Tokens

    public func insert(_ token: APIToken, secretHash: String) throws {
        let tenants = String(decoding: try JSONEncoder().encode(token.tenants), as: UTF8.self)
        _ = try session("writing") { session in
            try session.query("""
                INSERT INTO token (id, name, role, tenants, secret_hash, created_at, expires_at, revoked_at)
                VALUES (\(token.id), \(token.name), \(token.role.rawValue), \(tenants), \(secretHash), \(AuditChain.milliseconds(token.createdAt)),
                        \(token.expiresAt.map(AuditChain.milliseconds)), \(token.revokedAt.map(AuditChain.milliseconds)))
                """)
        }
    }

    /// The columns ``token(_:)`` reads, in its order (a constant, spliced in unescaped).
    static let tokenColumns = "id, name, role, tenants, created_at, expires_at, revoked_at"

    public func tokens() throws -> [APIToken] {
        try session("reading") { session in
            try session.query("SELECT \(unescaped: Self.tokenColumns) FROM token ORDER BY created_at, id COLLATE \"C\"").map(Self.token)
        }
    }

    public func token(secretHash: String) throws -> APIToken? {
        try session("reading") { session in
            try session.query("SELECT \(unescaped: Self.tokenColumns) FROM token WHERE secret_hash = \(secretHash)").first.map(Self.token)
        }
    }

    public func revokeToken(id: String, at time: Date) throws -> Bool {
        try session("writing") { session in
            let result = try session.query("UPDATE token SET revoked_at = \(AuditChain.milliseconds(time)) WHERE id = \(id) AND revoked_at IS NULL")
            return (result.metadata.rows ?? 0) > 0
        }
    }

    static func token(_ row: PostgresRow) throws -> APIToken {
        let (id, name, roleName, tenantsText, createdAt, expiresAt, revokedAt) =
            try row.decode((String, String, String, String, Int64, Int64?, Int64?).self)
        guard let role = Role(rawValue: roleName) else { throw StoreError("token \(id): unknown role '\(roleName)'") }
        let tenants = try JSONDecoder().decode([String].self, from: Data(tenantsText.utf8))
        return APIToken(id: id, name: name, role: role, tenants: tenants, createdAt: date(createdAt),
                        expiresAt: expiresAt.map(date), revokedAt: revokedAt.map(date))
    }

    // MARK: Audit trail

    public func append(_ entry: AuditEntry) throws -> AuditRecord {
        try session("writing") { session in
            try session.transaction { try Self.append(entry, in: session) }
        }
    }

    /// Appends inside the caller's transaction. The EXCLUSIVE lock lets readers through but
    /// holds back every other appender, in this process or another, until this transaction
    /// ends, so reading the tail and inserting after it cannot interleave with another append.
    static func append(_ entry: AuditEntry, in session: Session) throws -> AuditRecord {
        var entry = entry
        entry.time = date(AuditChain.milliseconds(entry.time))
        try session.query("LOCK TABLE audit_record IN EXCLUSIVE MODE")
        let last = try session.query("SELECT sequence, hash FROM audit_record ORDER BY sequence DESC LIMIT 1").first
            .map { try $0.decode((Int64, String).self) }
        let record = AuditChain.link(entry, sequence: (last?.0 ?? 0) + 1, previousHash: last?.1 ?? AuditChain.genesis)
        try session.query("""
            INSERT INTO audit_record (sequence, time, actor, role, action, tenant, request_id, source, platform_commit_before,
              platform_commit_after, gitops_commit_before, gitops_commit_after, result, previous_hash, hash)
            VALUES (\(record.sequence), \(AuditChain.milliseconds(entry.time)), \(entry.actor), \(entry.role), \(entry.action),
              \(entry.tenant), \(entry.requestID), \(entry.source), \(entry.platformCommitBefore), \(entry.platformCommitAfter),
              \(entry.gitopsCommitBefore), \(entry.gitopsCommitAfter), \(entry.result), \(record.previousHash), \(record.hash))
            """)
        return record
    }

    public func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord] {
        var conditions: [String] = []
        var bindings = PostgresBindings()
        func condition(_ text: String, _ value: some PostgresDynamicTypeEncodable) {
            bindings.append(value)
            conditions.append(text.replacingOccurrences(of: "?", with: "$\(bindings.count)"))
        }
        if let tenant = filter.tenant { condition("tenant = ?", tenant) }
        if let actor = filter.actor { condition("actor = ?", actor) }
        if let since = filter.since { condition("time >= ?", AuditChain.milliseconds(since)) }
        if let until = filter.until { condition("time < ?", AuditChain.milliseconds(until)) }
        var sql = """
            SELECT sequence, time, actor, role, action, tenant, request_id, source, platform_commit_before, platform_commit_after,
              gitops_commit_before, gitops_commit_after, result, previous_hash, hash FROM audit_record
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY sequence"
        if let limit = filter.limit {
            bindings.append(Int64(max(0, limit)))
            sql += " LIMIT $\(bindings.count)"
        }
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        return try session("reading") { session in try session.query(query).map(Self.record) }
    }

    static func record(_ row: PostgresRow) throws -> AuditRecord {
        let (sequence, time, actor, role, action, tenant, requestID, source, platformBefore, platformAfter,
             gitopsBefore, gitopsAfter, result, previousHash, hash) =
            try row.decode((Int64, Int64, String, String, String, String?, String, String, String?, String?,
                            String?, String?, String, String, String).self)
        let entry = AuditEntry(time: date(time), actor: actor, role: role, action: action, tenant: tenant, requestID: requestID,
                               source: source, platformCommitBefore: platformBefore, platformCommitAfter: platformAfter,
                               gitopsCommitBefore: gitopsBefore, gitopsCommitAfter: gitopsAfter, result: result)
        return AuditRecord(sequence: sequence, entry: entry, previousHash: previousHash, hash: hash)
    }

    // MARK: Connection

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// The connection lent to one call, with blocking queries.
    struct Session {
        let connection: PostgresConnection
        let logger: Logger

        /// How long a statement may go without an answer. The store's statements are small, so
        /// this only ends a wait that would never end: postgres-nio leaves a query on a connection
        /// that closed just before it unanswered.
        static let answerTimeout = TimeAmount.seconds(30)

        /// Runs one statement and waits for all its rows; never called on the store's event loop.
        /// A statement without an answer in time closes the connection, so the next call opens
        /// a new one.
        @discardableResult
        func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
            let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
            connection.query(query, logger: logger).cascade(to: answer)
            let connection = connection
            let timeout = connection.eventLoop.scheduleTask(in: Self.answerTimeout) {
                answer.fail(NoAnswer(seconds: Self.answerTimeout.nanoseconds / 1_000_000_000))
                connection.close().whenComplete { _ in }
            }
            defer { timeout.cancel() }
            return try answer.futureResult.wait()
        }

        /// Runs `work` between BEGIN and COMMIT, rolling back when it throws.
        func transaction<T>(_ work: () throws -> T) throws -> T {
            try query("BEGIN")
            do {
                let value = try work()
                try query("COMMIT")
                return value
            } catch {
                _ = try? query("ROLLBACK")
                throw error
            }
        }
    }

    /// A statement that got no answer in time.
    struct NoAnswer: Error, CustomStringConvertible {
        var seconds: Int64
        var description: String { "no answer from the server within \(seconds) seconds" }
    }

    /// Runs `work` on the connection, one call at a time, connecting first when there is no open
    /// connection. Errors become ``StoreError``s that say what was being done, where, and why.
    func session<T>(_ doing: String, _ work: (Session) throws -> T) throws -> T {
        let outcome: Result<T, any Error> = state.withLock { state in
            guard !state.isClosed else {
                return .failure(StoreError("\(doing) \(location): the store is closed"))
            }
            let connection: PostgresConnection
            if let open = state.connection, !open.isClosed {
                connection = open
            } else {
                do { connection = try connect() } catch { return .failure(error) }
                state.connection = connection
            }
            do { return .success(try work(Session(connection: connection, logger: logger))) } catch { return .failure(error) }
        }
        do { return try outcome.get() } catch let error as StoreError { throw error } catch {
            throw StoreError("\(doing) \(location): \(Self.reason(error))")
        }
    }

    func connect() throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try Self.tls(for: location)
        } catch {
            throw StoreError("cannot set up TLS for PostgreSQL at \(location.host):\(location.port) with sslrootcert=\(location.rootCertificateFile ?? "(the system's)"): \(error)")
        }
        var configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration,
                                                  id: 1, logger: logger).wait()
        } catch {
            let reason = Self.tlsReason(error, location) ?? Self.reason(error)
            throw StoreError("cannot connect to PostgreSQL at \(location.host):\(location.port), database \(location.database), as \(location.user): \(reason)")
        }
    }

    /// The connection's TLS as libpq's `sslmode` asks: `prefer` and `require` encrypt without
    /// checking the certificate (`require` with `sslrootcert` checks it, as libpq does),
    /// `verify-ca` checks it against the trusted authorities, `verify-full` also the host name.
    static func tls(for location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        guard location.tls != .disable else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable, .prefer: configuration.certificateVerification = .none
        case .require: configuration.certificateVerification = location.rootCertificateFile == nil ? .none : .noHostnameVerification
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let file = location.rootCertificateFile { configuration.trustRoots = .file(file) }
        let context = try NIOSSLContext(configuration: configuration)
        return location.tls == .prefer ? .prefer(context) : .require(context)
    }

    /// A failed TLS handshake in words, with the setting to look at; nil for other errors.
    static func tlsReason(_ error: any Error, _ location: PostgresLocation) -> String? {
        if let error = error as? PSQLError, error.code == .sslUnsupported {
            return "the server does not offer TLS, and sslmode=\(location.tls.rawValue) requires it (sslmode=prefer falls back to plain TCP)"
        }
        let underlying = (error as? PSQLError)?.underlying ?? error
        let trusted = location.rootCertificateFile.map { "the authorities in sslrootcert=\($0)" } ?? "the system's certificate authorities (set sslrootcert to trust others)"
        if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's TLS certificate does not name \(location.host) (sslmode=verify-full checks the name; \(extra))"
        }
        guard underlying is NIOSSLError || underlying is BoringSSLError else { return nil }
        if "\(underlying)".contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's TLS certificate is not signed by \(trusted) (sslmode=\(location.tls.rawValue))"
        }
        return "the TLS handshake failed (sslmode=\(location.tls.rawValue)): \(underlying)"
    }

    /// What went wrong, in words: the server's message, or the network error.
    /// (`PSQLError`'s own description hides both on purpose.)
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            var text = message
            if let detail = info[.detail] { text += " (\(detail))" }
            if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
            return text
        }
        if let connectionError = error.underlying as? NIOConnectionError {
            if let first = connectionError.connectionErrors.first { return networkReason(first.error) }
            if connectionError.dnsAError != nil || connectionError.dnsAAAAError != nil { return "the host name cannot be resolved" }
        }
        if let underlying = error.underlying { return networkReason(underlying) }
        return "\(error.code)"
    }

    /// "Connection refused" rather than NIO's "connection reset (error set): …".
    static func networkReason(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return "\(String(cString: strerror(error.errnoCode))) (errno \(error.errnoCode))"
    }
}
