import Foundation

/// A memo by text key.
typealias Memo<Value: Sendable> = HashedMemo<String, Value>

/// A small thread-safe memo of values by key, for pure computations only (the key must name
/// every input). It forgets everything once it holds `capacity` entries, so a long-running
/// service whose platform keeps changing stays bounded.
final class HashedMemo<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    let capacity: Int

    init(capacity: Int = 256) { self.capacity = capacity }

    func value(for key: Key, make: () throws -> Value) rethrows -> Value {
        if let known = lock.withLock({ values[key] }) { return known }
        let made = try make()
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = made
        }
        return made
    }
}
