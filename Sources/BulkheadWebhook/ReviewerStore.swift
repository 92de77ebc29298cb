public import BulkheadPolicy
import Dispatch
import Foundation
import Synchronization

/// The policy set the webhook answers with, swapped whole on reload: a request reads the
/// reviewer once and finishes with it, so a reload never drops or mixes requests.
public final class ReviewerStore: Sendable {
    private let current: Mutex<AdmissionReviewer>
    private let load: @Sendable () throws -> AdmissionReviewer

    /// Loads the first policy set; throws when it cannot be loaded (the server does not start).
    public init(load: @escaping @Sendable () throws -> AdmissionReviewer) throws {
        self.load = load
        current = Mutex(try load())
    }

    /// The reviewer for the next request.
    public var reviewer: AdmissionReviewer { current.withLock { $0 } }

    /// Loads the policy set again and swaps it in. When loading fails the previous set stays in
    /// force and the error is thrown.
    @discardableResult
    public func reload() throws -> AdmissionReviewer {
        let fresh = try load()
        current.withLock { $0 = fresh }
        return fresh
    }

    /// Reloads on every SIGHUP, reporting each outcome to `report` (nil error on success).
    public func reloadOnHangup(report: @escaping @Sendable ((any Error)?, AdmissionReviewer) -> Void) {
        HangupSignal.shared.subscribe { [weak self] in
            guard let self else { return false }
            do {
                report(nil, try self.reload())
            } catch {
                report(error, self.reviewer)
            }
            return true
        }
    }
}

/// The process's one SIGHUP source, fanned out to every subscriber: libdispatch on Linux delivers
/// a signal to one source only, and a process may run more than one server (tests do).
final class HangupSignal: Sendable {
    static let shared = HangupSignal()

    /// Subscribers return false once they are gone and are then dropped.
    private let subscribers = Mutex<[@Sendable () -> Bool]>([])
    private nonisolated(unsafe) var source: (any DispatchSourceSignal)?

    private init() {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "bulkhead.webhook.sighup"))
        source.setEventHandler { HangupSignal.shared.deliver() }
        source.resume()
        self.source = source
    }

    private func deliver() {
        let current = subscribers.withLock { $0 }
        let alive = current.map { $0() }
        subscribers.withLock { list in
            // Drop the subscribers that are gone; keep any added while the handlers ran.
            list = zip(current, alive).filter(\.1).map(\.0) + list.dropFirst(current.count)
        }
    }

    func subscribe(_ handler: @escaping @Sendable () -> Bool) {
        subscribers.withLock { $0.append(handler) }
    }
}
