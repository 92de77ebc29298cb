import BulkheadCEL
import BulkheadKube
import BulkheadModel
import BulkheadRender
public import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore

/// Where the service listens and what it serves.
public struct ServiceConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The GitOps repository (read for placements).
    public var repository: URL
    /// Larger request bodies are refused with 413.
    public var maxBodyBytes: Int
    /// Plans a platform folder against the repository as `bulkhead plan --output json` does,
    /// writing nothing (for `POST /v1/plan`).
    public var planner: @Sendable (URL) throws -> [UInt8]

    public init(host: String = "127.0.0.1", port: Int = 8080, repository: URL, maxBodyBytes: Int = 1 << 20,
                planner: @escaping @Sendable (URL) throws -> [UInt8]) {
        self.host = host
        self.port = port
        self.repository = repository
        self.maxBodyBytes = maxBodyBytes
        self.planner = planner
    }
}

/// The self-service API (JSON under `/v1`) and health endpoints. Every `/v1` route needs a
/// bearer token; its role decides what the caller may see and change, and every change it makes
/// (accepted or refused) is appended to the audit trail.
public enum ServiceServer {
    /// Builds the application (not yet running). `onRunning` gets the bound port.
    public static func application(configuration: ServiceConfiguration, workspace: PlatformWorkspace, store: any ServiceStore,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let api = ServiceAPI(configuration: configuration, workspace: workspace, store: store, logger: logger, metrics: ServiceMetrics())
        let router = Router(context: ServiceRequestContext.self)
        router.get("/healthz") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("/readyz") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n"))) }
        router.get("/metrics") { _, _ in await api.metricsResponse() }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.get("/v1/tenants") { request, context in await api.handle(request, context, route: "/v1/tenants") { try await api.listTenants($0, $1) } }
        router.post("/v1/tenants") { request, context in await api.handle(request, context, route: "/v1/tenants") { try await api.createTenant($0, $1) } }
        router.get("/v1/tenants/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await api.handle(request, context, route: "/v1/tenants/{name}") { try await api.getTenant(name, $0, $1) }
        }
        router.patch("/v1/tenants/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await api.handle(request, context, route: "/v1/tenants/{name}") { try await api.updateTenant(name, $0, $1) }
        }
        router.delete("/v1/tenants/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await api.handle(request, context, route: "/v1/tenants/{name}") { try await api.deleteTenant(name, $0, $1) }
        }
        router.post("/v1/plan") { request, context in await api.handle(request, context, route: "/v1/plan") { try await api.plan($0, $1) } }
        router.post("/v1/sync") { request, context in await api.handle(request, context, route: "/v1/sync") { try await api.sync($0, $1) } }
        router.get("/v1/clusters") { request, context in await api.handle(request, context, route: "/v1/clusters") { try await api.listClusters($0, $1) } }
        router.get("/v1/catalog") { request, context in await api.handle(request, context, route: "/v1/catalog") { try await api.catalog($0, $1) } }
        router.get("/v1/audit") { request, context in await api.handle(request, context, route: "/v1/audit") { try await api.audit($0, $1) } }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "bulkhead"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}

extension ServiceServer {
    /// Builds and runs the application until SIGTERM or SIGINT, then finishes requests in flight.
    public static func serve(configuration: ServiceConfiguration, workspace: PlatformWorkspace, store: any ServiceStore,
                             logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(configuration: configuration, workspace: workspace, store: store, logger: logger, onRunning: onRunning).runService()
    }
}

/// The request context: Hummingbird's core storage and the client's address (for the audit trail).
struct ServiceRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Who is calling, from the bearer token.
struct Caller: Sendable {
    var token: APIToken
    var source: String
    var requestID: String

    func mayRead(tenant: String) -> Bool {
        switch token.role {
        case .platformAdmin, .viewer: true
        case .tenantAdmin: token.tenants.contains(tenant)
        case .auditor: false
        }
    }
}

/// The route handlers, each a thin step from a request to the workspace or the store and back.
struct ServiceAPI: Sendable {
    let configuration: ServiceConfiguration
    let workspace: PlatformWorkspace
    let store: any ServiceStore
    let logger: Logger
    let metrics: ServiceMetrics
    let locks = LockCache()
    let inFlight = InFlightKeys()

    /// Authenticates, runs `work`, and turns any error into the API's error shape.
    func handle(_ request: Request, _ context: ServiceRequestContext, route: String, _ work: (Request, Caller) async throws -> Response) async -> Response {
        let started = ContinuousClock.now
        let response = await answer(request, context, work)
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }

    func answer(_ request: Request, _ context: ServiceRequestContext, _ work: (Request, Caller) async throws -> Response) async -> Response {
        let requestID = request.headers[JSONResponse.requestIDHeader].flatMap { $0.count <= 128 ? $0 : nil } ?? UUID().uuidString.lowercased()
        do {
            let caller = try authenticate(request, source: context.remoteAddress?.ipAddress ?? "unknown", requestID: requestID)
            return try await work(request, caller)
        } catch let error as APIError {
            logger.info("\(request.method) \(request.uri.path) -> \(error.status.code) \(error.code): \(error.message)", metadata: ["request-id": "\(requestID)"])
            return error.response(requestID: requestID)
        } catch {
            logger.error("\(request.method) \(request.uri.path) failed: \(error)", metadata: ["request-id": "\(requestID)"])
            return APIError(.internalServerError, "internal", "\(error)").response(requestID: requestID)
        }
    }

    func authenticate(_ request: Request, source: String, requestID: String) throws -> Caller {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthenticated("send a token as 'Authorization: Bearer <secret>' (bulkhead token create)")
        }
        let secret = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : ""
        guard TokenSecrets.looksLikeSecret(secret), let token = try store.token(secretHash: TokenSecrets.hash(secret)) else {
            throw APIError.unauthenticated("the token is not valid")
        }
        guard token.isUsable(at: Date()) else {
            throw APIError.unauthenticated(token.revokedAt != nil ? "the token was revoked" : "the token has expired")
        }
        return Caller(token: token, source: source, requestID: requestID)
    }

    func require(_ caller: Caller, _ roles: Set<Role>, to action: String) throws {
        guard roles.contains(caller.token.role) else {
            throw APIError.forbidden("a \(caller.token.role.rawValue) token may not \(action)")
        }
    }

    // MARK: Tenants

    func listTenants(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "list tenants")
        let query = request.uri.queryParameters
        let limit = try Self.integer(query["limit"].map(String.init), name: "limit", default: 100, range: 1...1000)
        let offset = try Self.integer(query["offset"].map(String.init), name: "offset", default: 0, range: 0...Int.max)
        let declaration = try await declaration()
        let lock = lock()
        let filtered = declaration.tenants.filter { tenant in
            caller.mayRead(tenant: tenant.name)
                && query["team"].map { tenant.team == String($0) } ?? true
                && query["tier"].map { tenant.tier == String($0) } ?? true
                && query["environment"].map { value in tenant.environments.contains { $0.rawValue == String(value) } } ?? true
                && query["cluster"].map { value in (lock.placements[tenant.name] ?? []).contains { $0.cluster == String(value) } } ?? true
        }
        let page = filtered.dropFirst(offset).prefix(limit).map { TenantView($0, placements: lock.placements[$0.name] ?? []) }
        let next = offset + limit < filtered.count ? offset + limit : nil
        return JSONResponse.make(.ok, Page(items: Array(page), total: filtered.count, offset: offset, limit: limit, next: next), requestID: caller.requestID)
    }

    func getTenant(_ name: String, _ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "read tenants")
        // Checked before looking the tenant up, so the answer says nothing about other tenants.
        guard caller.mayRead(tenant: name) else { throw APIError.forbidden("this token is not bound to tenant '\(name)'") }
        guard let tenant = try await declaration().tenant(named: name) else { throw APIError.notFound("no tenant '\(name)'") }
        var response = JSONResponse.make(.ok, TenantView(tenant, placements: lock().placements[name] ?? []), requestID: caller.requestID)
        if let tag = try? await workspace.entityTag(ofTenant: name) { response.headers[.eTag] = tag }
        return response
    }

    func updateTenant(_ name: String, _ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin], to: "change tenants")
        guard caller.mayRead(tenant: name) else { throw APIError.forbidden("this token is not bound to tenant '\(name)'") }
        let body = try await self.body(request)
        let patch: CELValue
        do { patch = try CELValue(jsonBytes: body) } catch { throw APIError.badRequest("the body is not valid JSON: \(error.message)") }
        let ifMatch = request.headers[.ifMatch]
        let role = caller.token.role
        return try await audited(caller, action: "tenant.update", tenant: name, status: .ok) {
            try await workspace.updateTenant(name, patch: patch, ifMatch: ifMatch, audit: $0) { tenant, declaration in
                role == .tenantAdmin ? Self.beyondTier(tenant, declaration) : nil
            }
        }.response(requestID: caller.requestID)
    }

    /// Why a tenant-admin may not declare `tenant` this way: a quota override above its tier's
    /// value, or for a key the tier does not set. (Tier and placement are not patchable at all.)
    static func beyondTier(_ tenant: Tenant, _ declaration: PlatformDeclaration) -> String? {
        guard let tier = declaration.tiers[tenant.tier] else { return nil }
        for (key, value) in tenant.quota.sorted(by: { $0.key < $1.key }) {
            guard let limit = tier.quota[key] else {
                return "a tenant-admin may not set quota \(key), which tier '\(tier.name)' does not set"
            }
            if let asked = Quantity(value), let allowed = Quantity(limit), asked > allowed {
                return "a tenant-admin may not raise quota \(key) to \(value), above tier '\(tier.name)' (\(limit))"
            }
        }
        return nil
    }

    func createTenant(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin], to: "create tenants")
        let body = try await self.body(request)
        let document: CELValue
        do { document = try CELValue(jsonBytes: body) } catch { throw APIError.badRequest("the body is not valid JSON: \(error.message)") }
        var name: String?
        if case .map(let root) = document, case .map(let metadata)? = root["metadata"], case .string(let text)? = metadata["name"] { name = text }
        let create = {
            try await audited(caller, action: "tenant.create", tenant: name, status: .created) {
                try await workspace.createTenant(document, audit: $0)
            }
        }
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return try await create().response(requestID: caller.requestID) }
        return try await idempotent(caller, key: key, request: Array("POST /v1/tenants\u{0}".utf8) + body, run: create)
    }

    /// Runs a request once per (token, `Idempotency-Key`): a retry with the same key and the same
    /// request gets the first answer again (4xx answers included, 5xx not kept); the same key with
    /// another request is refused with 422, and while the first is still running, with 409.
    func idempotent(_ caller: Caller, key: String, request: [UInt8], run: () async throws -> Answer) async throws -> Response {
        guard (1...255).contains(key.utf8.count) else { throw APIError.badRequest("Idempotency-Key must be 1 to 255 characters", field: "Idempotency-Key") }
        let hash = TokenSecrets.hash(String(decoding: request, as: UTF8.self))
        guard await inFlight.begin(caller.token.id + "\u{0}" + key) else {
            throw APIError(.conflict, "in-progress", "a request with this Idempotency-Key is still being processed; retry later")
        }
        do {
            let answer = try await replayOrRun(caller, key: key, hash: hash, run: run)
            await inFlight.end(caller.token.id + "\u{0}" + key)
            return answer
        } catch {
            await inFlight.end(caller.token.id + "\u{0}" + key)
            throw error
        }
    }

    private func replayOrRun(_ caller: Caller, key: String, hash: String, run: () async throws -> Answer) async throws -> Response {
        if let kept = try store.idempotentAnswer(token: caller.token.id, key: key) {
            guard kept.requestHash == hash else {
                throw APIError(.unprocessableContent, "idempotency-key-reused", "this Idempotency-Key was already used with a different request", field: "Idempotency-Key")
            }
            return JSONResponse.make(HTTPResponse.Status(code: kept.status), bytes: kept.body, requestID: caller.requestID, replayed: true)
        }
        let answer: Answer
        do {
            answer = try await run()
        } catch let error as APIError {
            if error.status.code < 500 {
                try store.keep(IdempotentAnswer(requestHash: hash, status: error.status.code, body: error.body(requestID: caller.requestID), createdAt: Date()),
                               token: caller.token.id, key: key)
            }
            throw error
        }
        try store.keep(IdempotentAnswer(requestHash: hash, status: answer.status.code, body: answer.body, createdAt: Date()), token: caller.token.id, key: key)
        return answer.response(requestID: caller.requestID)
    }

    /// What creating the tenant in the body would change; writes nothing.
    func plan(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin], to: "plan tenants")
        let body = try await self.body(request)
        let document: CELValue
        do { document = try CELValue(jsonBytes: body) } catch { throw APIError.badRequest("the body is not valid JSON: \(error.message)") }
        let planner = configuration.planner
        do {
            let report = try await workspace.planTenant(document, plan: planner)
            return JSONResponse.make(.ok, bytes: report, requestID: caller.requestID)
        } catch {
            throw APIError(error)
        }
    }

    func deleteTenant(_ name: String, _ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin], to: "delete tenants")
        return try await audited(caller, action: "tenant.delete", tenant: name, status: .ok) {
            try await workspace.deleteTenant(name, audit: $0)
        }.response(requestID: caller.requestID)
    }

    func sync(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin], to: "sync the platform folder")
        return try await audited(caller, action: "platform.sync", tenant: nil, status: .ok) {
            try await workspace.sync(audit: $0)
        }.response(requestID: caller.requestID)
    }

    /// Runs a change and appends its audit record, whether it was accepted or refused.
    func audited(_ caller: Caller, action: String, tenant: String?, status: HTTPResponse.Status,
                 _ change: (AuditEntry) async throws -> WorkspaceChange) async throws -> Answer {
        var entry = AuditEntry(time: Date(), actor: caller.token.id, role: caller.token.role.rawValue, action: action, tenant: tenant,
                               requestID: caller.requestID, source: caller.source, result: "ok")
        let started = ContinuousClock.now
        do {
            let result = try await change(entry)
            metrics.recordChange(action: action, accepted: true, duration: ContinuousClock.now - started)
            entry.platformCommitBefore = result.platformCommitBefore
            entry.platformCommitAfter = result.platformCommitAfter
            entry.gitopsCommitBefore = result.gitops.commitBefore
            entry.gitopsCommitAfter = result.gitops.commitAfter
            _ = try store.finish(entry)
            metrics.recordAudit()
            return Answer(status: status, body: JSONResponse.bytes(ChangeView(result, requestID: caller.requestID)))
        } catch {
            metrics.recordChange(action: action, accepted: false, duration: ContinuousClock.now - started)
            let apiError = (error as? WorkspaceError).map(APIError.init) ?? APIError(.internalServerError, "internal", "\(error)")
            entry.result = "refused \(apiError.status.code) \(apiError.code): \(apiError.message)"
            _ = try store.finish(entry)
            metrics.recordAudit()
            throw apiError
        }
    }

    // MARK: Clusters and audit

    func listClusters(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "list clusters")
        var counts: [String: Int] = [:]
        for placements in lock().placements.values {
            for cluster in Set(placements.map(\.cluster)) { counts[cluster, default: 0] += 1 }
        }
        let clusters = try await declaration().clusters.map { ClusterView($0, tenants: counts[$0.name] ?? 0) }
        return JSONResponse.make(.ok, Page(items: clusters, total: clusters.count, offset: 0, limit: clusters.count, next: nil), requestID: caller.requestID)
    }

    /// Backstage catalog entities for the clusters and the tenants the caller may read.
    func catalog(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "export the catalog")
        let declaration = try await declaration()
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        let text = CatalogExport.yaml(declaration: declaration, tenants: declaration.tenants.filter { caller.mayRead(tenant: $0.name) },
                                      lock: lock(), baseURL: "http://\(host)")
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        headers[JSONResponse.requestIDHeader] = caller.requestID
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func audit(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .auditor], to: "read the audit trail")
        let query = request.uri.queryParameters
        func time(_ name: String) throws -> Date? {
            guard let text = query[Substring(name)].map(String.init) else { return nil }
            guard let date = ISO8601DateFormatter().date(from: text) else { throw APIError.badRequest("\(name) must be an RFC 3339 time such as 2026-11-01T00:00:00Z", field: name) }
            return date
        }
        let limit = try Self.integer(query["limit"].map(String.init), name: "limit", default: 1000, range: 1...10_000)
        let filter = AuditFilter(tenant: query["tenant"].map(String.init), actor: query["actor"].map(String.init),
                                 since: try time("since"), until: try time("until"), limit: limit)
        let records = try store.auditRecords(filter)
        return JSONResponse.make(.ok, Page(items: records, total: records.count, offset: 0, limit: limit, next: nil), requestID: caller.requestID)
    }

    /// `/metrics`: the fleet gauges brought up to date, then the exposition.
    func metricsResponse() async -> Response {
        if let declaration = try? await workspace.load().declaration {
            var placements: [String: Int] = [:]
            for cluster in declaration.clusters { placements[cluster.name] = 0 }
            for entries in lock().placements.values {
                for cluster in Set(entries.map(\.cluster)) { placements[cluster, default: 0] += 1 }
            }
            metrics.recordFleet(tenants: declaration.tenants.count, placements: placements)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }

    // MARK: Helpers

    func declaration() async throws -> PlatformDeclaration {
        let result: DeclarationLoader.Result
        do { result = try await workspace.load() } catch { throw APIError(error) }
        guard let declaration = result.declaration else {
            throw APIError(.internalServerError, "invalid-platform", "the platform folder does not validate; fix it and call POST /v1/sync",
                           problems: result.errors)
        }
        return declaration
    }

    func lock() -> PlacementLock {
        locks.lock(at: configuration.repository.appendingPathComponent(PlacementLock.fileName))
    }

    func body(_ request: Request) async throws -> [UInt8] {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "too-large", "the body is \(length) bytes; the limit is \(limit)")
        }
        do { return Array(try await request.body.collect(upTo: limit).readableBytesView) } catch {
            throw APIError(.contentTooLarge, "too-large", "the body is larger than the limit of \(limit) bytes")
        }
    }

    static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound == Int.max ? "up" : String(range.upperBound))", field: name)
        }
        return number
    }
}

/// The GitOps repository's placement lock, parsed again only when the file changes (by size or
/// modification time): reads must not parse thousands of placements each.
final class LockCache: @unchecked Sendable {
    private let mutex = NSLock()
    private var key: (size: Int, modified: Date)?
    private var value = PlacementLock()

    func lock(at url: URL) -> PlacementLock {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = attributes?[.modificationDate] as? Date ?? .distantPast
        if let cached = mutex.withLock({ key.map { $0.size == size && $0.modified == modified ? value : nil } ?? nil }) { return cached }
        let text = try? String(contentsOf: url, encoding: .utf8)
        let parsed = text.flatMap { try? PlacementLock(parsing: $0) } ?? PlacementLock()
        mutex.withLock {
            key = (size, modified)
            value = parsed
        }
        return parsed
    }
}

/// A change's answer before it becomes a response (so it can be kept for idempotency keys).
struct Answer: Sendable {
    var status: HTTPResponse.Status
    var body: [UInt8]

    func response(requestID: String) -> Response { JSONResponse.make(status, bytes: body, requestID: requestID) }
}

/// Idempotency keys whose first request is still running.
actor InFlightKeys {
    private var keys: Set<String> = []

    /// False when `key` is already running.
    func begin(_ key: String) -> Bool { keys.insert(key).inserted }
    func end(_ key: String) { keys.remove(key) }
}
