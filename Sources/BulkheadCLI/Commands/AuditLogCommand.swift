import ArgumentParser
import BulkheadService
import Foundation

/// `bulkhead audit-log`: the service's hash-chained audit trail.
struct AuditLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-log",
        abstract: "Verify or export the service's audit trail.",
        discussion: """
        Every change made through the service or `bulkhead token` appends a record (time, actor, \
        role, action, tenant, request id, source, commits before and after, result) that carries \
        the hash of the record before it. `verify` recomputes the chain and names the first record \
        that was edited, removed or reordered; `export` writes records as JSON Lines.

        The trail is read from the SQLite file beside --repo, or from the database --database \
        names: a file, or PostgreSQL as postgres://user[:password]@host[:port]/database[?sslmode=...] (see `bulkhead serve --help`).

        Examples:
          bulkhead audit-log verify --repo out/gitops
          bulkhead audit-log verify --database postgres://bulkhead@127.0.0.1:5432/bulkhead
          bulkhead audit-log export --repo out/gitops --tenant web --since 2026-11-01T00:00:00Z > web.jsonl
        """,
        subcommands: [Verify.self, Export.self]
    )
}

extension AuditLogCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the hash chain; exit 1 at the first bad record.", discussion: """
            Fails (exit 2) when the database does not exist, so a mistyped --repo never reads as \
            an intact, empty trail.

            Examples:
              bulkhead audit-log verify --repo out/gitops
              bulkhead audit-log verify --database postgres://bulkhead@127.0.0.1:5432/bulkhead
            """)

        @OptionGroup var database: ServiceDatabaseOptions

        func run() throws {
            let store = try database.openExisting()
            defer { store.close() }
            let records: [AuditRecord]
            do { records = try store.auditRecords(.all) } catch let error as StoreError { throw CommandFailure.problems("error: \(error)") }
            if let broken = AuditChain.verify(records) {
                throw CommandFailure.problems("error: the audit trail is broken at \(broken)")
            }
            print("The audit trail is intact: \(records.count) record\(records.count == 1 ? "" : "s")\(records.last.map { ", last hash \($0.hash)" } ?? "").")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write audit records as JSON Lines, oldest first.", discussion: """
            Examples:
              bulkhead audit-log export --repo out/gitops > audit.jsonl
              bulkhead audit-log export --repo out/gitops --tenant web --actor tok_1a2b3c4d5e6f --since 2026-11-01T00:00:00Z
            """)

        @OptionGroup var database: ServiceDatabaseOptions

        @Option(help: "Only records about this tenant.")
        var tenant: String?

        @Option(help: "Only records by this actor (a token id, or cli:<user>).")
        var actor: String?

        @Option(help: ArgumentHelp("Only records at or after this time (RFC 3339, e.g. 2026-11-01T00:00:00Z).", valueName: "time"))
        var since: String?

        @Option(help: ArgumentHelp("Only records before this time (RFC 3339).", valueName: "time"))
        var until: String?

        func validate() throws {
            for (flag, value) in [("--since", since), ("--until", until)] {
                if let value, Self.time(value) == nil { throw ValidationError("\(flag) '\(value)' is not an RFC 3339 time such as 2026-11-01T00:00:00Z") }
            }
        }

        static func time(_ text: String) -> Date? {
            ISO8601DateFormatter().date(from: text)
        }

        func run() throws {
            let filter = AuditFilter(tenant: tenant, actor: actor, since: since.flatMap(Self.time), until: until.flatMap(Self.time))
            let store = try database.openExisting()
            defer { store.close() }
            let records: [AuditRecord]
            do { records = try store.auditRecords(filter) } catch let error as StoreError { throw CommandFailure.problems("error: \(error)") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                try container.encode(formatter.string(from: date))
            }
            for record in records {
                print(String(decoding: try encoder.encode(record), as: UTF8.self))
            }
        }
    }
}
