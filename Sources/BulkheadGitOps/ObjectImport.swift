import Foundation

/// A large apply first streams its files into `git fast-import`, which stores every new blob and
/// tree in one pack file. Staging then finds each object already present and only hashes the
/// file, and `write-tree` finds every tree present, so git writes no loose objects. For a
/// fleet-wide render (150,000 files) that is one pack instead of 200,000 small files in
/// `.git/objects`, which on this machine halves the time git takes.
///
/// The import is only a way to fill the object store: the commit it makes sits on a scratch
/// ref that is removed right after, and the real commit is still made from the index as for
/// any apply. A run killed during the import leaves at most unreferenced objects.
extension GitOpsRepository {
    /// Applies that write at least this many files import their objects as a pack first.
    static let packImportThreshold = 256

    static let importRef = "refs/bulkhead/import"

    /// Streams the added and changed files and the removals to `git fast-import` as one commit
    /// on top of `parent`, then removes the scratch ref.
    func importObjects(_ desired: [String: String], change: RepositoryChange, parent: String?) throws(GitOpsError) {
        try git.run(["update-ref", "-d", Self.importRef], allowFailure: true)
        // No delta search (it would compare each file with the previous one, single-threaded)
        // and fast compression, as for loose objects; `git gc` packs properly later.
        try git.run(["-c", "pack.compression=1", "fast-import", "--quiet", "--force", "--depth=0"], writeInput: { handle in
            var stream = ImportStream(handle: handle)
            stream.append("commit \(Self.importRef)\ncommitter Bulkhead <bulkhead@localhost> 0 +0000\ndata 0\n")
            if let parent { stream.append("from \(parent)\n") }
            for path in change.added + change.changed {
                var text = desired[path]!
                stream.append("M 100644 inline \(Self.importPath(path))\ndata \(text.utf8.count)\n")
                text.withUTF8 { stream.append($0) }
                stream.append("\n")
            }
            for path in change.removed { stream.append("D \(Self.importPath(path))\n") }
            stream.append("\n")
            stream.flush()
        })
        try git.run(["update-ref", "-d", Self.importRef])
    }

    /// A path as fast-import reads it: C-quoted when it holds a quote, backslash or line break.
    static func importPath(_ path: String) -> String {
        guard path.contains(where: { $0 == "\"" || $0 == "\\" || $0 == "\n" }) else { return path }
        var quoted = "\""
        for character in path {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}

/// Buffers writes to a pipe in 1 MiB pieces. After a failed write (git exited early) the rest
/// is dropped; git's exit status reports the failure.
struct ImportStream {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var failed = false
    static let pieceSize = 1 << 20

    init(handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(Self.pieceSize * 2)
    }

    mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.pieceSize { flush() }
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.pieceSize { flush() }
    }

    mutating func flush() {
        guard !failed, !buffer.isEmpty else { buffer.removeAll(keepingCapacity: true); return }
        do { try handle.write(contentsOf: buffer) } catch { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }
}
