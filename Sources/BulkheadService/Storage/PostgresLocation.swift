import Foundation

/// Where a PostgreSQL database is, read from a `postgres://user[:password]@host[:port]/database`
/// URL. Plain TCP only: the service and its database are expected on one host or a private
/// network, so `sslmode` may be left out or set to `disable`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// The URL schemes that name a PostgreSQL database.
    public static let schemes = ["postgres", "postgresql"]

    static let form = "postgres://user[:password]@host[:port]/database"

    /// Reads a `postgres://` or `postgresql://` URL; user, host and database are required.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              Self.schemes.contains(scheme) else {
            throw StoreError("'\(Self.redacted(text))' is not a PostgreSQL URL; write \(Self.form)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError("\(Self.redacted(text)): no host; write \(Self.form)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError("\(Self.redacted(text)): no user; write \(Self.form)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError("\(Self.redacted(text)): no database name after the host; write \(Self.form)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw StoreError("\(Self.redacted(text)): port \(port) must be from 1 to 65535")
        }
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw StoreError("\(Self.redacted(text)): unknown parameter '\(item.name)'; only sslmode=disable is understood")
            }
            guard item.value == "disable" else {
                throw StoreError("\(Self.redacted(text)): sslmode=\(item.value ?? "") is not supported; the store talks plain TCP (sslmode=disable)")
            }
        }
        self.init(host: host, port: port, user: user.removingPercentEncoding ?? user,
                  password: components.password.map { $0.removingPercentEncoding ?? $0 },
                  database: database.removingPercentEncoding ?? database)
    }

    /// The URL without its password, fit for messages and logs.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostPart):\(port)/\(database)"
    }

    /// `text` with any password in it replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
