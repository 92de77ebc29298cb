import ArgumentParser
import enum BulkheadKube.Names
import BulkheadService
import Foundation

/// Where the service keeps its operational memory (tokens, audit trail): a SQLite file, or a
/// PostgreSQL database named by a `postgres://` URL.
struct ServiceDatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database: a SQLite file, or PostgreSQL as postgres://user[:password]@host[:port]/database[?sslmode=...] (see `bulkhead serve --help`).", valueName: "path-or-url"),
            completion: .file())
    var database: String?

    @Option(name: .long, help: ArgumentHelp("The GitOps repository the service serves; without --database, the SQLite file <repo-dir>.bulkhead.sqlite beside it is used.", valueName: "repo-dir"),
            completion: .directory)
    var repo: String?

    /// The database: `--database`, else the SQLite file beside `--repo`.
    func location() throws -> String {
        if let database { return database }
        guard let repo else {
            throw CommandFailure.usage("error: give --database PATH or --database postgres://user@host:port/db, or --repo DIR to use the SQLite file beside that repository")
        }
        return Self.defaultPath(repository: repo)
    }

    /// `<repo>.bulkhead.sqlite`, next to the repository folder (never inside it, so it is not committed).
    static func defaultPath(repository: String) -> String {
        URL(fileURLWithPath: repository).standardizedFileURL.path + ".bulkhead.sqlite"
    }

    /// Opens the store; the caller closes it when done.
    func open() throws -> any ServiceStore {
        try Self.open(try location())
    }

    /// Opens a store that must exist already (commands that only read or revoke): a mistyped
    /// `--repo` must not look like an empty, intact audit trail, nor leave a new file behind.
    func openExisting() throws -> any ServiceStore {
        let location = try location()
        if !location.hasPrefix("postgres://"), !location.hasPrefix("postgresql://"), !FileManager.default.fileExists(atPath: location) {
            throw CommandFailure.usage("error: no database at \(location). The service keeps it beside the GitOps repository (<repo-dir>.bulkhead.sqlite) once a token was created or the server ran; check --repo, or give --database.")
        }
        return try Self.open(location)
    }

    /// Opens the store at `database` (a path or a URL), with a command-line error when it cannot.
    static func open(_ database: String) throws -> any ServiceStore {
        do { return try ServiceStores.open(database) } catch let error as StoreError {
            throw CommandFailure.problems("error: \(error)")
        }
    }
}

/// An audit entry for a change made from the command line on the server's machine.
func localAuditEntry(action: String, result: String = "ok") -> AuditEntry {
    let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
    return AuditEntry(time: Date(), actor: "cli:\(user)", role: "local", action: action, requestID: UUID().uuidString.lowercased(),
                      source: "local", result: result)
}

/// `bulkhead token`: API tokens for `bulkhead serve`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens for the Bulkhead service.",
        discussion: """
        A token carries one role: platform-admin (everything), tenant-admin (only the tenants it \
        is bound to), viewer (read-only) or auditor (reads the audit trail). Its secret is shown \
        once, at creation; the database keeps only its SHA-256. Creating and revoking tokens is \
        recorded in the audit trail.

        The database is the SQLite file beside --repo, or the one --database names: a file, or \
        PostgreSQL as postgres://user[:password]@host[:port]/database[?sslmode=...] (the same value as \
        `bulkhead serve --database`).

        Examples:
          bulkhead token create --repo out/gitops --name alice --role platform-admin
          bulkhead token create --repo out/gitops --name web-ci --role tenant-admin --tenant web --expires-in 30d
          bulkhead token create --database postgres://bulkhead@127.0.0.1:5432/bulkhead --name ci --role platform-admin
          bulkhead token list --repo out/gitops
          bulkhead token revoke tok_1a2b3c4d5e6f --repo out/gitops
        """,
        subcommands: [Create.self, List.self, Revoke.self]
    )
}

extension TokenCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token and print its secret once.", discussion: """
            Examples:
              bulkhead token create --repo out/gitops --name alice --role platform-admin
              bulkhead token create --repo out/gitops --name web-ci --role tenant-admin --tenant web --expires-in 30d
              bulkhead token create --repo out/gitops --name dash --role viewer -o json
            """)

        @OptionGroup var database: ServiceDatabaseOptions

        @Option(help: "What the token is for (a person, a pipeline).")
        var name: String

        @Option(name: .customLong("role"), help: ArgumentHelp("The token's role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "role"))
        var roleName: String

        var role: Role { Role(rawValue: roleName) ?? .viewer }

        @Option(name: .customLong("tenant"), help: ArgumentHelp("A tenant a tenant-admin token may manage (repeatable).", valueName: "name"))
        var tenants: [String] = []

        @Option(name: .customLong("expires-in"), help: ArgumentHelp("Lifetime: <n>d, <n>h, or never.", valueName: "duration"))
        var expiresIn: String = "90d"

        @Option(name: .shortAndLong, help: "Output format: table for people, json for programs.")
        var output: OutputFormat = .table

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
            guard Role(rawValue: roleName) != nil else {
                throw ValidationError("--role '\(roleName)' is not a role; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if role == .tenantAdmin && tenants.isEmpty { throw ValidationError("a tenant-admin token needs at least one --tenant") }
            if role != .tenantAdmin && !tenants.isEmpty { throw ValidationError("--tenant is only for tenant-admin tokens; a \(role.rawValue) token is not bound to tenants") }
            // A tenant not declared yet is allowed (a token made ahead of onboarding), but never a
            // name no tenant can have.
            for tenant in tenants where !Names.isDNSLabel(tenant) {
                throw ValidationError("--tenant '\(tenant)' cannot name a tenant: tenant names are DNS labels (\(Names.dnsLabelRule))")
            }
            _ = try Self.lifetime(expiresIn)
        }

        /// Seconds, or nil for `never`.
        static func lifetime(_ text: String) throws -> TimeInterval? {
            if text == "never" { return nil }
            guard let unit = text.last, let count = Int(text.dropLast()), count > 0, unit == "d" || unit == "h" else {
                throw ValidationError("--expires-in '\(text)': use <n>d (days), <n>h (hours) or never, for example 90d")
            }
            return TimeInterval(count) * (unit == "d" ? 86_400 : 3_600)
        }

        func run() throws {
            let store = try database.open()
            defer { store.close() }
            let secret = TokenSecrets.generate()
            let now = Date()
            let token = APIToken(id: TokenSecrets.generateID(), name: name, role: role, tenants: tenants.sorted(),
                                 createdAt: now, expiresAt: try Self.lifetime(expiresIn).map { now.addingTimeInterval($0) })
            do {
                try store.insert(token, secretHash: TokenSecrets.hash(secret))
                var entry = localAuditEntry(action: "token.create")
                entry.tenant = tenants.count == 1 ? tenants[0] : nil
                entry.result = "ok: \(token.id) \(role.rawValue) \(name)"
                _ = try store.append(entry)
            } catch let error as StoreError {
                throw CommandFailure.problems("error: \(error)")
            }
            switch output {
            case .json:
                struct Created: Encodable { var token: APIToken; var secret: String }
                Terminal.printJSON(Created(token: token, secret: secret))
            case .table:
                print("Token \(token.id) (\(role.rawValue)\(tenants.isEmpty ? "" : " of \(tenants.sorted().joined(separator: ", "))")) created for \(name), \(TokenTable.expiry(token)).")
                print("Its secret is shown only now; send it as 'Authorization: Bearer <secret>':")
                print(secret)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (never their secrets).", discussion: """
            Fails when the database does not exist yet, rather than report an empty list.

            Examples:
              bulkhead token list --repo out/gitops
              bulkhead token list --database postgres://bulkhead@127.0.0.1:5432/bulkhead -o json
            """)

        @OptionGroup var database: ServiceDatabaseOptions

        @Option(name: .shortAndLong, help: "Output format: table for people, json for programs.")
        var output: OutputFormat = .table

        func run() throws {
            let store = try database.openExisting()
            defer { store.close() }
            let tokens: [APIToken]
            do { tokens = try store.tokens() } catch let error as StoreError { throw CommandFailure.problems("error: \(error)") }
            switch output {
            case .json: Terminal.printJSON(tokens)
            case .table: TokenTable.print(tokens, now: Date())
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token; a running service refuses it within a second.", discussion: """
            Examples:
              bulkhead token revoke tok_1a2b3c4d5e6f --repo out/gitops
            """)

        @OptionGroup var database: ServiceDatabaseOptions

        @Argument(help: ArgumentHelp("The token's id (tok_…), as `bulkhead token list` shows it.", valueName: "token-id"))
        var id: String

        func run() throws {
            let store = try database.openExisting()
            defer { store.close() }
            do {
                guard try store.revokeToken(id: id, at: Date()) else {
                    let known = try store.tokens().contains { $0.id == id }
                    throw CommandFailure.problems(known ? "error: token \(id) is already revoked" : "error: no token \(id); `bulkhead token list` shows the ids")
                }
                var entry = localAuditEntry(action: "token.revoke")
                entry.result = "ok: \(id)"
                _ = try store.append(entry)
            } catch let error as StoreError {
                throw CommandFailure.problems("error: \(error)")
            }
            print("Token \(id) revoked.")
        }
    }
}

/// The token listing as a table.
enum TokenTable {
    static func print(_ tokens: [APIToken], now: Date) {
        guard !tokens.isEmpty else { Swift.print("No tokens. Create one with `bulkhead token create`."); return }
        let rows = tokens.map { token in
            [token.id, token.name, token.role.rawValue, token.tenants.isEmpty ? "-" : token.tenants.joined(separator: ","),
             day(token.createdAt), expiry(token), token.revokedAt != nil ? "revoked" : token.isUsable(at: now) ? "active" : "expired"]
        }
        let header = ["ID", "NAME", "ROLE", "TENANTS", "CREATED", "EXPIRES", "STATUS"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        for row in [header] + rows {
            Swift.print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }

    static func expiry(_ token: APIToken) -> String {
        token.expiresAt.map { "expires \(day($0))" } ?? "never expires"
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
