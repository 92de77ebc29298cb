import Foundation

/// Tunes glibc's allocator for rendering, which frees and reallocates millions of small blocks:
/// each tenant's objects, their encoded trees and the policy gate's values are built, written
/// and dropped, while the rendered files stay. glibc keeps only 7 freed blocks of each size in a
/// thread's own cache by default; the rest go back to the shared bins, and every later
/// allocation sorts through them. A larger cache (`glibc.malloc.tcache_count`) took the render
/// of the 10,000-tenant benchmark platform from about 12.4 s to 9.2–10.9 s (the README has the
/// figures).
///
/// glibc reads that setting only from `GLIBC_TUNABLES` when a process starts, so the command
/// starts itself again once with it set (about 10 ms). Child processes (git) inherit it, which
/// changes nothing for them. A `GLIBC_TUNABLES` that already sets the cache size is left as it
/// is; `BULKHEAD_MALLOC_TUNING=0` turns this off.
public enum AllocatorTuning {
    static let setting = "glibc.malloc.tcache_count=2000"

    /// Replaces this process with itself, same arguments, with the setting added to
    /// `GLIBC_TUNABLES`; returns (changing nothing) when it is set already, turned off, not on
    /// Linux, or when the program cannot be started again.
    public static func restartWithTunedAllocator() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard environment["BULKHEAD_MALLOC_TUNING"] != "0" else { return }
        let tunables = environment["GLIBC_TUNABLES"] ?? ""
        guard !tunables.contains("glibc.malloc.tcache_count") else { return }
        setenv("GLIBC_TUNABLES", tunables.isEmpty ? setting : "\(tunables):\(setting)", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Still here: the restart failed; go on untuned, as the environment was.
        if tunables.isEmpty { unsetenv("GLIBC_TUNABLES") } else { setenv("GLIBC_TUNABLES", tunables, 1) }
        #endif
    }
}
