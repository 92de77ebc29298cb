import BulkheadCEL
import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The tenant routes: reads filtered by role, and changes that go through the workspace and
/// are recorded in the audit trail.
extension ServiceAPI {
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
        // Read first: an answer computed from a later declaration is then only kept too briefly.
        let generation = await workspace.generation
        let answer: TenantAnswerCache.Entry
        if let kept = tenantAnswers.answer(name, generation: generation) {
            answer = kept
        } else {
            guard let tenant = try await declaration().tenant(named: name) else { throw APIError.notFound("no tenant '\(name)'") }
            let placements = lock().placements[name] ?? []
            let footprint = workspace.footprint(ofTenant: name, declaredIn: tenant.origin.location.file, clusters: placements.map(\.cluster))
            answer = .init(generation: generation, body: JSONResponse.bytes(TenantView(tenant, placements: placements, footprint: footprint)),
                           entityTag: try? await workspace.entityTag(ofTenant: name))
            tenantAnswers.keep(answer, for: name)
        }
        var response = JSONResponse.make(.ok, bytes: answer.body, requestID: caller.requestID)
        if let tag = answer.entityTag { response.headers[.eTag] = tag }
        return response
    }

    func updateTenant(_ name: String, _ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin], to: "change tenants")
        guard caller.mayRead(tenant: name) else { throw APIError.forbidden("this token is not bound to tenant '\(name)'") }
        let patch = try Self.json(try await body(request))
        let ifMatch = request.headers[.ifMatch]
        let role = caller.token.role
        return try await audited(caller, action: "tenant.update", tenant: name, status: .ok) {
            try await workspace.updateTenant(name, patch: patch, ifMatch: ifMatch, audit: $0) { tenant, previous, declaration in
                role == .tenantAdmin ? Self.beyondTier(tenant, previous: previous, declaration) : nil
            }
        }.response(requestID: caller.requestID)
    }

    /// Why a tenant-admin may not change `previous` into `tenant`: a quota override it sets or
    /// raises above its tier's value, or for a key the tier does not set. An override the
    /// platform team granted may be kept or lowered. (Tier and placement are not patchable.)
    static func beyondTier(_ tenant: Tenant, previous: Tenant, _ declaration: PlatformDeclaration) -> String? {
        guard let tier = declaration.tiers[tenant.tier] else { return nil }
        for (key, value) in tenant.quota.sorted(by: { $0.key < $1.key }) {
            if let before = previous.quota[key] {
                if before == value { continue }
                if let asked = Quantity(value), let granted = Quantity(before), asked <= granted { continue }
            }
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
        let document = try Self.json(body)
        let create = { try await onboard(document, caller) }
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return try await create().response(requestID: caller.requestID) }
        return try await idempotent(caller, key: key, request: Array("POST /v1/tenants\u{0}".utf8) + body, run: create)
    }

    /// Declares, applies and commits a new tenant from a Tenant document, and records it in the
    /// audit trail: the one path for `POST /v1/tenants` and the dashboard's onboarding form.
    func onboard(_ document: CELValue, _ caller: Caller) async throws -> Answer {
        try require(caller, [.platformAdmin], to: "create tenants")
        var name: String?
        if case .map(let root) = document, case .map(let metadata)? = root["metadata"], case .string(let text)? = metadata["name"] { name = text }
        return try await audited(caller, action: "tenant.create", tenant: name, status: .created) {
            try await workspace.createTenant(document, audit: $0)
        }
    }

    /// Runs a request once per (token, `Idempotency-Key`): a retry with the same key and the same
    /// request gets the first answer again (4xx answers included, 5xx not kept); the same key with
    /// another request is refused with 422, and while the first is still running, with 409.
    func idempotent(_ caller: Caller, key: String, request: [UInt8], run: () async throws -> Answer) async throws -> Response {
        guard (1...255).contains(key.utf8.count) else { throw APIError.badRequest("Idempotency-Key must be 1 to 255 characters", field: "Idempotency-Key") }
        let hash = sha256Hex(request)
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
        let document = try Self.json(try await body(request))
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
            let apiError = (error as? WorkspaceError).map { APIError($0, revealsFolder: caller.token.role == .platformAdmin) }
                ?? APIError(.internalServerError, "internal", "\(error)")
            entry.result = "refused \(apiError.status.code) \(apiError.code): \(apiError.message)"
            _ = try store.finish(entry)
            metrics.recordAudit()
            throw apiError
        }
    }
}
