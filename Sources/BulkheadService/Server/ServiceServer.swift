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

/// The self-service API (JSON under `/v1`), the dashboard (HTML under `/ui`) and health
/// endpoints. Every `/v1` route needs a bearer token, every `/ui` page a session signed in with
/// one; the token's role decides what the caller may see and change, and every change it makes
/// (accepted or refused) is appended to the audit trail.
public enum ServiceServer {
    /// Builds the application (not yet running). `onRunning` gets the bound port.
    public static func application(configuration: ServiceConfiguration, workspace: PlatformWorkspace, store: any ServiceStore,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let api = ServiceAPI(configuration: configuration, workspace: workspace, store: store, logger: logger, metrics: ServiceMetrics())
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: UnroutedRequestMiddleware())
        router.get("/healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("/readyz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n"))) }
        router.get("/metrics") { _, _ in await api.metricsResponse() }
        router.get("/openapi.yaml") { _, _ in
            let declaration = try? await workspace.load().declaration
            let document = OpenAPIDocument.yaml(tiers: declaration?.tiers.keys.sorted() ?? [],
                                                regions: Set(declaration?.clusters.map(\.region) ?? []).sorted())
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
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
        router.get("/v1/clusters/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await api.handle(request, context, route: "/v1/clusters/{name}") { try await api.getCluster(name, $0, $1) }
        }
        router.get("/v1/catalog") { request, context in await api.handle(request, context, route: "/v1/catalog") { try await api.catalog($0, $1) } }
        router.get("/v1/audit") { request, context in await api.handle(request, context, route: "/v1/audit") { try await api.audit($0, $1) } }
        Dashboard.register(on: router, api: api)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "bulkhead"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}

extension ServiceServer {
    /// Every path and the methods it takes, as registered above.
    static let methodsByPath: [(template: [Substring], methods: String)] = [
        ("/healthz", "GET"), ("/readyz", "GET"), ("/metrics", "GET"), ("/openapi.yaml", "GET"),
        ("/v1/tenants", "GET, POST"), ("/v1/tenants/{name}", "GET, PATCH, DELETE"),
        ("/v1/plan", "POST"), ("/v1/sync", "POST"), ("/v1/clusters", "GET"), ("/v1/clusters/{name}", "GET"), ("/v1/catalog", "GET"), ("/v1/audit", "GET"),
    ].map { ($0.0.split(separator: "/"), $0.1) }

    /// The methods a path takes, or nil when no route has this path (`{name}` matches one segment).
    static func allowedMethods(forPath path: String) -> String? {
        let segments = path.split(separator: "/")
        return methodsByPath.first { route in
            route.template.count == segments.count && zip(route.template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }

    /// Builds and runs the application until SIGTERM or SIGINT, then finishes requests in flight.
    public static func serve(configuration: ServiceConfiguration, workspace: PlatformWorkspace, store: any ServiceStore,
                             logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(configuration: configuration, workspace: workspace, store: store, logger: logger, onRunning: onRunning).runService()
    }
}

/// Requests no route takes get the API's error shape: 405 with `Allow` when the path exists
/// with other methods, 404 otherwise (Hummingbird's own answer is an empty 404 for both).
struct UnroutedRequestMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: ServiceRequestContext, next: (Request, ServiceRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let requestID = request.headers[JSONResponse.requestIDHeader] ?? UUID().uuidString.lowercased()
            guard let allow = ServiceServer.allowedMethods(forPath: request.uri.path) else {
                return APIError.notFound("no route \(request.uri.path); see /openapi.yaml").response(requestID: requestID)
            }
            var response = APIError(.methodNotAllowed, "method-not-allowed", "\(request.uri.path) takes \(allow), not \(request.method.rawValue)")
                .response(requestID: requestID)
            response.headers[.allow] = allow
            return response
        }
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
    let tokens = TokenCache()
    let tenantAnswers = TenantAnswerCache()

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
        guard TokenSecrets.looksLikeSecret(secret), let token = try tokens.token(secretHash: TokenSecrets.hash(secret), lookUp: store.token(secretHash:)) else {
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

    /// A request body as JSON, or 400 with where it stops being JSON.
    static func json(_ body: [UInt8]) throws -> CELValue {
        do { return try CELValue(jsonBytes: body) } catch { throw APIError.badRequest("the body is not valid JSON: \(error.message)") }
    }

    static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest(range.upperBound == Int.max ? "\(name) must be a whole number, \(range.lowerBound) or more" : "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return number
    }
}
