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
