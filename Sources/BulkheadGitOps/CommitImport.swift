import Foundation

/// Every apply makes its commit through `git fast-import`: the new files and removals are
/// streamed as one commit on top of the parent, and fast-import writes only the blobs and the
/// trees on the changed paths (reading the rest of the parent's tree lazily). A fleet-wide render
/// is stored as one pack instead of 200,000 loose objects, and so is a small change
/// (`fastimport.unpackLimit=0`): git would otherwise unpack an import of fewer than 100 objects
/// into loose files with a second process, `unpack-objects` (34 ms of a create of about 190 ms
/// through the service, in a trace). `repackIfCluttered` rolls the packs up. The index plays no
/// part in making the commit, so staging touched paths (`update-index`) runs beside the import,
/// and no `write-tree` has to read the whole index.
///
/// The commit lands on a scratch ref; the caller moves HEAD to it and removes that ref in one
/// ref transaction (the commit point). A run killed before leaves at most an unreferenced commit.
extension GitOpsRepository {
    static let importRef = "refs/bulkhead/import"

    /// What `importCommit` made: the new commit, its tree, and the parent's tree.
    struct ImportedCommit {
        var commit: String
        var tree: String
        var parentTree: String?
    }

    /// The fast-import command: no delta search (it would compare each file with the previous
    /// one, single-threaded) and fast compression; `git gc` packs properly later.
    static let fastImportArguments = ["-c", "pack.compression=1", "-c", "fastimport.unpackLimit=0", "fast-import", "--quiet", "--force", "--depth=0", "--done"]

    /// Streams the added and changed files and the removals to `git fast-import` as one commit
    /// on top of `parent`, with `identity`'s author and committer lines and `message`. Files that
    /// `blobs` already holds with the same text are named by their mark; the others go inline.
    func importCommit(_ desired: [String: String], change: RepositoryChange, parent: String?, message: String,
                      identity: Git.CommitIdentity, blobs: BlobImport? = nil) throws(GitOpsError) -> ImportedCommit {
        let output: Data
        if let blobs, blobs.isOpen {
            var tail: [UInt8] = []
            var stream = ImportStream { tail.append(contentsOf: $0) }
            writeCommit(desired, change: change, parent: parent, message: message, identity: identity, blobs: blobs, to: &stream)
            stream.flush()
            output = try blobs.finish(tail: tail)
        } else {
            blobs?.cancel()
            output = try git.run(Self.fastImportArguments, writeInput: { handle in
                var stream = ImportStream { bytes in try handle.write(contentsOf: bytes) }
                writeCommit(desired, change: change, parent: parent, message: message, identity: identity, blobs: nil, to: &stream)
                stream.flush()
            }).output
        }
        // "<commit>\n", then per `ls` "040000 tree <tree>\t\n".
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        let trees = lines.dropFirst().compactMap { line in line.split(separator: " ").dropFirst(2).first?.split(separator: "\t").first.map(String.init) }
        guard let commit = lines.first.map(String.init), commit.count == 40, trees.count == (parent == nil ? 1 : 2) else {
            throw GitOpsError("git fast-import gave an unexpected answer: \(String(decoding: output.prefix(300), as: UTF8.self))")
        }
        return ImportedCommit(commit: commit, tree: trees[0], parentTree: parent == nil ? nil : trees[1])
    }

    /// The commit's part of the import stream, ending it.
    func writeCommit(_ desired: [String: String], change: RepositoryChange, parent: String?, message: String,
                     identity: Git.CommitIdentity, blobs: BlobImport?, to stream: inout ImportStream) {
        stream.append("commit \(Self.importRef)\nmark :1\nauthor \(identity.author)\ncommitter \(identity.committer)\n")
        stream.append("data \(message.utf8.count)\n\(message)\n")
        if let parent { stream.append("from \(parent)\n") }
        for path in change.added + change.changed {
            var text = desired[path]!
            if let mark = blobs?.mark(of: path, text: text) {
                stream.append("M 100644 :\(mark) \(Self.importPath(path))\n")
                continue
            }
            stream.append("M 100644 inline \(Self.importPath(path))\ndata \(text.utf8.count)\n")
            text.withUTF8 { stream.append($0) }
            stream.append("\n")
        }
        for path in change.removed { stream.append("D \(Self.importPath(path))\n") }
        // Ends the commit, then asks for its name and for both root trees.
        stream.append("\nget-mark :1\nls :1 \"\"\n")
        if let parent { stream.append("ls \(parent) \"\"\n") }
        stream.append("done\n")
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

/// Buffers the import stream in 1 MiB pieces for `sink` (a pipe to git, or a buffer). After
/// a failed write (git exited early) the rest is dropped; git's exit status reports the failure.
struct ImportStream {
    let sink: ([UInt8]) throws -> Void
    var buffer: [UInt8] = []
    var failed = false
    static let pieceSize = 1 << 20

    init(sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
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
        do { try sink(buffer) } catch { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }
}
