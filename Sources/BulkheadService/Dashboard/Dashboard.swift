import BulkheadModel
import BulkheadRender
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache
import NIOCore

/// The dashboard: server-rendered HTML pages under `/ui`, no JavaScript. A person signs in with
/// an API token; the page then keeps an in-memory session (cookie) bound to that token, and
/// every page applies the token's role exactly as the JSON API does. Changes go through the
/// API's own code paths, so they are validated, applied and audited the same way.
struct Dashboard: Sendable {
    let api: ServiceAPI
    let sessions = DashboardSessions()

    static func register(on router: Router<ServiceRequestContext>, api: ServiceAPI) {
        let dashboard = Dashboard(api: api)
        router.get("/ui/login") { request, context in await dashboard.measured(request, route: "/ui/login") { _ in dashboard.loginPage(request) } }
        router.post("/ui/login") { request, context in await dashboard.measured(request, route: "/ui/login") { _ in await dashboard.login(request) } }
        router.post("/ui/logout") { request, context in
            await dashboard.page(request, context, route: "/ui/logout") { caller, session, form in try dashboard.logout(session, form) }
        }
        router.get("/ui") { request, context in
            await dashboard.page(request, context, route: "/ui") { caller, session, _ in try await dashboard.fleet(caller, session) }
        }
        router.get("/ui/tenants") { request, context in
            await dashboard.page(request, context, route: "/ui/tenants") { caller, session, _ in try await dashboard.tenants(request, caller, session) }
        }
        router.get("/ui/tenants/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await dashboard.page(request, context, route: "/ui/tenants/{name}") { caller, session, _ in
                try await dashboard.tenant(name, request, caller, session)
            }
        }
        router.get("/ui/audit") { request, context in
            await dashboard.page(request, context, route: "/ui/audit") { caller, session, _ in try dashboard.audit(request, caller, session) }
        }
        router.get("/ui/onboard") { request, context in
            await dashboard.page(request, context, route: "/ui/onboard") { caller, session, _ in try await dashboard.onboardForm(caller, session) }
        }
        router.post("/ui/onboard") { request, context in
            await dashboard.page(request, context, route: "/ui/onboard") { caller, session, form in try await dashboard.onboard(form, caller, session) }
        }
    }

    // MARK: Sessions and errors

    /// Records the request in the service's metrics and answers with its request id (the
    /// caller's `X-Request-ID`, or a new one), as the JSON API does; `work` gets the id too.
    func measured(_ request: Request, route: String, _ work: (String) async -> Response) async -> Response {
        let started = ContinuousClock.now
        let requestID = request.headers[JSONResponse.requestIDHeader].flatMap { $0.count <= 128 ? $0 : nil } ?? UUID().uuidString.lowercased()
        var response = await work(requestID)
        response.headers[JSONResponse.requestIDHeader] = requestID
        api.metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }

    /// A page for a signed-in person. Without a live session, or when its token was revoked or
    /// has expired, the browser is sent to the sign-in page. A POST's form must carry the
    /// session's CSRF token. Errors become an HTML page with the API's status and message.
    func page(_ request: Request, _ context: ServiceRequestContext, route: String,
              _ work: (Caller, DashboardSession, FormFields) async throws -> Response) async -> Response {
        await measured(request, route: route) { requestID in
            guard let sessionID = DashboardSessions.sessionID(cookieHeader: request.headers[.cookie]), let session = sessions.session(sessionID) else {
                return Self.redirect("/ui/login")
            }
            var caller: Caller?
            do {
                if let token = try api.store.token(id: session.tokenID), token.isUsable(at: Date()) {
                    caller = Caller(token: token, source: context.remoteAddress?.ipAddress ?? "unknown", requestID: requestID)
                }
            } catch {
                api.logger.error("dashboard: cannot read tokens: \(error)", metadata: ["request-id": "\(requestID)"])
                return problem(.internalServerError, "Something went wrong", "The token store could not be read.", nil, nil)
            }
            guard let caller else {
                sessions.close(session.id)
                var response = Self.redirect("/ui/login")
                response.headers[.setCookie] = DashboardSessions.clearCookie
                return response
            }
            do {
                var form = FormFields(pairs: [])
                if request.method == .post {
                    form = FormFields(urlEncoded: String(decoding: try await api.body(request), as: UTF8.self))
                    guard DashboardSessions.same(form["csrf"], session.csrf) else {
                        throw APIError(.forbidden, "csrf", "the form's security token does not match this session; reload the page and send the form again")
                    }
                }
                return try await work(caller, session, form)
            } catch let error as APIError {
                api.logger.info("dashboard \(request.method) \(request.uri.path) -> \(error.status.code) \(error.code): \(error.message)", metadata: ["request-id": "\(requestID)"])
                let heading = error.status == .forbidden ? "Not allowed" : error.status == .notFound ? "Not found" : "Something went wrong"
                return problem(error.status, heading, Self.sentence(error.message), caller, session)
            } catch {
                api.logger.error("dashboard \(request.method) \(request.uri.path) failed: \(error)", metadata: ["request-id": "\(requestID)"])
                return problem(.internalServerError, "Something went wrong", "The server could not answer (request \(requestID)).", caller, session)
            }
        }
    }

    func problem(_ status: HTTPResponse.Status, _ heading: String, _ message: String, _ caller: Caller?, _ session: DashboardSession?) -> Response {
        let chrome = caller.flatMap { caller in session.map { Chrome.page(heading, caller, $0) } } ?? Chrome(title: heading)
        return Self.html(status, render(ProblemPage(chrome: chrome, heading: heading, message: message), "problem"))
    }

    /// A message with a capital first letter and a full stop.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let capitalised = first.uppercased() + text.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }

    func render(_ page: Any, _ template: String) -> String {
        DashboardTemplates.library.render(page, withTemplate: template) ?? "template \(template) is missing"
    }

    /// An HTML answer that runs no script, cannot be framed and is not cached.
    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: after a form, the browser loads `location` with GET.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    // MARK: Sign-in

    func loginPage(_ request: Request) -> Response {
        loginForm(.ok, error: nil)
    }

    /// The sign-in page with a new form nonce, set in its cookie too.
    func loginForm(_ status: HTTPResponse.Status, error: String?) -> Response {
        let nonce = DashboardSessions.random()
        var response = Self.html(status, render(LoginPage(loginError: error, formNonce: nonce), "login"))
        response.headers[.setCookie] = DashboardSessions.setLoginCookie(nonce)
        return response
    }

    /// Checks the form came from this browser's sign-in page, then the token as the API does; on
    /// success opens a session and sets its cookie.
    func login(_ request: Request) async -> Response {
        let form: FormFields
        do {
            form = FormFields(urlEncoded: String(decoding: try await api.body(request), as: UTF8.self))
        } catch {
            return loginForm(.contentTooLarge, error: "The form is too large.")
        }
        guard let nonce = DashboardSessions.value(of: DashboardSessions.loginCookie, in: request.headers[.cookie]),
              DashboardSessions.same(form["form"], nonce) else {
            return loginForm(.forbidden, error: "This sign-in form has expired or was not loaded from this server. Enter the token again.")
        }
        let secret = form["token"]
        let token: APIToken?
        do {
            token = TokenSecrets.looksLikeSecret(secret) ? try api.store.token(secretHash: TokenSecrets.hash(secret)) : nil
        } catch {
            return loginForm(.internalServerError, error: "The token store could not be read.")
        }
        guard let token else { return loginForm(.unauthorized, error: "That token is not valid.") }
        guard token.isUsable(at: Date()) else {
            return loginForm(.unauthorized, error: token.revokedAt != nil ? "That token was revoked." : "That token has expired.")
        }
        let session = sessions.open(tokenID: token.id)
        // An auditor reads only the audit trail, so that is its first page.
        var response = Self.redirect(token.role == .auditor ? "/ui/audit" : "/ui")
        response.headers[.setCookie] = DashboardSessions.setCookie(session)
        return response
    }

    func logout(_ session: DashboardSession, _ form: FormFields) throws -> Response {
        sessions.close(session.id)
        var response = Self.redirect("/ui/login")
        response.headers[.setCookie] = DashboardSessions.clearCookie
        return response
    }

    // MARK: Pages

    func fleet(_ caller: Caller, _ session: DashboardSession) async throws -> Response {
        try api.require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "list clusters")
        let declaration = try await api.declaration()
        var chrome = Chrome.page("Fleet", caller, session)
        chrome.onFleet = true
        let page = FleetPage(chrome: chrome, declaration: declaration, lock: api.lock(),
                             visibleTenants: declaration.tenants.filter { caller.mayRead(tenant: $0.name) }.count)
        return Self.html(.ok, render(page, "fleet"))
    }

    func tenants(_ request: Request, _ caller: Caller, _ session: DashboardSession) async throws -> Response {
        try api.require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "list tenants")
        let query = TenantQuery(FormFields(urlEncoded: request.uri.query ?? ""))
        let declaration = try await api.declaration()
        let lock = api.lock()
        let visible = declaration.tenants.filter { caller.mayRead(tenant: $0.name) }
        let rows = visible.filter { query.matches($0, placements: lock.placements[$0.name] ?? []) }
            .map { TenantRow($0, placements: lock.placements[$0.name] ?? []) }
        var chrome = Chrome.page("Tenants", caller, session)
        chrome.onTenants = true
        let filters = [
            Filter("team", "Team", values: Set(visible.map(\.team)).sorted(), chosen: query.team),
            Filter("tier", "Tier", values: declaration.tiers.keys.sorted(), chosen: query.tier),
            Filter("environment", "Environment", values: Environment.allCases.map(\.rawValue), chosen: query.environment),
            Filter("cluster", "Cluster", values: declaration.clusters.map(\.name), chosen: query.cluster),
        ]
        let count = rows.count == 1 ? "1 tenant" : "\(rows.count) tenants"
        let page = TenantsPage(chrome: chrome, query: query.text, filters: filters, rows: rows, hasRows: !rows.isEmpty, filtered: !query.isEmpty,
                               countText: query.isEmpty ? count + "." : "\(count) of \(visible.count) match the filters.")
        return Self.html(.ok, render(page, "tenants"))
    }

    func tenant(_ name: String, _ request: Request, _ caller: Caller, _ session: DashboardSession) async throws -> Response {
        try api.require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "read tenants")
        // Checked before looking the tenant up, as the API does, so the page says nothing about other tenants.
        guard caller.mayRead(tenant: name) else { throw APIError.forbidden("this token is not bound to tenant '\(name)'") }
        let declaration = try await api.declaration()
        guard let tenant = declaration.tenant(named: name) else { throw APIError.notFound("no tenant '\(name)'") }
        var records: [AuditRecord]?
        if Self.auditReaders.contains(caller.token.role) {
            records = Array(try api.store.auditRecords(AuditFilter(tenant: name)).suffix(20).reversed())
        }
        let created = FormFields(urlEncoded: request.uri.query ?? "")["created"] == "1"
        let page = TenantPage(chrome: Chrome.page("Tenant \(name)", caller, session), tenant: tenant, declaration: declaration,
                              placements: api.lock().placements[name] ?? [], audit: records, created: created)
        return Self.html(.ok, render(page, "tenant"))
    }

    /// The roles that may read the audit trail (as `GET /v1/audit`).
    static let auditReaders: Set<Role> = [.platformAdmin, .auditor]

    /// The last 100 audit records, newest first, filtered by tenant and actor.
    func audit(_ request: Request, _ caller: Caller, _ session: DashboardSession) throws -> Response {
        try api.require(caller, Self.auditReaders, to: "read the audit trail")
        let query = FormFields(urlEncoded: request.uri.query ?? "")
        let tenant = query["tenant"], actor = query["actor"]
        let records = try api.store.auditRecords(AuditFilter(tenant: tenant.isEmpty ? nil : tenant, actor: actor.isEmpty ? nil : actor))
        let shown = records.suffix(100).reversed().map(AuditRow.init)
        var chrome = Chrome.page("Audit trail", caller, session)
        chrome.onAudit = true
        let count = records.count == 1 ? "1 record" : "\(records.count) records"
        let page = AuditPage(chrome: chrome, tenant: tenant, actor: actor, audit: shown, hasAudit: !shown.isEmpty,
                             countText: records.count > shown.count ? "\(count); the newest \(shown.count) are shown." : count + ".")
        return Self.html(.ok, render(page, "audit"))
    }

    func onboardForm(_ caller: Caller, _ session: DashboardSession) async throws -> Response {
        try api.require(caller, [.platformAdmin], to: "create tenants")
        return try await onboardPage(.ok, caller, session, input: OnboardingInput(), messages: [])
    }

    func onboardPage(_ status: HTTPResponse.Status, _ caller: Caller, _ session: DashboardSession, input: OnboardingInput,
                     messages: [(field: String?, text: String)]) async throws -> Response {
        var chrome = Chrome.page(messages.isEmpty ? "Onboard a tenant" : "Error: onboard a tenant", caller, session)
        chrome.onOnboard = true
        let tiers = ((try? await api.declaration())?.tiers.keys).map { $0.sorted() } ?? []
        return Self.html(status, render(OnboardPage(chrome: chrome, input: input, tiers: tiers, messages: messages), "onboard"))
    }

    /// Creates the tenant through the API's own path (`ServiceAPI.onboard`: validation, apply,
    /// commit, audit record). A refusal comes back as the form with the input kept and each
    /// message beside its field, with status 422.
    func onboard(_ form: FormFields, _ caller: Caller, _ session: DashboardSession) async throws -> Response {
        try api.require(caller, [.platformAdmin], to: "create tenants")
        let input = OnboardingInput(form)
        do {
            _ = try await api.onboard(input.document, caller)
        } catch let error as APIError where error.status.code < 500 && error.status != .forbidden {
            var messages: [(field: String?, text: String)] = error.problems.map { (OnboardingInput.field(of: $0.path), $0.description) }
            if messages.isEmpty {
                let field = error.field.flatMap(OnboardingInput.field(of:)) ?? (error.code == "conflict" ? "name" : nil)
                messages = [(field, Self.sentence(error.message))]
            }
            return try await onboardPage(.unprocessableContent, caller, session, input: input, messages: messages)
        }
        let escaped = input.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? input.name
        return Self.redirect("/ui/tenants/\(escaped)?created=1")
    }
}

extension ServiceStore {
    /// The token with this public id, usable or not.
    func token(id: String) throws -> APIToken? {
        try tokens().first { $0.id == id }
    }
}
