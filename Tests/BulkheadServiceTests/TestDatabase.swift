import BulkheadService
import Foundation
import GRDB
import Logging
import NIOCore
import PostgresNIO

/// A fresh, empty database for one test, and the direct access someone holding it has.
struct TestDatabase: Sendable {
    enum Kind: Sendable { case sqlite, postgres }

    let kind: Kind
    /// The SQLite file, or the PostgreSQL database, that stores open.
    let sqlitePath: String
    let postgres: PostgresLocation?

    /// The PostgreSQL server to create test databases in, or nil to skip the PostgreSQL tests.
    static let postgresAdminURL = ProcessInfo.processInfo.environment["BULKHEAD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// The PEM file of the CA that signed that server's TLS certificate (for `localhost`).
    static let postgresAuthority = ProcessInfo.processInfo.environment["BULKHEAD_TEST_POSTGRES_CA"].flatMap { $0.isEmpty ? nil : $0 }
    /// Another CA's PEM file, which signed nothing the server holds.
    static let otherAuthority = ProcessInfo.processInfo.environment["BULKHEAD_TEST_POSTGRES_OTHER_CA"].flatMap { $0.isEmpty ? nil : $0 }

    /// Runs `body` on a new database: a temporary SQLite file, or a uniquely named PostgreSQL
    /// database created for it and dropped after it.
    static func withFresh(_ kind: Kind, _ body: (TestDatabase) throws -> Void) throws {
        switch kind {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-store-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try body(TestDatabase(kind: .sqlite, sqlitePath: path, postgres: nil))
        case .postgres:
            guard let url = postgresAdminURL else { throw StoreError("BULKHEAD_TEST_POSTGRES_URL is not set") }
            let admin = try PostgresLocation(url: url)
            var location = admin
            // A name made here of [a-z0-9_] only: identifiers cannot be bound parameters.
            location.database = "bulkhead_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try run(["CREATE DATABASE \(location.database)"], on: admin)
            defer { try? run(["DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)"], on: admin) }
            try body(TestDatabase(kind: .postgres, sqlitePath: "", postgres: location))
        }
    }

    func open() throws -> any ServiceStore {
        switch kind {
        case .sqlite: try SQLiteServiceStore(path: sqlitePath)
        case .postgres: try PostgresServiceStore(location: postgres!)
        }
    }

    var auditTable: String { kind == .sqlite ? "auditRecord" : "audit_record" }

    /// Statements that empty the audit table by other means than DELETE.
    var otherAuditRemovals: [String] { kind == .sqlite ? [] : ["TRUNCATE audit_record"] }

    var dropAuditTriggers: [String] {
        switch kind {
        case .sqlite: ["DROP TRIGGER auditRecordNoUpdate", "DROP TRIGGER auditRecordNoDelete"]
        case .postgres: ["DROP TRIGGER audit_record_no_update ON audit_record", "DROP TRIGGER audit_record_no_delete ON audit_record"]
        }
    }

    /// Runs statements directly, past the store, in one transaction.
    func execute(_ statements: [String]) throws {
        switch kind {
        case .sqlite:
            let database = try DatabaseQueue(path: sqlitePath)
            try database.write { db in for statement in statements { try db.execute(sql: statement) } }
        case .postgres:
            try Self.run(["BEGIN"] + statements + ["COMMIT"], on: postgres!)
        }
    }

    /// Schema versions the database records as applied.
    func recordedMigrations() throws -> Int {
        switch kind {
        case .sqlite:
            return try DatabaseQueue(path: sqlitePath).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grdb_migrations") ?? 0 }
        case .postgres:
            return try Self.withConnection(to: postgres!) { connection in
                Int(try connection.query("SELECT count(*) FROM bulkhead_migrations", logger: Self.logger).wait().rows[0].decode(Int64.self))
            }
        }
    }

    /// Ends every other session on the PostgreSQL database, as a server restart would, and waits
    /// (up to 10 s) until they are gone; returns how many there were.
    func terminateOtherConnections() throws -> Int {
        try Self.withConnection(to: postgres!) { connection in
            try connection.query("""
                SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
                WHERE datname = \(postgres!.database) AND pid <> pg_backend_pid()) AS ended
                """, logger: Self.logger).wait().rows.map { Int(try $0.decode(Int64.self)) }.first ?? 0
        }
    }

    /// Whether `text` appears anywhere in the stored tokens: in the file's bytes for SQLite, in
    /// any column of the token table for PostgreSQL.
    func storedTokensContain(_ text: String) throws -> Bool {
        switch kind {
        case .sqlite:
            return try Data(contentsOf: URL(fileURLWithPath: sqlitePath)).range(of: Data(text.utf8)) != nil
        case .postgres:
            return try Self.withConnection(to: postgres!) { connection in
                try connection.query("SELECT count(*) FROM token t WHERE strpos(t::text, \(text)) > 0", logger: Self.logger)
                    .wait().rows[0].decode(Int64.self) > 0
            }
        }
    }

    static let logger = Logger(label: "bulkhead.tests.postgres")

    static func run(_ statements: [String], on location: PostgresLocation) throws {
        try withConnection(to: location) { connection in
            for statement in statements { _ = try connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).wait() }
        }
    }

    /// A connection of its own, on postgres-nio's shared event loop group, closed afterwards.
    static func withConnection<T>(to location: PostgresLocation, _ body: (PostgresConnection) throws -> T) throws -> T {
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: .disable)
        let connection = try PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.next(), configuration: configuration,
                                                        id: 0, logger: logger).wait()
        defer { try? connection.close().wait() }
        return try body(connection)
    }
}
