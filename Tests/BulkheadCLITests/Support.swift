import Foundation
import Testing

/// Runs the built `bulkhead` executable and git, in throwaway folders.
enum CLI {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let example = repositoryRoot.appendingPathComponent("examples/acme")

    /// The `bulkhead` binary beside the test bundle (swift test builds it with the tests).
    static var binary: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("bulkhead").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("bulkhead")
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// True when the process was killed by SIGKILL.
        var killed: Bool
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        if let folder { process.currentDirectoryURL = folder }
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_NAME"] = "Test"; env["GIT_AUTHOR_EMAIL"] = "test@example.com"
        env["GIT_COMMITTER_NAME"] = "Test"; env["GIT_COMMITTER_EMAIL"] = "test@example.com"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bh-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("bh-err-\(UUID().uuidString)")
        try #require(FileManager.default.createFile(atPath: out.path, contents: nil))
        try #require(FileManager.default.createFile(atPath: err.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        return Run(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "", killed: killed)
    }

    @discardableResult
    static func bulkhead(_ arguments: String..., in folder: URL? = nil, environment: [String: String] = [:]) throws -> Run {
        try run(binary.path, arguments, in: folder, environment: environment)
    }

    static func git(_ repo: URL, _ arguments: String...) throws -> String {
        try run("git", ["-C", repo.path] + arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new folder under ``scratchRoot``.
    static func temporaryFolder() throws -> URL {
        let url = scratchRoot.appendingPathComponent("bulkhead-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// One folder per test process for every folder these tests make (example copies, repositories),
    /// removed when the process exits, so a run leaves nothing behind.
    static let scratchRoot: URL = {
        let root = scratchRootLocation()
        atexit { try? FileManager.default.removeItem(at: CLI.scratchRootLocation()) }
        return root
    }()

    private static func scratchRootLocation() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-cli-tests-\(getpid())")
    }

    /// Copies the example platform so a test can change it.
    static func copyOfExample() throws -> URL {
        let target = try temporaryFolder().appendingPathComponent("acme")
        try FileManager.default.copyItem(at: example, to: target)
        return target
    }

    /// Every file below a folder (except .git) with its contents, by relative path.
    static func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = folder.standardizedFileURL.path + "/"
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            let path = String(url.standardizedFileURL.path.dropFirst(base.count))
            if path == ".git" || path.hasPrefix(".git/") { walker?.skipDescendants(); continue }
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                files[path] = try Data(contentsOf: url)
            }
        }
        return files
    }

    static func replace(in file: URL, _ old: String, with new: String) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(old), "fixture edit: '\(old)' not found in \(file.lastPathComponent)")
        try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
    }
}
