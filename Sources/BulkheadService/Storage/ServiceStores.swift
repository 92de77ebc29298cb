import Foundation

/// Opens the store named by the `database` setting of `bulkhead serve`, `bulkhead token` and
/// `bulkhead audit-log`.
public enum ServiceStores {
    /// A `postgres://` or `postgresql://` URL opens ``PostgresServiceStore``; any other URL
    /// scheme is refused; everything else is the path of a SQLite file (``SQLiteServiceStore``).
    public static func open(_ database: String) throws -> any ServiceStore {
        guard let scheme = scheme(of: database) else { return try SQLiteServiceStore(path: database) }
        guard PostgresLocation.schemes.contains(scheme.lowercased()) else {
            throw StoreError("--database \(PostgresLocation.redacted(database)): '\(scheme)://' is not a database this store knows; give postgres://user[:password]@host[:port]/database or the path of a SQLite file")
        }
        return try PostgresServiceStore(url: database)
    }

    /// How to name `database` in messages and logs: a URL without its password, or the path.
    public static func displayName(_ database: String) -> String {
        scheme(of: database) == nil ? database : PostgresLocation.redacted(database)
    }

    /// The scheme of a `scheme://…` value, or nil for a file path.
    static func scheme(of database: String) -> String? {
        guard let separator = database.range(of: "://") else { return nil }
        let scheme = database[..<separator.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return String(scheme)
    }
}
