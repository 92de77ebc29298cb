import Foundation
import BulkheadCEL
import BulkheadPolicy
import Testing

/// `bulkhead serve` as a user runs it: the real binary on loopback, tokens made with
/// `bulkhead token create`, curl as the client, then SIGTERM.
@Suite(.serialized) struct ServeTests {
    /// A running server on a copy of the example, with one token per role. (Unchecked Sendable:
    /// after init only `call` is used from several threads, and it only reads.)
    final class Server: @unchecked Sendable {
        let folder: URL
        let platform: URL
        let repo: URL
        var process = Process()
        var port = 0
        var tokens: [String: String] = [:]

        init() throws {
            folder = try CLI.temporaryFolder()
            platform = folder.appendingPathComponent("platform")
            repo = folder.appendingPathComponent("gitops")
            try FileManager.default.copyItem(at: CLI.example, to: platform)
            for (key, arguments) in [("admin", ["--role", "platform-admin"]), ("web", ["--role", "tenant-admin", "--tenant", "web"]),
                                     ("viewer", ["--role", "viewer"]), ("auditor", ["--role", "auditor"])] {
                let run = try CLI.run(CLI.binary.path, ["token", "create", "--repo", repo.path, "--name", key, "-o", "json"] + arguments)
                let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
                tokens[key] = try #require(object?["secret"] as? String, "token create: \(run.stderr)")
            }
            try start()
        }

        /// Starts (or restarts) `bulkhead serve` on the same folders, with extra environment.
        func start(environment extra: [String: String] = [:]) throws {
            let output = folder.appendingPathComponent("serve-\(UUID().uuidString).out")
            try #require(FileManager.default.createFile(atPath: output.path, contents: nil))
            process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["serve", "--platform", platform.path, "--repo", repo.path, "--port", "0"]
            var environment = ProcessInfo.processInfo.environment
            environment["GIT_AUTHOR_NAME"] = "Test"; environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
            environment["GIT_COMMITTER_NAME"] = "Test"; environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
            environment.merge(extra) { _, new in new }
            process.environment = environment
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = FileHandle.nullDevice
            try process.run()
            var port: Int?
            for _ in 0..<600 where port == nil {
                Thread.sleep(forTimeInterval: 0.1)
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                if let range = text.range(of: "listening on http://127.0.0.1:") {
                    port = Int(text[range.upperBound...].prefix { $0.isNumber })
                }
            }
            self.port = try #require(port, "the server did not start: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
        }

        /// curl as `who` (a role key, or nil for no token): (status, JSON object).
        func call(_ method: String, _ path: String, as who: String?, body: String? = nil, headers: [String] = []) throws -> (status: Int, json: [String: Any]) {
            var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, "http://127.0.0.1:\(port)\(path)"]
            for header in headers { arguments += ["-H", header] }
            if let who { arguments += ["-H", "Authorization: Bearer \(tokens[who] ?? who)"] }
            if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
            let output = try CLI.run("/usr/bin/curl", arguments).stdout
            let status = Int(output.split(separator: "\n").last ?? "") ?? 0
            let text = output.split(separator: "\n").dropLast().joined(separator: "\n")
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return (status, json)
        }

        /// Stops the server with SIGTERM; returns its exit status.
        func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static let newTenant = #"{"metadata":{"name":"newshop"},"spec":{"tier":"basic","owners":["shop-admins"],"team":"shop","costCenter":"CC-4001","environments":["dev"],"dataClassification":"internal","apps":[{"name":"api","port":8080}]}}"#

    /// Every route × role, for the caller's own tenant and another one: the exact status, and
    /// no other tenant's data in lists or errors.
    @Test func rolesDecideEveryRoute() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let expected: [(method: String, path: String, statuses: [String: Int])] = [
            ("GET", "/v1/tenants", ["admin": 200, "web": 200, "viewer": 200, "auditor": 403, "none": 401, "bogus": 401]),
            ("GET", "/v1/tenants/web", ["admin": 200, "web": 200, "viewer": 200, "auditor": 403, "none": 401]),
            ("GET", "/v1/tenants/payments", ["admin": 200, "web": 403, "viewer": 200, "auditor": 403, "none": 401]),
            ("GET", "/v1/tenants/no-such-tenant", ["admin": 404, "web": 403, "viewer": 404, "auditor": 403]),
            ("GET", "/v1/clusters", ["admin": 200, "web": 200, "viewer": 200, "auditor": 403, "none": 401]),
            ("GET", "/v1/audit", ["admin": 200, "web": 403, "viewer": 403, "auditor": 200, "none": 401]),
            ("POST", "/v1/tenants", ["web": 403, "viewer": 403, "auditor": 403, "none": 401]),
            ("DELETE", "/v1/tenants/web", ["web": 403, "viewer": 403, "auditor": 403, "none": 401]),
            ("PATCH", "/v1/tenants/web", ["viewer": 403, "auditor": 403, "none": 401]),
            ("PATCH", "/v1/tenants/payments", ["web": 403, "viewer": 403, "auditor": 403, "none": 401]),
            ("PATCH", "/v1/tenants/no-such-tenant", ["web": 403]),
            ("POST", "/v1/sync", ["web": 403, "viewer": 403, "auditor": 403, "none": 401]),
        ]
        for route in expected {
            for (who, status) in route.statuses {
                let caller: String? = who == "none" ? nil : who == "bogus" ? "bh_" + String(repeating: "x", count: 43) : who
                let answer = try server.call(route.method, route.path, as: caller, body: route.method == "POST" ? Self.newTenant : nil)
                #expect(answer.status == status, "\(route.method) \(route.path) as \(who)")
                if status >= 400 {
                    let error = answer.json["error"] as? [String: Any]
                    #expect(error?["code"] is String && error?["requestId"] is String, "\(route.method) \(route.path) as \(who): \(answer.json)")
                    #expect(!"\(answer.json)".contains("payments") || route.path.contains("payments"), "no other tenant named in errors")
                }
            }
        }
        let ownList = try server.call("GET", "/v1/tenants", as: "web")
        let names = (ownList.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["web"] && ownList.json["total"] as? Int == 1, "a tenant-admin lists only its own tenants")
        let metrics = try CLI.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(server.port)/metrics"]).stdout
        #expect(metrics.contains(#"bulkhead_http_requests_total{route="/v1/tenants",method="GET",status="200"} 4"#), "\(metrics)")
        #expect(metrics.contains(#"bulkhead_http_requests_total{route="/v1/tenants",method="GET",status="401"} 2"#))
        #expect(metrics.contains(#"bulkhead_http_requests_total{route="/v1/tenants/{name}",method="GET",status="403"} 5"#))
        #expect(metrics.contains("bulkhead_tenants 14"))
        // The Backstage catalog: every cluster and tenant for an admin, only its own tenant for a tenant-admin.
        func catalog(_ who: String) throws -> String {
            try CLI.run("/usr/bin/curl", ["-s", "-H", "Authorization: Bearer \(server.tokens[who]!)", "http://127.0.0.1:\(server.port)/v1/catalog"]).stdout
        }
        let full = try catalog("admin")
        #expect(full.components(separatedBy: "\nkind: Resource\n").count - 1 == 12 && full.components(separatedBy: "\nkind: System\n").count - 1 == 14)
        let own = try catalog("web")
        #expect(own.components(separatedBy: "\nkind: System\n").count - 1 == 1 && own.contains("name: web\n") && !own.contains("payments"))
        #expect(try server.call("GET", "/v1/catalog", as: "auditor").status == 403)
        #expect(server.stop() == 0, "SIGTERM stops the server cleanly")
    }

    /// Onboarding through the API: the declaration file, one platform commit, one GitOps
    /// commit, the audit record with both, then delete prunes in one commit.
    /// A method a path does not take answers 405 with the `Allow` the OpenAPI document lists for
    /// that path; an unknown path answers 404; both in the API's error shape.
    @Test func undeclaredMethodsAndPathsGetTheErrorShape() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let document = try CLI.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(server.port)/openapi.yaml"]).stdout
        guard case .map(let root)? = try YAMLValues.documents(document).first, case .map(let paths)? = root["paths"] else {
            Issue.record("no paths in /openapi.yaml"); return
        }
        let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"]
        for (key, value) in paths.entries {
            guard case .string(let template) = key, case .map(let operations) = value else { continue }
            let declared = Set(operations.entries.compactMap { entry -> String? in
                guard case .string(let name) = entry.key, methods.contains(name.uppercased()) else { return nil }
                return name.uppercased()
            })
            let path = template.replacingOccurrences(of: "{name}", with: "web")
            for method in methods where !declared.contains(method) {
                let answer = try CLI.run("/usr/bin/curl", ["-s", "-D", "-", "-X", method, "http://127.0.0.1:\(server.port)\(path)"]).stdout
                let lines = answer.components(separatedBy: "\r\n")
                #expect(lines.first?.contains(" 405") == true, "\(method) \(path): \(lines.first ?? "")")
                let allow = lines.first { $0.lowercased().hasPrefix("allow:") }.map { String($0.dropFirst(6)) } ?? ""
                #expect(Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) == declared, "\(method) \(path): Allow \(allow)")
                #expect(answer.contains(#""code":"method-not-allowed""#))
            }
        }
        let unknown = try server.call("GET", "/v1/nothing-here", as: "admin")
        #expect(unknown.status == 404 && (unknown.json["error"] as? [String: Any])?["code"] as? String == "not-found")
        let health = try CLI.run("/usr/bin/curl", ["-s", "-D", "-", "http://127.0.0.1:\(server.port)/healthz"]).stdout
        #expect(health.lowercased().contains("content-type: text/plain"))
    }

    /// Tokens are kept in memory for a second after a lookup; a revoked one is refused after that.
    @Test func aRevokedTokenIsRefusedWithinASecond() throws {
        let server = try Server()
        defer { _ = server.stop() }
        #expect(try server.call("GET", "/v1/tenants/web", as: "viewer").status == 200)
        let listed = try CLI.run(CLI.binary.path, ["token", "list", "--repo", server.repo.path, "-o", "json"]).stdout
        let tokens = try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]] ?? []
        let id = try #require(tokens.first { $0["name"] as? String == "viewer" }?["id"] as? String)
        #expect(try CLI.run(CLI.binary.path, ["token", "revoke", id, "--repo", server.repo.path]).status == 0)
        Thread.sleep(forTimeInterval: 1.2)
        let refused = try server.call("GET", "/v1/tenants/web", as: "viewer")
        #expect(refused.status == 401 && ((refused.json["error"] as? [String: Any])?["message"] as? String)?.contains("revoked") == true, "\(refused.json)")
        #expect(try server.call("GET", "/v1/tenants/web", as: "admin").status == 200)
    }

    @Test func createAndDeleteATenant() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let gitopsBefore = try CLI.git(server.repo, "rev-list", "--count", "HEAD")
        let created = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant)
        #expect(created.status == 201, "\(created.json)")
        let file = server.platform.appendingPathComponent("tenants/newshop.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("kind: Tenant") && text.contains("  name: newshop") && text.contains("  tier: basic"))
        #expect(try CLI.git(server.platform, "log", "-1", "--format=%s").hasPrefix("tenant newshop: created by tok_"))
        #expect(try CLI.git(server.platform, "status", "--porcelain").isEmpty)
        #expect(Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD")) == Int(gitopsBefore)! + 1, "one GitOps commit")
        #expect(created.json["gitopsCommitAfter"] as? String == (try CLI.git(server.repo, "rev-parse", "HEAD")))
        #expect(FileManager.default.fileExists(atPath: server.repo.appendingPathComponent("clusters/dev-euw1-1/tenants/newshop/bundle.yaml").path))

        let fetched = try server.call("GET", "/v1/tenants/newshop", as: "viewer")
        #expect(fetched.json["team"] as? String == "shop")
        let placements = (fetched.json["placements"] as? [[String: Any]] ?? []).compactMap { $0["cluster"] as? String }
        #expect(!placements.isEmpty)
        let objects = fetched.json["objects"] as? [String: [[String: Any]]] ?? [:]
        #expect(Set(objects.keys) == Set(placements), "objects for every placement: \(objects.keys)")
        for (cluster, list) in objects {
            #expect(list.contains { $0["kind"] as? String == "Namespace" && $0["name"] as? String == "newshop" }, "\(cluster)")
            #expect(list.contains { $0["kind"] as? String == "ResourceQuota" && $0["namespace"] as? String == "newshop" }, "\(cluster)")
        }
        #expect((fetched.json["lastCommit"] as? [String: Any])?["id"] as? String == (try CLI.git(server.platform, "rev-parse", "HEAD")))
        #expect((fetched.json["lastGitOpsCommit"] as? [String: Any])?["id"] as? String == created.json["gitopsCommitAfter"] as? String)
        let listed = try server.call("GET", "/v1/tenants?team=shop", as: "viewer")
        #expect((listed.json["items"] as? [[String: Any]])?.first?["objects"] == nil, "lists stay short")
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant).status == 409)

        let deleted = try server.call("DELETE", "/v1/tenants/newshop", as: "admin")
        #expect(deleted.status == 200, "\(deleted.json)")
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(!FileManager.default.fileExists(atPath: server.repo.appendingPathComponent("clusters/dev-euw1-1/tenants/newshop").path))
        #expect(try server.call("GET", "/v1/tenants/newshop", as: "admin").status == 404)

        let audit = try server.call("GET", "/v1/audit?tenant=newshop", as: "auditor")
        let records = audit.json["items"] as? [[String: Any]] ?? []
        let actions = records.compactMap { ($0["entry"] as? [String: Any])?["action"] as? String }
        #expect(actions == ["tenant.create", "tenant.create", "tenant.delete"], "accepted and refused changes are recorded")
        let first = records.first?["entry"] as? [String: Any]
        #expect(first?["gitopsCommitAfter"] as? String == created.json["gitopsCommitAfter"] as? String)
        #expect(first?["source"] as? String == "127.0.0.1")
        #expect(server.stop() == 0)
        let verify = try CLI.bulkhead("audit-log", "verify", "--repo", server.repo.path)
        #expect(verify.status == 0 && verify.stdout.contains("intact"), "\(verify.stderr)")
    }

    /// Hand edits of the platform folder are recorded by `POST /v1/sync` only: a create refuses
    /// to run over them (it would commit and apply them under its own name), a refused sync
    /// leaves the service answering from what it had, and a server that refuses to start over an
    /// invalid folder records nothing.
    @Test func handEditsAreRecordedOnlyBySync() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let web = server.platform.appendingPathComponent("tenants/web.yaml")
        try CLI.replace(in: web, "costCenter: CC-3001", with: "costCenter: CC-3009")
        let head = try CLI.git(server.platform, "rev-parse", "HEAD")
        let refused = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant)
        let message = (refused.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(refused.status == 409 && message.contains("tenants/web.yaml") && message.contains("POST /v1/sync"), "\(refused.json)")
        #expect(try CLI.git(server.platform, "rev-parse", "HEAD") == head)
        // A tenant-admin is told to wait, but not which files: they may name other tenants.
        let bound = try server.call("PATCH", "/v1/tenants/web", as: "web", body: #"{"spec":{"buckets":["assets"]}}"#, headers: ["If-Match: *"])
        let boundMessage = (bound.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(bound.status == 409 && boundMessage.contains("POST /v1/sync") && !boundMessage.contains("tenants/"), "\(bound.json)")

        let broken = server.platform.appendingPathComponent("tenants/broken.yaml")
        try Data("kind: Tenant\nmetadata: {name: broken\n".utf8).write(to: broken)
        #expect(try server.call("POST", "/v1/sync", as: "admin").status == 422)
        let read = try server.call("GET", "/v1/tenants/web", as: "viewer")
        #expect(read.status == 200 && read.json["costCenter"] as? String == "CC-3001", "reads go on from the last recorded declaration: \(read.json)")
        #expect(try server.call("GET", "/v1/clusters", as: "viewer").status == 200)
        try FileManager.default.removeItem(at: broken)

        #expect(try server.call("POST", "/v1/sync", as: "admin").status == 200)
        #expect(try server.call("GET", "/v1/tenants/web", as: "viewer").json["costCenter"] as? String == "CC-3009")
        let created = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant)
        #expect(created.status == 201, "\(created.json)")
        #expect(try CLI.git(server.platform, "show", "--name-only", "--format=", "HEAD") == "tenants/newshop.yaml", "the create's commit holds its own file only")
        // A file of the GitOps repository edited by hand is put back by a sync.
        let bundle = server.repo.appendingPathComponent("clusters/prod-use1-2/tenants/payments/bundle.yaml")
        let original = try Data(contentsOf: bundle)
        try Data("# edited by hand\n".utf8).write(to: bundle)
        #expect(try server.call("POST", "/v1/sync", as: "admin").status == 200)
        #expect(try Data(contentsOf: bundle) == original)
        #expect(server.stop() == 0)

        try Data("kind: Tenant\nmetadata: {name: broken\n".utf8).write(to: broken)
        let before = try CLI.git(server.platform, "rev-parse", "HEAD")
        let start = try CLI.bulkhead("serve", "--platform", server.platform.path, "--repo", server.repo.path, "--port", "0")
        #expect(start.status != 0)
        #expect(start.stderr.contains("tenants/broken.yaml:") && start.stderr.contains("problem") && !start.stderr.contains("invalid(["), "\(start.stderr)")
        #expect(try CLI.git(server.platform, "rev-parse", "HEAD") == before, "a refused start records nothing")
        #expect(try CLI.git(server.platform, "status", "--porcelain").contains("tenants/broken.yaml"))

        // A GitOps repository inside the platform folder would be an unrecorded change forever.
        let inside = try CLI.bulkhead("serve", "--platform", server.platform.path, "--repo", server.platform.appendingPathComponent("gitops").path, "--port", "0")
        #expect(inside.status == 2 && inside.stderr.contains("is inside the platform folder"), "\(inside.stderr)")
    }

    /// `POST /v1/plan` says which files a create would add, and writes nothing anywhere.
    @Test func planShowsACreateWithoutWriting() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let gitopsHead = try CLI.git(server.repo, "rev-parse", "HEAD")
        let platformHead = try CLI.git(server.platform, "rev-parse", "HEAD")
        let planned = try server.call("POST", "/v1/plan", as: "admin", body: Self.newTenant)
        #expect(planned.status == 200, "\(planned.json)")
        let added = planned.json["added"] as? [String] ?? []
        #expect(added.contains("clusters/dev-euw1-1/tenants/newshop/bundle.yaml"), "\(added)")
        #expect((planned.json["removed"] as? [String])?.isEmpty == true)
        #expect(try CLI.git(server.repo, "rev-parse", "HEAD") == gitopsHead && (try CLI.git(server.repo, "status", "--porcelain")).isEmpty)
        #expect(try CLI.git(server.platform, "rev-parse", "HEAD") == platformHead && (try CLI.git(server.platform, "status", "--porcelain")).isEmpty)
        #expect(try server.call("GET", "/v1/tenants/newshop", as: "admin").status == 404)
        #expect(try server.call("POST", "/v1/plan", as: "viewer", body: Self.newTenant).status == 403)
        #expect(try server.call("POST", "/v1/plan", as: "admin", body: #"{"metadata":{"name":"web"},"spec":{}}"#).status == 409)
        // What the plan said is what the create then does.
        let created = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant)
        #expect(created.status == 201)
        let committed = try CLI.git(server.repo, "diff", "--name-only", "--diff-filter=A", "HEAD~1", "HEAD").split(separator: "\n").map(String.init)
        #expect(Set(committed) == Set(added))
    }

    /// Bad input: the same validation text as `bulkhead validate`, the field path, and nothing written.
    @Test func invalidTenantsAreRefusedWithTheCLIsMessages() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let before = try CLI.git(server.repo, "rev-parse", "HEAD")
        let bad = #"{"metadata":{"name":"bad"},"spec":{"tier":"basic","team":"x","costCenter":"CC-1","environments":["dev"],"dataClassification":"secret"}}"#
        let refused = try server.call("POST", "/v1/tenants", as: "admin", body: bad)
        #expect(refused.status == 422)
        let error = refused.json["error"] as? [String: Any]
        let problems = (error?["problems"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(!problems.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: server.platform.appendingPathComponent("tenants/bad.yaml").path), "nothing written")
        #expect(try CLI.git(server.repo, "rev-parse", "HEAD") == before)

        // The same document written by hand, checked by the CLI from the platform folder.
        let copy = try CLI.temporaryFolder().appendingPathComponent("platform")
        try FileManager.default.copyItem(at: CLI.example, to: copy)
        let yaml = "apiVersion: bulkhead.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: bad\nspec:\n  costCenter: CC-1\n  dataClassification: secret\n  environments:\n  - dev\n  team: x\n  tier: basic\n"
        try ("# Declared through the Bulkhead service by x.\n" + yaml).write(to: copy.appendingPathComponent("tenants/bad.yaml"), atomically: true, encoding: .utf8)
        let validate = try CLI.bulkhead("validate", ".", in: copy)
        for problem in problems {
            #expect(validate.stderr.contains(problem) || validate.stdout.contains(problem), "CLI says the same: \(problem)\n\(validate.stderr)")
        }
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: "{not json").status == 400)
        let escape = Self.newTenant.replacingOccurrences(of: "newshop", with: "../../escape")
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: escape).status == 422)
        let cluster = Self.newTenant.replacingOccurrences(of: #"{"metadata""#, with: #"{"kind":"Cluster","metadata""#)
        let wrongKind = try server.call("POST", "/v1/tenants", as: "admin", body: cluster)
        #expect(wrongKind.status == 422 && ((wrongKind.json["error"] as? [String: Any])?["field"] as? String) == "kind")
        #expect(try CLI.git(server.platform, "status", "--porcelain").isEmpty, "nothing written for refused documents")
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: "[]").status == 422)
        #expect(try server.call("GET", "/v1/tenants?limit=0", as: "admin").status == 400)
    }

    /// Many creates at once lose nothing: every tenant is declared, each change is exactly one
    /// platform commit and one GitOps commit, and the audit chain holds one record each.
    /// (scripts/bench-service.sh runs 200 at concurrency 8 on a 1,000-tenant platform.)
    @Test func concurrentCreatesLoseNothing() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let platformBefore = Int(try CLI.git(server.platform, "rev-list", "--count", "HEAD"))!
        let gitopsBefore = Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD"))!
        let count = 40
        let statuses = StatusList()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let body = Self.newTenant.replacingOccurrences(of: "newshop", with: "shop-\(index)")
                .replacingOccurrences(of: #""team":"shop""#, with: #""team":"loadtest""#)
            statuses.append((try? server.call("POST", "/v1/tenants", as: "admin", body: body).status) ?? 0)
        }
        #expect(statuses.values.sorted() == Array(repeating: 201, count: count))
        let listed = try server.call("GET", "/v1/tenants?team=loadtest&limit=1000", as: "viewer")
        #expect(listed.json["total"] as? Int == count)
        #expect(Int(try CLI.git(server.platform, "rev-list", "--count", "HEAD")) == platformBefore + count)
        #expect(Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD")) == gitopsBefore + count)
        let audit = try server.call("GET", "/v1/audit?limit=10000", as: "auditor")
        let creates = (audit.json["items"] as? [[String: Any]] ?? []).filter { ($0["entry"] as? [String: Any])?["action"] as? String == "tenant.create" }
        #expect(creates.count == count)
        let commits = Set(creates.compactMap { ($0["entry"] as? [String: Any])?["gitopsCommitAfter"] as? String })
        #expect(commits.count == count, "each create has its own GitOps commit")
        #expect(server.stop() == 0)
        #expect(try CLI.bulkhead("audit-log", "verify", "--repo", server.repo.path).status == 0)
    }
}

extension ServeTests {
    /// A retried create with the same Idempotency-Key gets the first answer and changes nothing
    /// more; the key with another body is refused; another token's same key is its own.
    @Test func idempotencyKeysMakeRetriesSafe() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let key = ["Idempotency-Key: create-newshop-1"]
        let first = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant, headers: key)
        #expect(first.status == 201)
        let commits = try CLI.git(server.repo, "rev-list", "--count", "HEAD")
        let retry = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant, headers: key)
        #expect(retry.status == 201, "the first answer, not 409")
        #expect(retry.json["gitopsCommitAfter"] as? String == first.json["gitopsCommitAfter"] as? String)
        #expect(try CLI.git(server.repo, "rev-list", "--count", "HEAD") == commits, "no second commit")
        let other = Self.newTenant.replacingOccurrences(of: "CC-4001", with: "CC-4002")
        let reused = try server.call("POST", "/v1/tenants", as: "admin", body: other, headers: key)
        #expect(reused.status == 422 && (reused.json["error"] as? [String: Any])?["code"] as? String == "idempotency-key-reused")
        // A refused request is kept too: its retry gets the same refusal.
        let bad = #"{"metadata":{"name":"x"},"spec":{}}"#
        let refused = try server.call("POST", "/v1/tenants", as: "admin", body: bad, headers: ["Idempotency-Key: bad-1"])
        #expect(refused.status == 422)
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: bad, headers: ["Idempotency-Key: bad-1"]).status == 422)
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant, headers: ["Idempotency-Key: \(String(repeating: "k", count: 300))"]).status == 400)
    }
}

extension ServeTests {
    /// PATCH with If-Match: the current ETag changes the quota (one commit each side), a stale
    /// one gets 412, none 428; a tenant-admin stays within its tier and its own tenants; tier
    /// and placement fields are not patchable.
    @Test func patchNeedsTheCurrentETagAndStaysWithinTheRole() throws {
        let server = try Server()
        defer { _ = server.stop() }
        func etag(_ name: String) throws -> String {
            let headers = try CLI.run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "-H", "Authorization: Bearer \(server.tokens["admin"]!)",
                                                        "http://127.0.0.1:\(server.port)/v1/tenants/\(name)"]).stdout
            let line = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }
            return try #require(line.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) })
        }
        let lower = #"{"spec":{"quota":{"requests.cpu":"1"}}}"#
        let first = try etag("web")
        let gitopsBefore = Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD"))!
        let changed = try server.call("PATCH", "/v1/tenants/web", as: "web", body: lower, headers: ["If-Match: \(first)"])
        #expect(changed.status == 200, "\(changed.json)")
        #expect(Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD")) == gitopsBefore + 1)
        let bundle = try String(contentsOf: server.repo.appendingPathComponent("clusters/prod-euw1-1/tenants/web/bundle.yaml"), encoding: .utf8)
        #expect(bundle.contains("requests.cpu: '1'"), "the quota reached the ResourceQuota")
        #expect(try String(contentsOf: server.platform.appendingPathComponent("tenants/web.yaml"), encoding: .utf8).contains("requests.cpu: '1'"))
        #expect(try etag("web") != first)
        let after = try server.call("GET", "/v1/tenants/web", as: "web")
        #expect(((after.json["lastCommit"] as? [String: Any])?["subject"] as? String)?.hasPrefix("tenant web: changed by") == true,
                "the footprint is read again after a change: \(after.json)")
        #expect((after.json["lastGitOpsCommit"] as? [String: Any])?["id"] as? String == changed.json["gitopsCommitAfter"] as? String)

        #expect(try server.call("PATCH", "/v1/tenants/web", as: "web", body: lower, headers: ["If-Match: \(first)"]).status == 412)
        #expect(try server.call("PATCH", "/v1/tenants/web", as: "web", body: lower).status == 428)
        let tooMuch = try server.call("PATCH", "/v1/tenants/web", as: "web", body: #"{"spec":{"quota":{"requests.cpu":"64"}}}"#,
                                      headers: ["If-Match: \(try etag("web"))"])
        #expect(tooMuch.status == 403, "a tenant-admin may not go beyond its tier")
        #expect(try server.call("PATCH", "/v1/tenants/payments", as: "web", body: lower, headers: ["If-Match: *"]).status == 403)
        #expect(try server.call("PATCH", "/v1/tenants/web", as: "viewer", body: lower, headers: ["If-Match: *"]).status == 403)
        let tier = try server.call("PATCH", "/v1/tenants/web", as: "admin", body: #"{"spec":{"tier":"premium"}}"#, headers: ["If-Match: *"])
        #expect(tier.status == 422 && ((tier.json["error"] as? [String: Any])?["field"] as? String) == "spec.tier")
        let raised = try server.call("PATCH", "/v1/tenants/web", as: "admin", body: #"{"spec":{"quota":{"requests.cpu":"64"}}}"#,
                                     headers: ["If-Match: \(try etag("web"))"])
        #expect(raised.status == 200, "a platform-admin may go beyond the tier: \(raised.json)")
        // The exception the platform team granted does not lock the tenant-admin out of its tenant.
        let buckets = try server.call("PATCH", "/v1/tenants/web", as: "web", body: #"{"spec":{"buckets":["assets"]}}"#, headers: ["If-Match: \(try etag("web"))"])
        #expect(buckets.status == 200, "a patch that leaves the granted quota alone: \(buckets.json)")
        let lowered = try server.call("PATCH", "/v1/tenants/web", as: "web", body: #"{"spec":{"quota":{"requests.cpu":"40"}}}"#, headers: ["If-Match: \(try etag("web"))"])
        #expect(lowered.status == 200, "lowering a granted exception: \(lowered.json)")
        let regained = try server.call("PATCH", "/v1/tenants/web", as: "web", body: #"{"spec":{"quota":{"requests.cpu":"64"}}}"#, headers: ["If-Match: \(try etag("web"))"])
        #expect(regained.status == 403, "raising it again is the platform team's to grant")
    }
}

extension ServeTests {
    /// The server killed (SIGKILL) at three points inside a create, then restarted: the
    /// platform folder, the GitOps repository and the audit trail agree. Before the GitOps
    /// commit the change is rolled back; after it, completed. Either way exactly one record says
    /// so, every GitOps commit since the start has a record, and no record names a missing commit.
    @Test(arguments: ["service-after-write", "service-after-apply", "service-after-platform-commit"])
    func aKilledCreateIsSettledOnRestart(_ point: String) throws {
        let server = try Server()
        defer { _ = server.stop() }
        let startCommit = try CLI.git(server.repo, "rev-parse", "HEAD")
        _ = server.stop()
        try server.start(environment: ["BULKHEAD_FAULT": point])
        let killed = try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant)
        #expect(killed.status == 0, "the connection drops: the server died")
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal)
        try server.start()

        let landed = point != "service-after-write"
        #expect(try server.call("GET", "/v1/tenants/newshop", as: "admin").status == (landed ? 200 : 404))
        #expect(FileManager.default.fileExists(atPath: server.platform.appendingPathComponent("tenants/newshop.yaml").path) == landed)
        #expect(try CLI.git(server.platform, "status", "--porcelain").isEmpty, "the platform folder is committed or put back")
        #expect(FileManager.default.fileExists(atPath: server.repo.appendingPathComponent("clusters/dev-euw1-1/tenants/newshop").path) == landed)
        let audit = try server.call("GET", "/v1/audit?tenant=newshop", as: "auditor")
        let entries = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["entry"] as? [String: Any] }
        #expect(entries.count == 1)
        #expect((entries.first?["result"] as? String)?.contains(landed ? "completed after a restart" : "rolled back") == true, "\(entries)")
        let commits = try CLI.git(server.repo, "rev-list", "\(startCommit)..HEAD").split(separator: "\n").map(String.init)
        let claimed = Set(entries.compactMap { $0["gitopsCommitAfter"] as? String }).subtracting([startCommit])
        #expect(Set(commits) == claimed, "every GitOps commit has its record, and every record's commit exists")
        #expect(server.stop() == 0)
        #expect(try CLI.bulkhead("audit-log", "verify", "--repo", server.repo.path).status == 0)
    }
}

extension ServeTests {
    /// Settings come from the --config JSON file, then BULKHEAD_* variables, then flags, each
    /// overriding the one before; a missing folder or a malformed file is a usage error.
    @Test func settingsComeFromFileEnvironmentAndFlags() throws {
        let folder = try CLI.temporaryFolder()
        let platform = folder.appendingPathComponent("platform")
        try FileManager.default.copyItem(at: CLI.example, to: platform)
        let config = folder.appendingPathComponent("config.json")
        try #"{"platform": "\#(platform.path)", "repo": "\#(folder.path)/gitops", "port": 0, "host": "127.0.0.1"}"#
            .write(to: config, atomically: true, encoding: .utf8)
        func listening(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
            let output = folder.appendingPathComponent("out-\(UUID().uuidString)")
            try #require(FileManager.default.createFile(atPath: output.path, contents: nil))
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["serve"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
                .merging(["GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@t"]) { _, new in new }
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
            for _ in 0..<600 {
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }) { return String(line) }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return ""
        }
        let fromFile = try listening(["--config", config.path])
        #expect(fromFile.contains("repository \(folder.path)/gitops,") && fromFile.contains("database \(folder.path)/gitops.bulkhead.sqlite"))
        let fromEnvironment = try listening(["--config", config.path], environment: ["BULKHEAD_DATABASE": "\(folder.path)/env.sqlite"])
        #expect(fromEnvironment.contains("database \(folder.path)/env.sqlite"), "\(fromEnvironment)")
        let fromFlag = try listening(["--config", config.path, "--database", "\(folder.path)/flag.sqlite"], environment: ["BULKHEAD_DATABASE": "\(folder.path)/env.sqlite"])
        #expect(fromFlag.contains("database \(folder.path)/flag.sqlite"), "\(fromFlag)")
        #expect(try CLI.bulkhead("serve").status == 2)
        try "{nope".write(to: config, atomically: true, encoding: .utf8)
        let malformed = try CLI.bulkhead("serve", "--config", config.path)
        #expect(malformed.status == 2 && malformed.stderr.contains("--config"))
    }
}

/// Statuses collected from parallel requests.
final class StatusList: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    var values: [Int] { lock.withLock { stored } }
    func append(_ value: Int) { lock.withLock { stored.append(value) } }
}

extension ServeTests {
    /// `GET /v1/clusters` and `GET /v1/clusters/{name}`: budget (capacity × overcommit), the
    /// placed tenants' quota requests as used, and free; onboarding a tenant moves them.
    @Test func clustersShowUsedAndFreeCapacity() throws {
        let server = try Server()
        defer { _ = server.stop() }
        func figures(_ object: [String: Any], _ key: String) -> [String: Double] {
            ((object[key] as? [String: String]) ?? [:]).compactMapValues(Double.init)
        }
        let list = try server.call("GET", "/v1/clusters", as: "viewer")
        let items = list.json["items"] as? [[String: Any]] ?? []
        #expect(items.count == 12)
        for item in items {
            let budget = figures(item, "budget"), used = figures(item, "used"), free = figures(item, "free")
            for key in ["cpu", "memory", "pods"] {
                #expect(budget[key] != nil && used[key] != nil && free[key] != nil, "\(item)")
                #expect((used[key] ?? 0) + (free[key] ?? 0) == budget[key], "used + free = budget for \(key): \(item)")
            }
            #expect(figures(item, "capacity")["cpu"].map { $0 * (item["overcommit"] as? Double ?? 0) } == budget["cpu"])
        }
        let before = try server.call("GET", "/v1/clusters/dev-euw1-1", as: "web")
        #expect(before.status == 200 && before.json["name"] as? String == "dev-euw1-1")
        #expect(figures(before.json, "budget")["cpu"] == 256, "128 cpu × overcommit 2")
        #expect(try server.call("POST", "/v1/tenants", as: "admin", body: Self.newTenant).status == 201)
        let after = try server.call("GET", "/v1/clusters/dev-euw1-1", as: "admin")
        // The basic tier requests 2 cpu, 4Gi memory and 20 pods.
        #expect(figures(after.json, "used")["cpu"] == (figures(before.json, "used")["cpu"] ?? 0) + 2)
        #expect(figures(after.json, "used")["memory"] == (figures(before.json, "used")["memory"] ?? 0) + 4 * 1024 * 1024 * 1024)
        #expect(figures(after.json, "free")["pods"] == (figures(before.json, "free")["pods"] ?? 0) - 20)
        #expect(after.json["tenants"] as? Int == (before.json["tenants"] as? Int ?? 0) + 1)
        let missing = try server.call("GET", "/v1/clusters/no-such-cluster", as: "viewer")
        #expect(missing.status == 404 && (missing.json["error"] as? [String: Any])?["code"] as? String == "not-found")
        #expect(try server.call("GET", "/v1/clusters/dev-euw1-1", as: "auditor").status == 403)
        #expect(try server.call("GET", "/v1/clusters/dev-euw1-1", as: nil).status == 401)
    }
}
