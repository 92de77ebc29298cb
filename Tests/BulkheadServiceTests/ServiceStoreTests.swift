import BulkheadService
import Foundation
import GRDB
import Testing

/// The SQLite store on a real database file: tokens kept only as hashes, and an append-only
/// hash-chained audit trail whose verification names the first edited, removed or reordered record.
@Suite struct ServiceStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-store-\(UUID().uuidString).sqlite").path
    }

    static func entry(_ number: Int, tenant: String? = "web", actor: String = "tok_aaaaaaaaaaaa", at time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> AuditEntry {
        AuditEntry(time: time.addingTimeInterval(Double(number)), actor: actor, role: "platform-admin", action: "tenant.update",
                   tenant: tenant, requestID: "req-\(number)", source: "127.0.0.1", gitopsCommitBefore: "a\(number)",
                   gitopsCommitAfter: "b\(number)", result: "ok")
    }

    @Test func tokensAreStoredOnlyAsHashesAndCheckedForUse() throws {
        let path = Self.temporaryPath()
        let store = try SQLiteServiceStore(path: path)
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

        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data(secret.utf8)) == nil, "the secret itself is never stored")

        #expect(try store.revokeToken(id: token.id, at: now))
        #expect(try !store.revokeToken(id: token.id, at: now), "already revoked")
        #expect(try !store.revokeToken(id: "tok_000000000000", at: now), "no such token")
        #expect(try store.token(secretHash: TokenSecrets.hash(secret))?.isUsable(at: now) == false)
        #expect(try store.tokens().map(\.id) == [token.id])
    }

    @Test func reopeningKeepsDataAndSchema() throws {
        let path = Self.temporaryPath()
        _ = try SQLiteServiceStore(path: path).append(Self.entry(1))
        let reopened = try SQLiteServiceStore(path: path)
        #expect(try reopened.auditRecords(.all).map(\.sequence) == [1])
        #expect(try reopened.append(Self.entry(2)).sequence == 2)
    }

    @Test func auditTrailIsAppendOnlyAndVerifies() throws {
        let path = Self.temporaryPath()
        let store = try SQLiteServiceStore(path: path)
        for number in 1...5 { _ = try store.append(Self.entry(number)) }
        let records = try store.auditRecords(.all)
        #expect(records.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(records[0].previousHash == AuditChain.genesis && records[1].previousHash == records[0].hash)
        #expect(AuditChain.verify(records) == nil)
        let database = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try database.write { try $0.execute(sql: "UPDATE auditRecord SET actor = 'x'") } }
        #expect(throws: (any Error).self) { try database.write { try $0.execute(sql: "DELETE FROM auditRecord WHERE sequence = 5") } }
    }

    /// Someone with the file drops the triggers and edits, removes or reorders records.
    @Test(arguments: ["edit", "remove", "reorder", "edit-last"])
    func tamperingIsFoundAtTheFirstBadRecord(_ tampering: String) throws {
        let path = Self.temporaryPath()
        let store = try SQLiteServiceStore(path: path)
        for number in 1...5 { _ = try store.append(Self.entry(number)) }
        let database = try DatabaseQueue(path: path)
        try database.write { db in
            try db.execute(sql: "DROP TRIGGER auditRecordNoUpdate; DROP TRIGGER auditRecordNoDelete")
            switch tampering {
            case "edit": try db.execute(sql: "UPDATE auditRecord SET actor = 'mallory' WHERE sequence = 3")
            case "remove": try db.execute(sql: "DELETE FROM auditRecord WHERE sequence = 2")
            case "reorder":
                try db.execute(sql: "UPDATE auditRecord SET sequence = 100 WHERE sequence = 2")
                try db.execute(sql: "UPDATE auditRecord SET sequence = 2 WHERE sequence = 3")
                try db.execute(sql: "UPDATE auditRecord SET sequence = 3 WHERE sequence = 100")
            default: try db.execute(sql: "UPDATE auditRecord SET result = 'denied' WHERE sequence = 5")
            }
        }
        let broken = try #require(AuditChain.verify(try store.auditRecords(.all)))
        let expected: [String: (Int64, String)] = ["edit": (3, "edited"), "remove": (3, "record 2 is missing"),
                                                   "reorder": (2, "previous hash"), "edit-last": (5, "edited")]
        #expect(broken.sequence == expected[tampering]!.0, "\(broken)")
        #expect(broken.reason.contains(expected[tampering]!.1), "\(broken)")
    }

    @Test func concurrentAppendsFormOneChain() throws {
        let store = try SQLiteServiceStore(path: Self.temporaryPath())
        DispatchQueue.concurrentPerform(iterations: 40) { number in
            _ = try? store.append(Self.entry(number))
        }
        let records = try store.auditRecords(.all)
        #expect(records.map(\.sequence) == Array(1...40))
        #expect(Set(records.map(\.entry.requestID)).count == 40)
        #expect(AuditChain.verify(records) == nil)
    }

    @Test func auditRecordsFilterByTenantActorAndTime() throws {
        let store = try SQLiteServiceStore(path: Self.temporaryPath())
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        _ = try store.append(Self.entry(1, tenant: "web", actor: "tok_a"))
        _ = try store.append(Self.entry(2, tenant: "shop", actor: "tok_b"))
        _ = try store.append(Self.entry(3, tenant: "web", actor: "tok_b"))
        _ = try store.append(Self.entry(4, tenant: nil, actor: "cli:root"))
        #expect(try store.auditRecords(AuditFilter(tenant: "web")).map(\.sequence) == [1, 3])
        #expect(try store.auditRecords(AuditFilter(actor: "tok_b")).map(\.sequence) == [2, 3])
        #expect(try store.auditRecords(AuditFilter(since: start.addingTimeInterval(2), until: start.addingTimeInterval(4))).map(\.sequence) == [2, 3])
        #expect(try store.auditRecords(AuditFilter(limit: 2)).map(\.sequence) == [1, 2])
        #expect(try store.auditRecords(.all).last?.entry.time == start.addingTimeInterval(4), "times keep their milliseconds")
    }
}
