import Dispatch
import Foundation

/// Runs async work from a synchronous command and waits for it: the commands are
/// `ParsableCommand`s, and the servers and swift-configuration are async.
enum AsyncBridge {
    static func wait<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let box = ResultBox<Value>()
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(.success(try await work())) } catch { box.set(.failure(error)) }
            finished.signal()
        }
        finished.wait()
        return try box.get()
    }
}

/// The result a detached task produced, handed to the waiting thread.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Value, any Error>?
    func set(_ value: Result<Value, any Error>) { lock.withLock { result = value } }
    func get() throws -> Value { try lock.withLock { result! }.get() }
}
