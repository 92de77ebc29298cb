public import Foundation

/// What each declaration file parsed to, by file name and text, so that a file read before is not
/// parsed again: in memory for a process that loads the same folder again and again (the service
/// validates every change against the whole folder), and on disk between runs of the CLI (a
/// one-tenant change on a large fleet spent half its time parsing files that had not changed).
public final class ParseCache: @unchecked Sendable {
    private let mutex = NSLock()
    private var entries: [String: (text: String, documents: DocumentSet)] = [:]
    private let store: StoredTenantFiles?
    /// The stored entries this process looked up or wrote: the ones `prune()` keeps.
    private var usedKeys: Set<String> = []
    /// How many files were read from the store instead of parsed (for tests).
    private(set) var storedFilesRead = 0

    /// A cache in memory only.
    public init() {
        store = nil
    }

    /// A cache that also keeps files of tenants in `folder` (created when first written), valid
    /// for one `build` of Bulkhead: a new build parses every file again.
    public init(folder: URL, build: String) {
        store = StoredTenantFiles(folder: folder, build: build)
    }

    func documents(file: String, text: String) -> DocumentSet? {
        if let kept = mutex.withLock({ entries[file].flatMap { $0.text == text ? $0.documents : nil } }) { return kept }
        guard let store else { return nil }
        let key = store.key(file: file, text: text)
        mutex.withLock { _ = usedKeys.insert(key) }
        guard let documents = store.read(key: key, file: file, text: text) else { return nil }
        mutex.withLock { storedFilesRead += 1 }
        return documents
    }

    func keep(_ documents: DocumentSet, file: String, text: String) {
        mutex.withLock { entries[file] = (text, documents) }
        guard let store else { return }
        let key = store.key(file: file, text: text)
        if store.write(documents, key: key, file: file, text: text) {
            mutex.withLock { _ = usedKeys.insert(key) }
        }
    }

    /// Whether this cache keeps files on disk.
    public var isStored: Bool { store != nil }

    /// Writes the files this cache parsed in memory to `folder`, as `init(folder:build:)` would
    /// have kept them: for a first apply, which loads before the repository (and so the folder)
    /// exists.
    public func save(to folder: URL, build: String) {
        let store = StoredTenantFiles(folder: folder, build: build)
        let parsed = mutex.withLock { entries }
        for (file, entry) in parsed {
            _ = store.write(entry.documents, key: store.key(file: file, text: entry.text), file: file, text: entry.text)
        }
    }

    /// Removes the stored files this process did not use: those of files since changed or
    /// removed, and those of earlier builds.
    public func prune() {
        guard let store else { return }
        store.prune(keeping: mutex.withLock { usedKeys })
    }
}
