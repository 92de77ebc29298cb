/// What an apply changes in the repository's owned files (paths relative to the root, sorted).
public struct RepositoryChange: Sendable, Equatable, Codable {
    public var added: [String]
    public var changed: [String]
    public var removed: [String]

    public init(added: [String] = [], changed: [String] = [], removed: [String] = []) {
        self.added = added.sorted()
        self.changed = changed.sorted()
        self.removed = removed.sorted()
    }

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }
    public var touched: [String] { (added + changed + removed).sorted() }

    /// Compares desired contents with the current ones. `current` gives a file's present bytes,
    /// or `nil` when it does not exist; `owned` are the owned files present now.
    public static func compute(desired: [String: String], owned: Set<String>, current: (String) -> [UInt8]?) -> RepositoryChange {
        var added: [String] = [], changed: [String] = []
        for (path, contents) in desired {
            guard let bytes = current(path) else { added.append(path); continue }
            if !contents.utf8.elementsEqual(bytes) { changed.append(path) }
        }
        let removed = owned.subtracting(desired.keys)
        return RepositoryChange(added: added, changed: changed, removed: Array(removed))
    }
}
