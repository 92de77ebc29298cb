import Foundation
import Testing

/// The command restarts itself once with glibc's thread cache enlarged (`AllocatorTuning`).
/// What the restarted process carries is seen through git, which it starts: a `git` first on
/// PATH records `GLIBC_TUNABLES` and hands over to the real git.
@Suite struct AllocatorTuningTests {
    /// Runs `bulkhead apply` on the example with the recording git; returns the exit status and
    /// every `GLIBC_TUNABLES` value git was started with.
    static func tunablesSeenByGit(environment: [String: String]) throws -> (status: Int32, seen: Set<String>) {
        let folder = try CLI.temporaryFolder()
        let realGit = try CLI.run("sh", ["-c", "command -v git"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let log = folder.appendingPathComponent("tunables.log")
        let wrapper = folder.appendingPathComponent("bin/git")
        try FileManager.default.createDirectory(at: wrapper.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "#!/bin/sh\nprintf '%s\\n' \"${GLIBC_TUNABLES-}\" >> '\(log.path)'\nexec '\(realGit)' \"$@\"\n".write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        var environment = environment
        environment["PATH"] = wrapper.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let run = try CLI.bulkhead("apply", CLI.example.path, "--repo", folder.appendingPathComponent("repo").path, environment: environment)
        let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        return (run.status, Set(lines.map(String.init)))
    }

    /// The environment a command is started with, and the `GLIBC_TUNABLES` git then sees: the
    /// larger cache added alone or beside other tunables, a cache size set by the user kept, and
    /// nothing added when turned off. Each apply must succeed (the arguments survive the restart).
    @Test(arguments: [
        (["GLIBC_TUNABLES": "", "BULKHEAD_MALLOC_TUNING": ""], "glibc.malloc.tcache_count=2000"),
        (["GLIBC_TUNABLES": "glibc.malloc.arena_max=2", "BULKHEAD_MALLOC_TUNING": ""], "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=2000"),
        (["GLIBC_TUNABLES": "glibc.malloc.tcache_count=7", "BULKHEAD_MALLOC_TUNING": ""], "glibc.malloc.tcache_count=7"),
        (["GLIBC_TUNABLES": "", "BULKHEAD_MALLOC_TUNING": "0"], ""),
    ])
    func gitSeesTheTunablesOfTheRestartedCommand(_ environment: [String: String], _ expected: String) throws {
        let (status, seen) = try Self.tunablesSeenByGit(environment: environment)
        #expect(status == 0)
        #expect(seen == [expected])
    }
}
