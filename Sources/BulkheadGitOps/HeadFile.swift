public import Foundation

/// Reads the commit HEAD points at from the repository's own files, as git does, without
/// starting git: HEAD names a branch, whose loose ref file or line in `packed-refs` holds the
/// commit. The service reads HEAD several times per change, and each `git rev-parse` is a process.
/// Written by hand because no listed package reads git's files. Anything it does not recognise
/// (a `.git` file of a worktree, a symbolic ref to a symbolic ref, a reftable) is `.unknown`, and
/// the caller asks git.
public enum HeadFile {
    public enum Answer: Equatable, Sendable {
        case commit(String)
        /// HEAD names a branch with no commit yet.
        case unborn
        case unknown
    }

    /// What the files of the repository whose git directory is `gitDirectory` say HEAD is.
    public static func read(gitDirectory: URL) -> Answer {
        guard let head = contents(gitDirectory.appendingPathComponent("HEAD")) else { return .unknown }
        if isObjectName(head) { return .commit(head) }
        guard head.hasPrefix("ref: ") else { return .unknown }
        let name = String(head.dropFirst(5))
        guard name.hasPrefix("refs/"), !name.contains(".."),
              !FileManager.default.fileExists(atPath: gitDirectory.appendingPathComponent("reftable").path) else { return .unknown }
        if let loose = contents(gitDirectory.appendingPathComponent(name)) {
            return isObjectName(loose) ? .commit(loose) : .unknown
        }
        guard let packed = try? String(contentsOf: gitDirectory.appendingPathComponent("packed-refs"), encoding: .utf8) else {
            return .unborn
        }
        for line in packed.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1] == name, isObjectName(String(parts[0])) { return .commit(String(parts[0])) }
        }
        return .unborn
    }

    private static func contents(_ file: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A SHA-1 or SHA-256 object name in lowercase hex.
    private static func isObjectName(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
