import BulkheadService
import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing

/// The two stores on real databases, through the same cases: tokens kept only as hashes, an
/// append-only hash-chained audit trail whose verification names the first edited, removed or
/// reordered record, one chain from concurrent appenders, pending changes, idempotency keys.
/// SQLite runs on a temporary file; PostgreSQL on a fresh database per test in the server that
/// BULKHEAD_TEST_POSTGRES_URL names (scripts/test.sh starts one and sets it).
@Suite struct ServiceStoreTests {
    @Suite struct SQLite {
        @Test func tokensAreStoredOnlyAsHashesAndCheckedForUse() throws { try StoreCases.tokens(on: .sqlite) }
        @Test func reopeningKeepsDataAndSchema() throws { try StoreCases.reopening(on: .sqlite) }
        @Test func auditTrailIsAppendOnlyAndVerifies() throws { try StoreCases.appendOnly(on: .sqlite) }
        @Test(arguments: StoreCases.tamperings)
        func tamperingIsFoundAtTheFirstBadRecord(_ tampering: String) throws { try StoreCases.tampering(tampering, on: .sqlite) }
        @Test func concurrentAppendsFormOneChain() throws { try StoreCases.concurrentAppends(on: .sqlite) }
        @Test func auditRecordsFilterByTenantActorAndTime() throws { try StoreCases.filters(on: .sqlite) }
        @Test func pendingChangesAreFinishedWithTheirRecord() throws { try StoreCases.pendingChanges(on: .sqlite) }
        @Test func idempotentAnswersKeepTheFirst() throws { try StoreCases.idempotentAnswers(on: .sqlite) }
        @Test func aClosedStoreRefusesCalls() throws { try StoreCases.closing(on: .sqlite) }
    }

    /// Skipped, and reported as skipped, when BULKHEAD_TEST_POSTGRES_URL is not set.
    @Suite(.enabled(if: TestDatabase.postgresAdminURL != nil,
                    "needs a PostgreSQL server: set BULKHEAD_TEST_POSTGRES_URL=postgres://user@host:port/db (scripts/test.sh starts one and sets it)"))
    struct PostgreSQL {
        @Test func tokensAreStoredOnlyAsHashesAndCheckedForUse() throws { try StoreCases.tokens(on: .postgres) }
        @Test func reopeningKeepsDataAndSchema() throws { try StoreCases.reopening(on: .postgres) }
        @Test func auditTrailIsAppendOnlyAndVerifies() throws { try StoreCases.appendOnly(on: .postgres) }
        @Test(arguments: StoreCases.tamperings)
        func tamperingIsFoundAtTheFirstBadRecord(_ tampering: String) throws { try StoreCases.tampering(tampering, on: .postgres) }
        @Test func concurrentAppendsFormOneChain() throws { try StoreCases.concurrentAppends(on: .postgres) }
        @Test func auditRecordsFilterByTenantActorAndTime() throws { try StoreCases.filters(on: .postgres) }
        @Test func pendingChangesAreFinishedWithTheirRecord() throws { try StoreCases.pendingChanges(on: .postgres) }
        @Test func idempotentAnswersKeepTheFirst() throws { try StoreCases.idempotentAnswers(on: .postgres) }
        @Test func aClosedStoreRefusesCalls() throws { try StoreCases.closing(on: .postgres) }

        /// Several processes starting on an empty database at once: one migrates, the others wait
        /// for it and find the schema in place.
        @Test func firstOpensAtOnceMigrateOnce() throws {
            try TestDatabase.withFresh(.postgres) { database throws in
                let failures = StoreCases.onThreads(6) { _ in try database.open().close() }
                #expect(failures.isEmpty, "\(failures)")
                #expect(try database.recordedMigrations() == 3)
            }
        }

        /// The server ends the store's connection (a restart, an administrator): the call that
        /// meets the dead connection may fail, and the next one connects again.
        @Test func aDroppedConnectionIsOpenedAgain() throws {
            try TestDatabase.withFresh(.postgres) { database throws in
                let store = try database.open()
                defer { store.close() }
                _ = try store.append(StoreCases.entry(1))
                #expect(try database.terminateOtherConnections() == 1)
                _ = try? store.auditRecords(.all)
                #expect(try store.append(StoreCases.entry(2)).sequence == 2)
                #expect(AuditChain.verify(try store.auditRecords(.all)) == nil)
            }
        }

        @Test func aMissingDatabaseIsNamedInTheError() throws {
            var location = try PostgresLocation(url: try #require(TestDatabase.postgresAdminURL))
            location.database = "bulkhead_no_such_database"
            let error = try #require(throws: StoreError.self) { try PostgresServiceStore(location: location) }
            #expect(error.description.contains("cannot connect to PostgreSQL at \(location.host):\(location.port), database bulkhead_no_such_database"), "\(error)")
            #expect(error.description.contains("does not exist"), "\(error)")
        }
    }
}

/// The cases both stores must pass, each on a fresh database.
enum StoreCases {
    static func entry(_ number: Int, tenant: String? = "web", actor: String = "tok_aaaaaaaaaaaa", at time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> AuditEntry {
        AuditEntry(time: time.addingTimeInterval(Double(number)), actor: actor, role: "platform-admin", action: "tenant.update",
                   tenant: tenant, requestID: "req-\(number)", source: "127.0.0.1", gitopsCommitBefore: "a\(number)",
                   gitopsCommitAfter: "b\(number)", result: "ok")
    }

    static func tokens(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            defer { store.close() }
            let secret = TokenSecrets.generate()
            #expect(TokenSecrets.looksLikeSecret(secret))
            #expect(!TokenSecrets.looksLikeSecret("bh_short") && !TokenSecrets.looksLikeSecret(secret.replacingOccurrences(of: "bh_", with: "xx_")))
            let now = Date()
            let token = APIToken(id: TokenSecrets.generateID(), name: "ci", role: .tenantAdmin, tenants: ["web", "shop"],
                                 createdAt: now, expiresAt: now.addingTimeInterval(3600))
            try store.insert(token, secretHash: TokenSecrets.hash(secret))

            let found = try #require(try store.token(secretHash: TokenSecrets.hash(secret)))
            #expect(found.id == token.id && found.role == .tenantAdmin && found.tenants == ["web", "shop"])
            #expect(found.isUsable(at: now) && !found.isUsable(at: now.addingTimeInterval(3601)), "expired after expiresAt")
            #expect(try store.token(secretHash: TokenSecrets.hash(TokenSecrets.generate())) == nil)
            #expect(throws: StoreError.self, "a second token with the same secret") {
                try store.insert(APIToken(id: TokenSecrets.generateID(), name: "copy", role: .viewer, tenants: [], createdAt: now, expiresAt: nil),
                                 secretHash: TokenSecrets.hash(secret))
            }

            #expect(try database.storedTokensContain(TokenSecrets.hash(secret)), "the check below can see stored text")
            #expect(try !database.storedTokensContain(secret), "the secret itself is never stored")

            #expect(try store.revokeToken(id: token.id, at: now))
            #expect(try !store.revokeToken(id: token.id, at: now), "already revoked")
            #expect(try !store.revokeToken(id: "tok_000000000000", at: now), "no such token")
            #expect(try store.token(secretHash: TokenSecrets.hash(secret))?.isUsable(at: now) == false)
            #expect(try store.tokens().map(\.id) == [token.id])
        }
    }

    static func reopening(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let first = try database.open()
            _ = try first.append(entry(1))
            first.close()
            let reopened = try database.open()
            defer { reopened.close() }
            #expect(try reopened.auditRecords(.all).map(\.sequence) == [1])
            #expect(try reopened.append(entry(2)).sequence == 2)
            #expect(try database.recordedMigrations() == 3, "each schema version recorded once")
        }
    }

    static func appendOnly(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            defer { store.close() }
            for number in 1...5 { _ = try store.append(entry(number)) }
            let records = try store.auditRecords(.all)
            #expect(records.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(records[0].previousHash == AuditChain.genesis && records[1].previousHash == records[0].hash)
            #expect(AuditChain.verify(records) == nil)
            let table = database.auditTable
            for statement in ["UPDATE \(table) SET actor = 'x'", "DELETE FROM \(table) WHERE sequence = 5"] + database.otherAuditRemovals {
                let error = #expect(throws: (any Error).self, "\(statement)") { try database.execute([statement]) }
                #expect("\(error.map { String(reflecting: $0) } ?? "")".contains("append-only"), "refused by the trigger: \(statement)")
            }
            #expect(try store.auditRecords(.all) == records)
        }
    }

    static let tamperings = ["edit", "remove", "reorder", "edit-last"]

    /// Someone with the database drops the triggers and edits, removes or reorders records.
    static func tampering(_ tampering: String, on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            defer { store.close() }
            for number in 1...5 { _ = try store.append(entry(number)) }
            let table = database.auditTable
            var statements = database.dropAuditTriggers
            switch tampering {
            case "edit": statements.append("UPDATE \(table) SET actor = 'mallory' WHERE sequence = 3")
            case "remove": statements.append("DELETE FROM \(table) WHERE sequence = 2")
            case "reorder":
                statements += ["UPDATE \(table) SET sequence = 100 WHERE sequence = 2", "UPDATE \(table) SET sequence = 2 WHERE sequence = 3",
                               "UPDATE \(table) SET sequence = 3 WHERE sequence = 100"]
            default: statements.append("UPDATE \(table) SET result = 'denied' WHERE sequence = 5")
            }
            try database.execute(statements)
            let broken = try #require(AuditChain.verify(try store.auditRecords(.all)))
            let expected: [String: (Int64, String)] = ["edit": (3, "edited"), "remove": (3, "record 2 is missing"),
                                                       "reorder": (2, "previous hash"), "edit-last": (5, "edited")]
            #expect(broken.sequence == expected[tampering]!.0, "\(broken)")
            #expect(broken.reason.contains(expected[tampering]!.1), "\(broken)")
        }
    }

    /// Four stores on one database stand for four server processes; eight threads append through
    /// them at once, and also finish pending changes, which append too.
    static func concurrentAppends(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let stores = try (0..<4).map { _ in try database.open() }
            defer { for store in stores { store.close() } }
            let failures = onThreads(8) { thread in
                for round in 0..<5 {
                    let number = thread * 5 + round + 1
                    let store = stores[number % stores.count]
                    if round % 2 == 0 {
                        _ = try store.append(entry(number))
                    } else {
                        try store.begin(entry(number))
                        _ = try store.finish(entry(number))
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures)")
            let records = try stores[0].auditRecords(.all)
            #expect(records.map(\.sequence) == Array(1...40))
            #expect(Set(records.map(\.entry.requestID)).count == 40)
            #expect(AuditChain.verify(records) == nil)
            #expect(try stores[1].pendingChanges().isEmpty)
        }
    }

    static func filters(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            defer { store.close() }
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            _ = try store.append(entry(1, tenant: "web", actor: "tok_a"))
            _ = try store.append(entry(2, tenant: "shop", actor: "tok_b"))
            _ = try store.append(entry(3, tenant: "web", actor: "tok_b"))
            _ = try store.append(entry(4, tenant: nil, actor: "cli:root"))
            #expect(try store.auditRecords(AuditFilter(tenant: "web")).map(\.sequence) == [1, 3])
            #expect(try store.auditRecords(AuditFilter(actor: "tok_b")).map(\.sequence) == [2, 3])
            #expect(try store.auditRecords(AuditFilter(tenant: "web", actor: "tok_b")).map(\.sequence) == [3])
            #expect(try store.auditRecords(AuditFilter(since: start.addingTimeInterval(2), until: start.addingTimeInterval(4))).map(\.sequence) == [2, 3])
            #expect(try store.auditRecords(AuditFilter(limit: 2)).map(\.sequence) == [1, 2])
            #expect(try store.auditRecords(AuditFilter(actor: "tok_b", limit: 1)).map(\.sequence) == [2])
            #expect(try store.auditRecords(AuditFilter(tenant: "web' OR '1'='1")).isEmpty, "values are bound, never spliced into SQL")
            #expect(try store.auditRecords(.all).last?.entry.time == start.addingTimeInterval(4), "times keep their milliseconds")
            let odd = try store.append(entry(5, at: Date(timeIntervalSince1970: 1_790_000_000.1234)))
            #expect(odd.entry.time == Date(timeIntervalSince1970: 1_790_000_005.123), "times are whole milliseconds")
            #expect(try store.auditRecords(.all).last == odd, "what append returns is what is read back")
        }
    }

    static func pendingChanges(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            defer { store.close() }
            var second = entry(2)
            second.platformCommitBefore = "p2"
            try store.begin(entry(1))
            try store.begin(second)
            #expect(try store.pendingChanges() == [entry(1), second])
            let record = try store.finish(entry(1))
            #expect(record.sequence == 1 && record.entry == entry(1))
            #expect(try store.pendingChanges() == [second], "finishing forgets the pending change")
            try store.begin(entry(3))
            try store.begin(second)
            #expect(try store.pendingChanges() == [entry(3), second], "beginning again replaces and moves it last")
            _ = try store.finish(second)
            _ = try store.finish(entry(3))
            #expect(try store.pendingChanges().isEmpty)
            #expect(try store.auditRecords(.all).map(\.entry.requestID) == ["req-1", "req-2", "req-3"])
        }
    }

    static func idempotentAnswers(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            defer { store.close() }
            let createdAt = Date(timeIntervalSince1970: 1_790_000_000.25)
            let first = IdempotentAnswer(requestHash: "h1", status: 201, body: [0, 1, 2, 255, 0], createdAt: createdAt)
            let second = IdempotentAnswer(requestHash: "h2", status: 500, body: Array("later".utf8), createdAt: createdAt.addingTimeInterval(1))
            #expect(try store.idempotentAnswer(token: "tok_a", key: "k") == nil)
            try store.keep(first, token: "tok_a", key: "k")
            try store.keep(second, token: "tok_a", key: "k")
            try store.keep(second, token: "tok_b", key: "k")
            #expect(try store.idempotentAnswer(token: "tok_a", key: "k") == first, "the first answer wins")
            #expect(try store.idempotentAnswer(token: "tok_b", key: "k") == second, "keys belong to one token")
            #expect(try store.idempotentAnswer(token: "tok_a", key: "other") == nil)
        }
    }

    static func closing(on kind: TestDatabase.Kind) throws {
        try TestDatabase.withFresh(kind) { database in
            let store = try database.open()
            _ = try store.append(entry(1))
            store.close()
            store.close()
            #expect(throws: (any Error).self) { try store.auditRecords(.all) }
            #expect(throws: (any Error).self) { try store.append(entry(2)) }
            let reopened = try database.open()
            defer { reopened.close() }
            #expect(try reopened.auditRecords(.all).count == 1)
        }
    }

    /// Runs `work` on `count` threads started together; returns what each failure said.
    static func onThreads(_ count: Int, _ work: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let failures = Failures()
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                do { try work(index) } catch { failures.messages.withLock { $0.append("thread \(index): \(error)") } }
                group.leave()
            }.start()
        }
        group.wait()
        return failures.messages.withLock { $0 }
    }

    /// What the threads report, shared between them.
    final class Failures: Sendable {
        let messages = Mutex<[String]>([])
    }
}

/// Which store the `database` setting opens, and how a PostgreSQL URL is read; no server needed.
@Suite struct ServiceStoresOpenTests {
    @Test func postgresURLsAreReadWithEveryPart() throws {
        let location = try PostgresLocation(url: "postgres://bulk%40head:s%3Acret@db.internal:6543/ops?sslmode=disable")
        #expect(location == PostgresLocation(host: "db.internal", port: 6543, user: "bulk@head", password: "s:cret", database: "ops", tls: .disable))
        #expect(location.description.hasSuffix("@db.internal:6543/ops?sslmode=disable") && !location.description.contains("cret"), "no password in messages")
        // libpq's default: TLS when the server offers it.
        #expect(try PostgresLocation(url: "postgresql://ops@127.0.0.1/bulkhead") == PostgresLocation(host: "127.0.0.1", user: "ops", database: "bulkhead", tls: .prefer))
        let verified = try PostgresLocation(url: "postgres://ops@db.internal/ops?sslmode=verify-full&sslrootcert=/etc/hostname")
        #expect(verified.tls == .verifyFull && verified.rootCertificateFile == "/etc/hostname")
        #expect(verified.description == "postgres://ops@db.internal:5432/ops?sslmode=verify-full&sslrootcert=/etc/hostname")
        #expect(ServiceStores.displayName("postgres://ops:hunter2@127.0.0.1:5432/db") == "postgres://ops:***@127.0.0.1:5432/db")
        #expect(ServiceStores.displayName("/var/lib/bulkhead.sqlite") == "/var/lib/bulkhead.sqlite")
    }

    @Test(arguments: [
        ("postgres://127.0.0.1:5432/db", "no user"),
        ("postgres://ops@127.0.0.1:5432", "no database name"),
        ("postgres://ops@127.0.0.1:5432/db?sslmode=allow", "sslmode=allow is not one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://ops@127.0.0.1:5432/db?sslrootcert=/no/such/ca.pem", "sslrootcert=/no/such/ca.pem is not a readable file"),
        ("postgres://ops@127.0.0.1:5432/db?sslmode=verify-full", "write the name the certificate carries instead of 127.0.0.1"),
        ("postgres://ops@127.0.0.1:5432/db?application_name=x", "unknown parameter 'application_name'"),
        ("mysql://ops:hunter2@127.0.0.1/db", "'mysql://' is not a database this store knows"),
    ])
    func badDatabaseSettingsSayWhatIsWrong(_ setting: String, _ message: String) throws {
        let error = try #require(throws: StoreError.self) { try ServiceStores.open(setting) }
        #expect(error.description.contains(message), "\(error)")
        #expect(!error.description.contains("hunter2"), "passwords are never shown")
    }

    @Test func anUnreachableServerIsNamedWithTheReason() throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let error = try #require(throws: StoreError.self) { try ServiceStores.open("postgres://ops:hunter2@127.0.0.1:1/bulkhead") }
        #expect(error.description.contains("cannot connect to PostgreSQL at 127.0.0.1:1, database bulkhead, as ops"), "\(error)")
        #expect(error.description.lowercased().contains("refused"), "\(error)")
        #expect(!error.description.contains("hunter2"))
    }

    @Test func anythingElseIsASQLiteFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-open-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ServiceStores.open(path)
        defer { store.close() }
        #expect(store is SQLiteServiceStore)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}
