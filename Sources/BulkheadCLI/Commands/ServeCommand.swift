import ArgumentParser
import BulkheadGitOps
import BulkheadRender
import BulkheadService
import Dispatch
import Foundation
import Logging

/// `bulkhead serve`: the self-service API over the platform folder and the GitOps repository.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the self-service tenant API (JSON under /v1).",
        discussion: """
        The server owns the platform folder as a git repository: a tenant created through the \
        API is written as tenants/<name>.yaml (the same format a person writes), validated with \
        the same messages as `bulkhead validate`, applied to the GitOps repository (one commit), \
        and then committed in the platform folder. Changes run one at a time. Every change is \
        appended to the hash-chained audit trail in the database: by default the SQLite file \
        <repo-dir>.bulkhead.sqlite beside the repository; --database names another file, or \
        PostgreSQL as postgres://user[:password]@host[:port]/database[?sslmode=...&sslrootcert=FILE] \
        (several servers may share one). sslmode is libpq's: prefer (the default: TLS when the \
        server offers it), disable, require, verify-ca or verify-full (the certificate checked \
        against sslrootcert, or the system's authorities, and the host name). The database \
        holds only tokens, the audit trail, pending changes and idempotency keys; git stays the \
        source of truth.

        Routes (every /v1 route needs 'Authorization: Bearer <secret>'):
          GET    /v1/tenants         ?team= &tier= &environment= &cluster=
                                     &limit= &offset=
          POST   /v1/tenants         a Tenant document as JSON (platform-admin);
                                     Idempotency-Key makes a retry safe
          GET    /v1/tenants/{name}  declaration and placements; ETag header
          PATCH  /v1/tenants/{name}  {"spec":{"quota":{...}}} with If-Match
                                     (quota, apps, buckets, owners)
          DELETE /v1/tenants/{name}  prunes its files in one commit
          POST   /v1/plan            what creating a tenant would change
          POST   /v1/sync            commit and apply hand edits
          GET    /v1/clusters        clusters with their tenant counts
          GET    /v1/audit           ?tenant= &actor= &since= &until=
          GET    /v1/catalog         Backstage entities (YAML)
          GET    /healthz /readyz /metrics /openapi.yaml (no token)
        SIGTERM or SIGINT stops gracefully: requests in flight finish.

        Examples:
          bulkhead token create --repo out/gitops --name alice --role platform-admin
          cp -r examples/acme out/platform    # the server commits into its folder
          bulkhead serve --platform out/platform --repo out/gitops
          bulkhead serve --platform out/platform --repo out/gitops \\
            --database 'postgres://bulkhead@db.internal:5432/bulkhead?sslmode=verify-full&sslrootcert=/etc/bulkhead/db-ca.pem'
          curl -H "Authorization: Bearer $TOKEN" \\
            "http://127.0.0.1:8080/v1/tenants?team=web"
        """
    )

    @Option(name: .long, help: ArgumentHelp("The platform folder, owned by the server as a git repository.", valueName: "platform-dir"),
            completion: .directory)
    var platform: String?

    @OptionGroup var database: ServiceDatabaseOptions

    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (default 8080; 0 picks a free one and prints it).")
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("A JSON file of settings: platform, repo, database, host, port. Flags, then BULKHEAD_<KEY> environment variables, override it.", valueName: "file"),
            completion: .file())
    var config: String?

    /// The flags that were given, by settings key.
    var givenFlags: [String: String] {
        var flags: [String: String] = [:]
        flags["platform"] = platform
        flags["repo"] = database.repo
        flags["database"] = database.database
        flags["host"] = host
        flags["port"] = port.map(String.init)
        return flags
    }

    /// Flags, environment and the --config file, resolved through swift-configuration.
    func settings() throws -> ServeSettings {
        let flags = givenFlags, environment = ProcessInfo.processInfo.environment, config = config
        let settings = try AsyncBridge.wait {
            try await ServeSettings.resolve(flags: flags, environment: environment, configFile: config)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.platform, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandFailure.usage("error: platform folder \(settings.platform): no such folder")
        }
        // The service keeps the platform folder as a git repository of its own and refuses changes
        // while it holds anything unrecorded; a repository or database inside it would be exactly that.
        let folder = URL(fileURLWithPath: settings.platform).standardizedFileURL.path + "/"
        let database = settings.database ?? ServiceDatabaseOptions.defaultPath(repository: settings.repo)
        for (what, path) in [("the GitOps repository --repo", settings.repo), ("the database --database", database)]
        where !path.hasPrefix("postgres://") && !path.hasPrefix("postgresql://")
            && URL(fileURLWithPath: path).standardizedFileURL.path.hasPrefix(folder) {
            throw CommandFailure.usage("error: \(what) \(path) is inside the platform folder \(settings.platform); keep it outside, since the service commits the platform folder as a repository of its own")
        }
        return settings
    }

    /// `bulkhead plan --output json` of `folder` against the repository, without the full
    /// placement list; writes nothing.
    static func plan(folder: URL, repository path: String) throws -> [UInt8] {
        let pipeline = Pipeline(options: try PlatformOptions.parse([folder.path]))
        let declaration = try pipeline.load()
        let repository = Pipeline.repository(path)
        let render = try pipeline.renderIncrementally(declaration, repository: repository, replace: [], input: nil)
        var report = ChangeReport(change: try repository.plan(render.rendered.files, scopes: render.plan.scopes), rendered: render.rendered, commit: nil)
        report.placements = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(report)) + [UInt8(ascii: "\n")]
    }

    func run() throws {
        let settings = try settings()
        let repo = settings.repo, platform = settings.platform, host = settings.host, port = settings.port
        let databasePath = settings.database ?? ServiceDatabaseOptions.defaultPath(repository: repo)
        let store = try ServiceDatabaseOptions.open(databasePath)
        defer { store.close() }
        let databaseName = ServiceStores.displayName(databasePath)
        let applyOptions = try PlatformOptions.parse([platform])
        let workspace: PlatformWorkspace
        do {
            // The GitOps repository first goes back (or forward) to a whole commit; then the
            // workspace settles changes a killed server left pending.
            try Pipeline.repository(repo).recoverIfInterrupted()
            let memory = ApplyMemory()
            workspace = try PlatformWorkspace(folder: URL(fileURLWithPath: platform), repository: URL(fileURLWithPath: repo), store: store) { declaration, thorough in
                let outcome = try ApplyCommand.perform(Pipeline(options: applyOptions), repository: repo, replace: [], takesShortcut: true,
                                                       declaration: declaration, memory: memory, checksDrift: thorough,
                                                       repacksInBackground: true)
                return GitOpsOutcome(commitBefore: outcome.headBefore, commitAfter: outcome.result?.commit ?? outcome.headBefore)
            }
        } catch {
            throw CommandFailure.problems("error: \(error)")
        }
        // The repository is brought up to date with the folder before the first request.
        do {
            _ = try AsyncBridge.wait { try await workspace.applyAsFound() }
        } catch {
            throw CommandFailure.problems("error: the platform folder cannot be applied; fix it before serving:\n\(error)")
        }
        var logger = Logger(label: "bulkhead-serve")
        logger.logLevel = .info
        let configuration = ServiceConfiguration(host: host, port: port, repository: URL(fileURLWithPath: repo)) { folder in
            try Self.plan(folder: folder, repository: repo)
        }
        do {
            try AsyncBridge.wait { [logger] in
                try await ServiceServer.serve(configuration: configuration, workspace: workspace, store: store, logger: logger) { port in
                    let line = "bulkhead serve: platform \(platform), repository \(repo), database \(databaseName); listening on http://\(host):\(port)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            }
        } catch {
            throw CommandFailure.problems("error: the server stopped: \(error)")
        }
    }
}
