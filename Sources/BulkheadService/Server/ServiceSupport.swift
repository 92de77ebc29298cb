import BulkheadRender
import Foundation
import HTTPTypes
import Hummingbird

/// The GitOps repository's placement lock, parsed again only when the file changes (by size or
/// modification time): reads must not parse thousands of placements each.
final class LockCache: @unchecked Sendable {
    private let mutex = NSLock()
    private var key: (size: Int, modified: Date)?
    private var value = PlacementLock()

    func lock(at url: URL) -> PlacementLock {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = attributes?[.modificationDate] as? Date ?? .distantPast
        if let cached = mutex.withLock({ key.map { $0.size == size && $0.modified == modified ? value : nil } ?? nil }) { return cached }
        let text = try? String(contentsOf: url, encoding: .utf8)
        let parsed = text.flatMap { try? PlacementLock(parsing: $0) } ?? PlacementLock()
        mutex.withLock {
            key = (size, modified)
            value = parsed
        }
        return parsed
    }
}

/// Tokens looked up by the hash of their secret, kept for a second: every request authenticates,
/// and a database read per request capped reads at a few thousand a second. A token revoked
/// (or expired) stops working within that second; `isUsable` is still checked on each request.
final class TokenCache: @unchecked Sendable {
    static let lifetime: TimeInterval = 1
    static let capacity = 10_000
    private let mutex = NSLock()
    private var entries: [String: (token: APIToken, fetched: Date)] = [:]

    /// The cached token, or the store's answer (kept when it found one).
    func token(secretHash: String, now: Date = Date(), lookUp: (String) throws -> APIToken?) rethrows -> APIToken? {
        if let entry = mutex.withLock({ entries[secretHash] }), now.timeIntervalSince(entry.fetched) < Self.lifetime { return entry.token }
        guard let token = try lookUp(secretHash) else { return nil }
        mutex.withLock {
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[secretHash] = (token, now)
        }
        return token
    }
}

/// `GET /v1/tenants/{name}` answers (body and ETag) by tenant, kept while the workspace's
/// declaration stays at the generation they were computed from.
final class TenantAnswerCache: @unchecked Sendable {
    struct Entry {
        var generation: Int
        var body: [UInt8]
        var entityTag: String?
    }

    private let mutex = NSLock()
    private var entries: [String: Entry] = [:]

    func answer(_ tenant: String, generation: Int) -> Entry? {
        mutex.withLock { entries[tenant].flatMap { $0.generation == generation ? $0 : nil } }
    }

    func keep(_ entry: Entry, for tenant: String) {
        mutex.withLock {
            if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[tenant] = entry
        }
    }
}

/// A change's answer before it becomes a response (so it can be kept for idempotency keys).
struct Answer: Sendable {
    var status: HTTPResponse.Status
    var body: [UInt8]

    func response(requestID: String) -> Response { JSONResponse.make(status, bytes: body, requestID: requestID) }
}

/// Idempotency keys whose first request is still running.
actor InFlightKeys {
    private var keys: Set<String> = []

    /// False when `key` is already running.
    func begin(_ key: String) -> Bool { keys.insert(key).inserted }
    func end(_ key: String) { keys.remove(key) }
}
