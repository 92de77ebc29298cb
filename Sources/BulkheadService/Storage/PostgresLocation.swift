import Foundation

/// Where a PostgreSQL database is, and how to reach it, read from a
/// `postgres://user[:password]@host[:port]/database[?sslmode=MODE&sslrootcert=FILE]` URL.
/// `sslmode` and `sslrootcert` mean what they mean to libpq (`psql`), without a client
/// certificate: `prefer` (the default) encrypts when the server offers TLS, `require` always
/// encrypts, `verify-ca` also checks the server's certificate against the authorities in
/// `sslrootcert` (the system's when left out), `verify-full` also checks that it names the host.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values that this store understands.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// PEM file of the certificate authorities to trust; nil trusts the system's.
    public var rootCertificateFile: String?

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
                tls: TLSMode = .prefer, rootCertificateFile: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificateFile = rootCertificateFile
    }

    /// The URL schemes that name a PostgreSQL database.
    public static let schemes = ["postgres", "postgresql"]

    static let form = "postgres://user[:password]@host[:port]/database[?sslmode=MODE&sslrootcert=FILE]"

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
        var tls = TLSMode.prefer
        var rootCertificateFile: String?
        let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw StoreError("\(Self.redacted(text)): sslmode=\(item.value ?? "") is not one of \(modes)")
                }
                tls = mode
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty, FileManager.default.isReadableFile(atPath: path) else {
                    throw StoreError("\(Self.redacted(text)): sslrootcert=\(item.value ?? "") is not a readable file (PEM certificates of the authorities to trust)")
                }
                rootCertificateFile = path
            default:
                throw StoreError("\(Self.redacted(text)): unknown parameter '\(item.name)'; only sslmode (\(modes)) and sslrootcert are understood")
            }
        }
        if tls == .verifyFull && host.isIPAddress {
            throw StoreError("\(Self.redacted(text)): sslmode=verify-full checks the certificate against the host's name; write the name the certificate carries instead of \(host), or use verify-ca")
        }
        self.init(host: host, port: port, user: user.removingPercentEncoding ?? user,
                  password: components.password.map { $0.removingPercentEncoding ?? $0 },
                  database: database.removingPercentEncoding ?? database, tls: tls, rootCertificateFile: rootCertificateFile)
    }

    /// The URL without its password, fit for messages and logs.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let rootCertificateFile { parameters.append("sslrootcert=\(rootCertificateFile)") }
        return "postgres://\(user)@\(hostPart):\(port)/\(database)" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// `text` with any password in it replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}

extension String {
    /// Whether the text is an IPv4 or IPv6 address rather than a name.
    var isIPAddress: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
