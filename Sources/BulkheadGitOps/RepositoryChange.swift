import Dispatch

/// What an apply changes in the repository's owned files (paths relative to the root, sorted).
public struct RepositoryChange: Sendable, Equatable, Codable {
    public private(set) var added: [String]
    public private(set) var changed: [String]
    public private(set) var removed: [String]

    public init(added: [String] = [], changed: [String] = [], removed: [String] = []) {
        self.added = added.sorted()
        self.changed = changed.sorted()
        self.removed = removed.sorted()
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }
    /// Every added, changed and removed path, sorted: the three sorted lists merged, which on a
    /// full apply's 154,535 paths costs nothing instead of a sort (the journal and the staging
    /// each asked for it).
    public var touched: [String] { Self.merge(Self.merge(added, changed), removed) }

    /// Two sorted lists as one sorted list.
    static func merge(_ first: [String], _ second: [String]) -> [String] {
        if first.isEmpty { return second }
        if second.isEmpty { return first }
        var merged: [String] = []
        merged.reserveCapacity(first.count + second.count)
        var i = 0, j = 0
        while i < first.count && j < second.count {
            if second[j] < first[i] { merged.append(second[j]); j += 1 } else { merged.append(first[i]); i += 1 }
        }
        merged.append(contentsOf: first[i...])
        merged.append(contentsOf: second[j...])
        return merged
    }

    /// Compares desired contents with the current ones. `owned` are the owned files git tracks
    /// now; `current` gives a tracked file's present bytes, or `nil` when it is missing from the
    /// working tree. A desired path git does not track is added, even where an untracked file of
    /// that name lies (it is overwritten and committed).
    public static func compute(desired: [String: String], owned: Set<String>, current: @Sendable (String) -> [UInt8]?) -> RepositoryChange {
        var added: [String] = []
        var tracked: [(path: String, contents: String)] = []
        for (path, contents) in desired {
            if owned.contains(path) { tracked.append((path, contents)) } else { added.append(path) }
        }
        // Reading the tracked files is most of a large plan: it is spread over the cores.
        let states = FileStates(count: tracked.count)
        DispatchQueue.concurrentPerform(iterations: tracked.count) { [tracked] index in
            let file = tracked[index]
            guard let bytes = current(file.path) else { return states.set(index, .missing) }
            states.set(index, file.contents.utf8.elementsEqual(bytes) ? .same : .changed)
        }
        var changed: [String] = []
        for (index, file) in tracked.enumerated() {
            switch states[index] {
            case .missing: added.append(file.path)
            case .changed: changed.append(file.path)
            case .same: break
            }
        }
        let removed = owned.subtracting(desired.keys)
        return RepositoryChange(added: added, changed: changed, removed: Array(removed))
    }
}

/// How each tracked file compares, one slot per file, each written by exactly one worker of
/// `concurrentPerform` and read only after it returns.
private final class FileStates: @unchecked Sendable {
    enum State: UInt8 { case same, changed, missing }
    private let slots: UnsafeMutablePointer<State>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: .same, count: count)
    }
    deinit { slots.deallocate() }

    func set(_ index: Int, _ state: State) { slots[index] = state }
    subscript(index: Int) -> State { slots[index] }
}
