import BulkheadKube
import Crypto
import Foundation

/// The on-disk side of `ParseCache`: for each declaration file that holds only tenants and read
/// without a problem, the tenants it decoded to (`TenantFileCoding`), in a file named by a
/// SHA-256 of the build, the file's name and its text. Any other file is parsed on every run; a stored file that cannot be
/// read back is ignored and the file parsed again, so a damaged store costs time, never a wrong
/// declaration.
struct StoredTenantFiles: Sendable {
    let folder: URL
    let build: String
    /// Raised when the stored form changes, so files written by older code are never read.
    static let format = 1

    func key(file: String, text: String) -> String {
        var hash = SHA256()
        hash.update(data: Array("bulkhead-parsed-tenants \(Self.format)\0\(build)\0\(file)\0".utf8))
        hash.update(data: Array(text.utf8))
        return lowercaseHex(Array(hash.finalize()))
    }

    private func url(_ key: String) -> URL { folder.appendingPathComponent(key + Self.suffix) }
    private static let suffix = ".tenants"

    /// The documents stored for `key`, rebuilt as the parser makes them, or nil.
    func read(key: String, file: String, text: String) -> DocumentSet? {
        guard let data = FileManager.default.contents(atPath: url(key).path) else { return nil }
        return TenantFileCoding.decode(Array(data), file: file, text: text)
    }

    /// Stores `documents` when the file holds only tenants and had no problem; true when stored.
    func write(_ documents: DocumentSet, key: String, file: String, text: String) -> Bool {
        guard let data = TenantFileCoding.encode(documents, file: file, text: text) else { return false }
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil else { return false }
        // Written aside and renamed, so a reader never sees half a file.
        let temporary = folder.appendingPathComponent(".\(key).\(ProcessInfo.processInfo.processIdentifier).tmp").path
        guard Self.writeWithoutSync(data, to: temporary), rename(temporary, url(key).path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// Writes `bytes` to a new file with plain POSIX calls: `Data.write` syncs every file to the
    /// disk, which a cache entry (lost in a crash at the cost of one parse) does not need.
    private static func writeWithoutSync(_ bytes: [UInt8], to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard result > 0 else { return false }
            written += result
        }
        return true
    }

    /// Removes every file but those stored under `keys`: files of changed or removed declaration
    /// files, of earlier builds and formats, and temporary files a killed run left behind.
    func prune(keeping keys: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where !(name.hasSuffix(Self.suffix) && keys.contains(String(name.dropLast(Self.suffix.count)))) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}

