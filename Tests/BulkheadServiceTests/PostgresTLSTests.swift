import BulkheadService
import Foundation
import PostgresNIO
import Testing

/// The PostgreSQL store over TLS, against the test server `scripts/test.sh` starts with a
/// certificate for `localhost` signed by a CA of its own: `sslmode` and `sslrootcert` work as
/// libpq's, the connection is encrypted (as the server itself reports), and a certificate that
/// is not trusted or names another host is refused with the reason.
@Suite(.enabled(if: TestDatabase.postgresAdminURL != nil && TestDatabase.postgresAuthority != nil,
                "needs the TLS-enabled PostgreSQL server of scripts/test.sh (BULKHEAD_TEST_POSTGRES_URL and BULKHEAD_TEST_POSTGRES_CA)"))
struct PostgresTLSTests {
    /// Opens a store on a fresh database at `host` with `query` (sslmode and sslrootcert), and
    /// returns, as the server sees them, whether each of its connections to it is encrypted.
    static func encryption(host: String, _ query: String) throws -> [Bool] {
        var encrypted: [Bool] = []
        try TestDatabase.withFresh(.postgres) { database in
            let location = try #require(database.postgres)
            let store = try PostgresServiceStore(url: "postgres://\(location.user)@\(host):\(location.port)/\(location.database)?\(query)")
            defer { store.close() }
            _ = try store.tokens()
            encrypted = try TestDatabase.withConnection(to: try PostgresLocation(url: try #require(TestDatabase.postgresAdminURL))) { connection in
                try connection.query("""
                    SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = \(location.database)
                    """, logger: TestDatabase.logger).wait().rows.map { try $0.decode(Bool.self) }
            }
        }
        return encrypted
    }

    @Test func verifyFullEncryptsAndChecksTheCertificate() throws {
        let authority = try #require(TestDatabase.postgresAuthority)
        #expect(try Self.encryption(host: "localhost", "sslmode=verify-full&sslrootcert=\(authority)") == [true])
    }

    @Test func requireEncryptsAndDisableDoesNot() throws {
        #expect(try Self.encryption(host: "127.0.0.1", "sslmode=require") == [true])
        #expect(try Self.encryption(host: "127.0.0.1", "sslmode=prefer") == [true])
        #expect(try Self.encryption(host: "127.0.0.1", "sslmode=disable") == [false])
    }

    @Test func anUntrustedCertificateIsRefusedWithTheReason() throws {
        let other = try #require(TestDatabase.otherAuthority)
        for mode in ["verify-ca", "verify-full"] {
            let error = try #require(throws: StoreError.self) { try Self.encryption(host: "localhost", "sslmode=\(mode)&sslrootcert=\(other)") }
            #expect(error.description.contains("the server's TLS certificate is not signed by the authorities in sslrootcert=\(other)"), "\(error)")
        }
    }

    /// verify-ca accepts the certificate under any name; verify-full refuses a name it does not carry.
    @Test func verifyFullRefusesACertificateForAnotherName() throws {
        let authority = try #require(TestDatabase.postgresAuthority)
        // This machine's own name reaches the loopback server, but the certificate names localhost only.
        let name = ProcessInfo.processInfo.hostName
        try #require(name != "localhost" && !name.isEmpty)
        #expect(try Self.encryption(host: name, "sslmode=verify-ca&sslrootcert=\(authority)") == [true])
        let error = try #require(throws: StoreError.self) { try Self.encryption(host: name, "sslmode=verify-full&sslrootcert=\(authority)") }
        #expect(error.description.contains("the server's TLS certificate does not name \(name)"), "\(error)")
    }
}
