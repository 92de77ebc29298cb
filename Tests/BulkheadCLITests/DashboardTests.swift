import Foundation
import Testing

/// The dashboard (`/ui`) on a real `bulkhead serve`, driven with curl as a browser without
/// JavaScript would: forms posted as `application/x-www-form-urlencoded`, the session cookie
/// sent back. (scripts/dashboard-test.py drives it in headless Chromium.)
@Suite(.serialized) struct DashboardTests {
    /// One browser: its cookie and the last page's CSRF token.
    final class Browser: @unchecked Sendable {
        let server: ServeTests.Server
        var cookie: String?

        init(_ server: ServeTests.Server) { self.server = server }

        struct Page {
            var status: Int
            var headers: [String: String]
            var body: String
            var csrf: String? { hidden("csrf") }
            var formNonce: String? { hidden("form") }

            func hidden(_ name: String) -> String? {
                guard let range = body.range(of: #"name="\#(name)" value=""#) else { return nil }
                return String(body[range.upperBound...].prefix { $0 != "\"" })
            }
        }

        /// GET, or POST of `form` fields; redirects are not followed.
        func open(_ path: String, form: [(String, String)]? = nil) throws -> Page {
            let headerFile = FileManager.default.temporaryDirectory.appendingPathComponent("ui-headers-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: headerFile) }
            var arguments = ["-s", "-D", headerFile.path, "-o", "-", "http://127.0.0.1:\(server.port)\(path)"]
            if let cookie { arguments += ["-H", "Cookie: \(cookie)"] }
            if let form {
                arguments += ["-X", "POST"]
                for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
            }
            let body = try CLI.run("/usr/bin/curl", arguments).stdout
            let lines = ((try? String(contentsOf: headerFile, encoding: .utf8)) ?? "").components(separatedBy: "\r\n")
            let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return Page(status: status, headers: headers, body: body)
        }

        /// Signs in with a role's token through the form, as a browser does: it loads the sign-in
        /// page (which sets the form's cookie), posts the form with that cookie, and keeps the
        /// session cookie it gets back.
        @discardableResult
        func signIn(as who: String) throws -> Page {
            let form = try open("/ui/login")
            let session = cookie
            cookie = form.headers["set-cookie"].map { String($0.prefix { $0 != ";" }) }
            let page = try open("/ui/login", form: [("form", form.formNonce ?? ""), ("token", server.tokens[who] ?? who)])
            cookie = session
            if let setCookie = page.headers["set-cookie"], setCookie.hasPrefix("bulkhead_session=") {
                cookie = String(setCookie.prefix { $0 != ";" })
            }
            return page
        }
    }

    static func form(_ name: String, team: String = "shop", dataClassification: String = "internal", csrf: String?) -> [(String, String)] {
        [("csrf", csrf ?? ""), ("name", name), ("tier", "basic"), ("team", team), ("costCenter", "CC-4001"), ("owners", "shop-admins, shop-ops"),
         ("environments", "dev"), ("regions", ""), ("dataClassification", dataClassification), ("apps", "api:8080\nadmin:9090"), ("buckets", "")]
    }

    @Test func signInSetsASessionCookieAndEveryPageNeedsOne() throws {
        let server = try ServeTests.Server()
        defer { _ = server.stop() }
        let browser = Browser(server)
        for path in ["/ui", "/ui/tenants", "/ui/tenants/web", "/ui/onboard"] {
            let page = try browser.open(path)
            #expect(page.status == 303 && page.headers["location"] == "/ui/login", "\(path) without a session")
        }
        let login = try browser.open("/ui/login")
        #expect(login.status == 200 && login.body.contains(#"<label for="token">"#) && !login.body.contains("<script"))
        #expect(login.headers["set-cookie"]?.hasPrefix("bulkhead_login=") == true && login.headers["set-cookie"]?.contains("SameSite=Strict") == true)
        #expect(login.headers["x-request-id"]?.isEmpty == false, "HTML answers carry a request id as JSON ones do")
        // Login CSRF: a form posted from elsewhere carries no sign-in cookie, or another one.
        let admin = server.tokens["admin"]!
        let forged = try browser.open("/ui/login", form: [("form", login.formNonce ?? ""), ("token", admin)])
        #expect(forged.status == 403 && forged.body.contains("was not loaded from this server") && forged.headers["set-cookie"]?.hasPrefix("bulkhead_session=") != true)
        browser.cookie = "bulkhead_login=someone-elses-nonce"
        let mismatched = try browser.open("/ui/login", form: [("form", login.formNonce ?? ""), ("token", admin)])
        browser.cookie = nil
        #expect(mismatched.status == 403 && mismatched.headers["set-cookie"]?.hasPrefix("bulkhead_session=") != true)
        let refused = try browser.signIn(as: "bh_" + String(repeating: "x", count: 43))
        #expect(refused.status == 401 && refused.body.contains("That token is not valid.") && browser.cookie == nil)

        let signedIn = try browser.signIn(as: "admin")
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/ui")
        let setCookie = signedIn.headers["set-cookie"] ?? ""
        #expect(setCookie.hasPrefix("bulkhead_session=") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/ui"))
        #expect(!setCookie.contains(server.tokens["admin"]!), "the cookie is a session id, not the token")

        let fleet = try browser.open("/ui")
        #expect(fleet.status == 200)
        #expect(fleet.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(fleet.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        for part in [#"<html lang="en">"#, "<main id=\"main\">", #"<nav aria-label="Main">"#, "<h1>Fleet</h1>", "<h2>prod</h2>", "<h3>prod · us-east-1</h3>",
                     "prod-use1-1", "<meter", #"<th scope="col">CPU</th>"#, "free"] {
            #expect(fleet.body.contains(part), "fleet page has \(part)")
        }
        #expect(!fleet.body.contains("<script"), "no JavaScript")
        let tenants = try browser.open("/ui/tenants")
        #expect(tenants.status == 200 && tenants.body.contains(#"<a href="/ui/tenants/payments">payments</a>"#) && tenants.body.contains("14 tenants."))
        let filtered = try browser.open("/ui/tenants?team=marketing&q=")
        #expect(filtered.body.contains(#"<a href="/ui/tenants/web">web</a>"#) && !filtered.body.contains(#"<a href="/ui/tenants/payments">"#))
        let tenant = try browser.open("/ui/tenants/payments")
        for part in ["<h1>Tenant payments</h1>", "<h2>Placement</h2>", "<h2>Quota</h2>", "<h2>Apps</h2>", "<h2>Buckets</h2>", "<h2>Recent audit records</h2>"] {
            #expect(tenant.body.contains(part), "tenant page has \(part)")
        }
        #expect(try browser.open("/ui/tenants/no-such-tenant").status == 404)

        // Logging out ends the session; the old cookie no longer works.
        let logout = try browser.open("/ui/logout", form: [("csrf", fleet.csrf ?? "")])
        #expect(logout.status == 303 && logout.headers["location"] == "/ui/login")
        #expect(try browser.open("/ui").status == 303)

        // A revoked token ends its sessions on the next request.
        let created = try CLI.bulkhead("token", "create", "--repo", server.repo.path, "--name", "temp", "--role", "viewer", "-o", "json")
        let object = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let secret = try #require(object?["secret"] as? String)
        let id = try #require((object?["token"] as? [String: Any])?["id"] as? String)
        try browser.signIn(as: secret)
        #expect(try browser.open("/ui").status == 200)
        #expect(try CLI.bulkhead("token", "revoke", id, "--repo", server.repo.path).status == 0)
        #expect(try browser.open("/ui").status == 303, "a revoked token's session is over")
    }

    @Test func rolesAndCSRFAreEnforced() throws {
        let server = try ServeTests.Server()
        defer { _ = server.stop() }
        let viewer = Browser(server)
        try viewer.signIn(as: "viewer")
        let viewerPage = try viewer.open("/ui/tenants")
        #expect(viewerPage.status == 200 && !viewerPage.body.contains(#"href="/ui/onboard""#), "no onboarding link for a viewer")
        #expect(try viewer.open("/ui/onboard").status == 403)
        let viewerPost = try viewer.open("/ui/onboard", form: Self.form("viewershop", csrf: viewerPage.csrf))
        #expect(viewerPost.status == 403 && viewerPost.body.contains("may not create tenants"))
        let viewerTenant = try viewer.open("/ui/tenants/payments")
        #expect(viewerTenant.status == 200 && !viewerTenant.body.contains("Recent audit records"), "a viewer may not read audit records")

        let web = Browser(server)
        try web.signIn(as: "web")
        let own = try web.open("/ui/tenants")
        #expect(own.body.contains(#"<a href="/ui/tenants/web">web</a>"#) && own.body.contains("1 tenant."))
        #expect(!own.body.contains("payments") && !own.body.contains("acme-health"), "a tenant-admin sees only its own tenants")
        let other = try web.open("/ui/tenants/payments")
        #expect(other.status == 403 && !other.body.contains("CC-"), "and cannot open another by URL")
        #expect(try web.open("/ui/tenants/web").status == 200)
        #expect(try web.open("/ui/onboard").status == 403)

        #expect(try viewer.open("/ui/audit").status == 403 && (try web.open("/ui/audit")).status == 403)
        let auditor = Browser(server)
        #expect(try auditor.signIn(as: "auditor").headers["location"] == "/ui/audit", "an auditor starts at the audit trail")
        #expect(try auditor.open("/ui/tenants").status == 403)
        let trail = try auditor.open("/ui/audit")
        #expect(trail.status == 200 && trail.body.contains("<h1>Audit trail</h1>") && trail.body.contains("token.create"))
        #expect(try auditor.open("/ui/audit?actor=nobody").body.contains("0 records."))

        let admin = Browser(server)
        try admin.signIn(as: "admin")
        let form = try admin.open("/ui/onboard")
        #expect(form.status == 200)
        let missing = try admin.open("/ui/onboard", form: Array(Self.form("csrfshop", csrf: nil).dropFirst()))
        #expect(missing.status == 403 && missing.body.contains("security token"))
        #expect(try admin.open("/ui/onboard", form: Self.form("csrfshop", csrf: "forged")).status == 403)
        #expect(try admin.open("/ui/onboard", form: Self.form("csrfshop", csrf: viewerPage.csrf)).status == 403, "another session's token")
        #expect(try admin.open("/ui/logout", form: [("csrf", "forged")]).status == 403)
        #expect(!FileManager.default.fileExists(atPath: server.platform.appendingPathComponent("tenants/csrfshop.yaml").path))
        #expect(!FileManager.default.fileExists(atPath: server.platform.appendingPathComponent("tenants/viewershop.yaml").path))
        #expect(try CLI.git(server.platform, "status", "--porcelain").isEmpty)
    }

    @Test func onboardingThroughTheFormIsTheAPIsPath() throws {
        let server = try ServeTests.Server()
        defer { _ = server.stop() }
        let admin = Browser(server)
        try admin.signIn(as: "admin")
        let csrf = try admin.open("/ui/onboard").csrf
        let gitopsBefore = Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD"))!

        let done = try admin.open("/ui/onboard", form: Self.form("formshop", csrf: csrf))
        #expect(done.status == 303 && done.headers["location"] == "/ui/tenants/formshop?created=1", "\(done.body)")
        let text = try String(contentsOf: server.platform.appendingPathComponent("tenants/formshop.yaml"), encoding: .utf8)
        #expect(text.contains("team: shop") && text.contains("- shop-ops") && text.contains("port: 8080"), "\(text)")
        #expect(Int(try CLI.git(server.repo, "rev-list", "--count", "HEAD")) == gitopsBefore + 1, "one GitOps commit")
        #expect(FileManager.default.fileExists(atPath: server.repo.appendingPathComponent("clusters/dev-euw1-1/tenants/formshop/bundle.yaml").path))
        let page = try admin.open("/ui/tenants/formshop?created=1")
        #expect(page.body.contains("Tenant formshop was onboarded") && page.body.contains("dev-euw1-1") && page.body.contains("tenant.create"))
        #expect(try admin.open("/ui/tenants").body.contains(#"<a href="/ui/tenants/formshop">formshop</a>"#))
        let audit = try server.call("GET", "/v1/audit?tenant=formshop", as: "auditor")
        let entries = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["entry"] as? [String: Any] }
        #expect(entries.count == 1 && entries.first?["action"] as? String == "tenant.create" && entries.first?["result"] as? String == "ok")
        #expect((entries.first?["actor"] as? String)?.hasPrefix("tok_") == true && entries.first?["role"] as? String == "platform-admin")

        // Refused: the form comes back (422) with the input kept and the CLI's messages beside the fields.
        let refused = try admin.open("/ui/onboard", form: Self.form("badshop", dataClassification: "secret", csrf: csrf))
        #expect(refused.status == 422)
        #expect(refused.body.contains(#"value="badshop""#) && refused.body.contains(#"value="shop-admins, shop-ops""#) && refused.body.contains("api:8080\nadmin:9090</textarea>"))
        #expect(refused.body.contains(#"value="dev" checked"#))
        let api = try server.call("POST", "/v1/tenants", as: "admin",
                                  body: #"{"metadata":{"name":"badshop"},"spec":{"tier":"basic","owners":["shop-admins","shop-ops"],"team":"shop","costCenter":"CC-4001","environments":["dev"],"dataClassification":"secret","apps":[{"name":"api","port":8080},{"name":"admin","port":9090}]}}"#)
        let problems = ((api.json["error"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(!problems.isEmpty)
        for problem in problems {
            #expect(refused.body.contains(Self.escaped(problem)), "the form shows the API's (and CLI's) message: \(problem)")
        }
        #expect(refused.body.contains(#"id="f-dataClassification-error-1""#) && refused.body.contains(#"aria-describedby="f-dataClassification-hint f-dataClassification-error-1""#))
        #expect(!FileManager.default.fileExists(atPath: server.platform.appendingPathComponent("tenants/badshop.yaml").path))
        let again = try admin.open("/ui/onboard", form: Self.form("formshop", csrf: csrf))
        #expect(again.status == 422 && again.body.contains("Tenant &#39;formshop&#39; already exists."))
    }

    @Test func hostileValuesAreEscaped() throws {
        let server = try ServeTests.Server()
        defer { _ = server.stop() }
        let admin = Browser(server)
        try admin.signIn(as: "admin")
        let csrf = try admin.open("/ui/onboard").csrf
        let hostile = #""><script>alert(1)</script>"#
        let refused = try admin.open("/ui/onboard", form: Self.form("x-shop", team: hostile, csrf: csrf))
        #expect(refused.status == 422)
        #expect(!refused.body.contains("<script>alert(1)</script>") && !refused.body.contains(#""><script"#))
        #expect(refused.body.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "kept, escaped")
        let search = try admin.open("/ui/tenants?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        #expect(search.status == 200 && !search.body.contains("<script>") && search.body.contains(#"value="&lt;script&gt;alert(1)&lt;/script&gt;""#))
        let name = try admin.open("/ui/tenants/%3Cb%3Ex")
        #expect(name.status == 404 && !name.body.contains("<b>x"))
    }

    /// HTML-escaped as Mustache escapes.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
