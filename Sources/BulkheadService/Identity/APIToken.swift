import BulkheadKube
public import Foundation
import Crypto

/// What a token may do.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything.
    case platformAdmin = "platform-admin"
    /// Only the tenants the token is bound to; cannot change tier, quota beyond the tier, or placement.
    case tenantAdmin = "tenant-admin"
    /// Read-only.
    case viewer
    /// Reads the audit trail.
    case auditor
}

/// An API token as stored: everything but the secret, which is kept only as its SHA-256.
public struct APIToken: Sendable, Equatable, Codable {
    /// Public identifier, shown in listings and audit records (`tok_` and 12 hex digits).
    public var id: String
    /// What the token is for, as its creator named it.
    public var name: String
    public var role: Role
    /// Tenants a tenant-admin token is bound to (empty for other roles).
    public var tenants: [String]
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, tenants: [String], createdAt: Date, expiresAt: Date?, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.tenants = tenants
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may be used at `now`: not revoked and not expired.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}

/// Makes and recognises token secrets. A secret is `bh_` followed by 43 base64url characters
/// (32 random bytes); only its SHA-256 is ever stored, so a copy of the database grants nothing.
public enum TokenSecrets {
    public static let prefix = "bh_"

    /// A new random secret.
    public static func generate() -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return prefix + base64URL(bytes)
    }

    /// A new public token id.
    public static func generateID() -> String {
        let key = SymmetricKey(size: .bits128)
        return "tok_" + key.withUnsafeBytes { lowercaseHex($0.prefix(6)) }
    }

    /// The stored form of a secret: lowercase hex SHA-256.
    public static func hash(_ secret: String) -> String {
        sha256Hex(Data(secret.utf8))
    }

    /// Whether `text` has a secret's shape (checked before any lookup).
    public static func looksLikeSecret(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 43
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == 0x2D || byte == 0x5F
            }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// The SHA-256 of `data` as lowercase hex (64 characters).
func sha256Hex(_ data: some DataProtocol) -> String {
    lowercaseHex(SHA256.hash(data: data))
}
