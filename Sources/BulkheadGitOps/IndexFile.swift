import Crypto
import Foundation

/// The index of a repository's first commit, written by Bulkhead instead of `git update-index`.
///
/// A first apply writes every file of the fleet (154,535 for the 10,000-tenant benchmark), and
/// `update-index` would read each back and hash it again: about 4 s, after the last file is
/// written. Bulkhead hashes each file as it writes it, takes its stat data from the open file,
/// and writes the index in git's own format (version 2, `gitformat-index`). Later applies stage
/// their few paths with `update-index`, which converts the index to version 4 and splits it.
///
/// Written by hand because no listed package writes git's index. Git checks it like any index:
/// an entry whose stat data does not match its file is hashed again by git, never trusted.
enum IndexFile {
    /// One file as the index records it: its path, blob id and stat data.
    struct Entry: Sendable {
        var path: String
        var blob: Insecure.SHA1Digest
        var stat: StatData
    }

    /// The stat fields git keeps for a file, each in 32 bits as git truncates them, in the
    /// index's order: ctime, mtime, device, inode, mode, owner, group, size.
    struct StatData: Sendable {
        var ctime: UInt32, ctimeNanoseconds: UInt32, mtime: UInt32, mtimeNanoseconds: UInt32
        var device: UInt32, inode: UInt32, user: UInt32, group: UInt32, size: UInt32

        init(_ status: stat) {
            ctime = UInt32(truncatingIfNeeded: status.st_ctim.tv_sec)
            ctimeNanoseconds = UInt32(truncatingIfNeeded: status.st_ctim.tv_nsec)
            mtime = UInt32(truncatingIfNeeded: status.st_mtim.tv_sec)
            mtimeNanoseconds = UInt32(truncatingIfNeeded: status.st_mtim.tv_nsec)
            device = UInt32(truncatingIfNeeded: status.st_dev)
            inode = UInt32(truncatingIfNeeded: status.st_ino)
            user = status.st_uid
            group = status.st_gid
            size = UInt32(truncatingIfNeeded: status.st_size)
        }

        /// The fields as the index stores them, with the mode of a plain file (100644).
        var fields: [UInt32] { [ctime, ctimeNanoseconds, mtime, mtimeNanoseconds, device, inode, 0o100644, user, group, size] }
    }

    /// The blob id git gives `bytes`: SHA-1 of `blob <size>\0` followed by the bytes.
    static func blobID(of bytes: UnsafeBufferPointer<UInt8>) -> Insecure.SHA1Digest {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("blob \(bytes.count)\0".utf8))
        hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    /// The index file's bytes: header, entries sorted by path bytes, SHA-1 trailer.
    static func bytes(_ entries: [Entry]) -> [UInt8] {
        let order = entries.indices.sorted { entries[$0].path.utf8.lexicographicallyPrecedes(entries[$1].path.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(32 + entries.reduce(0) { $0 + 70 + $1.path.utf8.count })
        out.append(contentsOf: "DIRC".utf8)
        appendUInt32(2, to: &out)
        appendUInt32(UInt32(entries.count), to: &out)
        for index in order {
            let entry = entries[index]
            let start = out.count
            // ctime, mtime, dev, ino, mode, uid, gid, size.
            for field in entry.stat.fields { appendUInt32(field, to: &out) }
            out.append(contentsOf: entry.blob)
            let length = entry.path.utf8.count
            let flags = UInt16(min(length, 0xFFF))
            out.append(UInt8(flags >> 8))
            out.append(UInt8(flags & 0xFF))
            out.append(contentsOf: entry.path.utf8)
            // One to eight NULs, so that each entry's length is a multiple of eight.
            out.append(contentsOf: repeatElement(0, count: 8 - (out.count - start) % 8))
        }
        out.append(contentsOf: Insecure.SHA1.hash(data: out))
        return out
    }

    /// Installs the index as git does: written to `index.lock` (which also keeps other git
    /// commands out meanwhile), then renamed over `index`.
    static func write(_ entries: [Entry], gitDirectory: URL) throws(GitOpsError) {
        let lock = gitDirectory.appendingPathComponent("index.lock").path
        let descriptor = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw GitOpsError("cannot create \(lock): \(String(cString: strerror(errno))) (is another git command running?)")
        }
        let data = bytes(entries)
        var failure = data.withUnsafeBytes { GitOpsRepository.writeAll(descriptor, $0) }
        close(descriptor)
        if failure == nil, rename(lock, gitDirectory.appendingPathComponent("index").path) != 0 { failure = errno }
        if let failure {
            unlink(lock)
            throw GitOpsError("cannot write the index: \(String(cString: strerror(failure)))")
        }
    }

    private static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}

/// Index entries filled in by parallel writers, one slot per file; each slot is written by
/// exactly one worker before the writers are joined, and read after.
final class IndexEntrySlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<IndexFile.Entry?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ entry: IndexFile.Entry) {
        slots[index] = entry
    }

    /// Every slot's entry; nil when one was never filled.
    var entries: [IndexFile.Entry]? {
        let filled = slots.compactMap { $0 }
        return filled.count == slots.count ? filled : nil
    }
}
