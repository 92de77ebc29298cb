import Dispatch

extension Array where Element: Sendable {
    /// `map` over the cores; results keep the input order, and the first error is rethrown.
    public func parallelMap<R: Sendable>(_ transform: @Sendable (Element) throws -> R) throws -> [R] {
        let results = ResultSlots<R>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.set(index, Result { try transform(self[index]) })
        }
        return try results.values()
    }

    /// `map` over the cores for a transform that cannot fail.
    public func parallelMap<R: Sendable>(_ transform: @Sendable (Element) -> R) -> [R] {
        let results = ResultSlots<R>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.set(index, .success(transform(self[index])))
        }
        return (try? results.values()) ?? []
    }
}

/// One result slot per index, each written by exactly one worker of `concurrentPerform` and read
/// only after it returns, so no two threads touch the same slot.
final class ResultSlots<R: Sendable>: @unchecked Sendable {
    private let count: Int
    private let slots: UnsafeMutablePointer<Result<R, any Error>?>
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func set(_ index: Int, _ value: Result<R, any Error>) { slots[index] = value }
    func values() throws -> [R] { try (0..<count).map { try slots[$0]!.get() } }
}
