import Crypto
import Foundation
import Synchronization

/// One signed-in browser: a random id (the cookie), the token it signed in with (by id, so a
/// revoked or expired token ends the session on the next request) and its CSRF token.
struct DashboardSession: Sendable, Equatable {
    var id: String
    var tokenID: String
    /// Sent back in a hidden field by every form; a POST without it is refused.
    var csrf: String
    var expiresAt: Date
}

/// The dashboard's sessions, in memory only: a restart signs everyone out, and no session is
/// ever written to disk.
final class DashboardSessions: Sendable {
    /// The cookie's name.
    static let cookie = "bulkhead_session"
    /// How long a session lasts from sign-in.
    static let lifetime: TimeInterval = 8 * 60 * 60
    /// Oldest sessions are dropped beyond this many.
    static let capacity = 10_000

    private let sessions = Mutex<[String: DashboardSession]>([:])

    /// A new session for a token.
    func open(tokenID: String, now: Date = Date()) -> DashboardSession {
        let session = DashboardSession(id: Self.random(), tokenID: tokenID, csrf: Self.random(), expiresAt: now.addingTimeInterval(Self.lifetime))
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresAt > now }
            if sessions.count >= Self.capacity, let oldest = sessions.values.min(by: { $0.expiresAt < $1.expiresAt }) {
                sessions[oldest.id] = nil
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with this id.
    func session(_ id: String, now: Date = Date()) -> DashboardSession? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expiresAt > now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// 32 random bytes, base64url.
    static func random() -> String {
        TokenSecrets.base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The session id in a `Cookie` header, if any.
    static func sessionID(cookieHeader: String?) -> String? { value(of: cookie, in: cookieHeader) }

    /// The value of the cookie `name` in a `Cookie` header, if any.
    static func value(of name: String, in cookieHeader: String?) -> String? {
        guard let cookieHeader else { return nil }
        for pair in cookieHeader.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return parts[1] }
        }
        return nil
    }

    /// The cookie that ties a sign-in form to the browser that loaded it (login CSRF): the form
    /// carries the same random value in a hidden field. A page on another site can post a form
    /// to `/ui/login`, but its request carries no such cookie (SameSite=Strict), so it cannot
    /// sign a victim's browser in with the attacker's token.
    static let loginCookie = "bulkhead_login"
    /// How long a sign-in form stays usable.
    static let loginFormLifetime = 15 * 60

    /// The `Set-Cookie` value for a freshly rendered sign-in form.
    static func setLoginCookie(_ nonce: String) -> String {
        "\(loginCookie)=\(nonce); Path=/ui/login; HttpOnly; SameSite=Strict; Max-Age=\(loginFormLifetime)"
    }

    /// The `Set-Cookie` value that gives the browser a session (HttpOnly, SameSite=Strict, only
    /// for `/ui`).
    static func setCookie(_ session: DashboardSession) -> String {
        "\(cookie)=\(session.id); Path=/ui; HttpOnly; SameSite=Strict; Max-Age=\(Int(lifetime))"
    }

    /// The `Set-Cookie` value that removes it.
    static let clearCookie = "\(cookie)=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0"

    /// Compares two secrets in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
