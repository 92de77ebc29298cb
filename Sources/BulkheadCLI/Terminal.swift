import Foundation

/// Writing to the terminal: errors to standard error, a progress line only when standard error
/// is a terminal (quiet when piped or in CI).
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) == 1

    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }

    /// Replaces the progress line; nothing when not on a terminal.
    static func progress(_ message: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(message)".utf8))
    }

    static func clearProgress() {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    /// With `BULKHEAD_TIMINGS=1` in the environment, the wall time of each step goes to standard
    /// error (used by the benchmark to show where the time goes).
    static let showsTimings = ProcessInfo.processInfo.environment["BULKHEAD_TIMINGS"] == "1"

    /// When the command started (first read by `BulkheadCommand.run`), for the timings.
    static let started = DispatchTime.now().uptimeNanoseconds

    /// Runs `work`, reporting its duration under `step` when timings are on.
    static func timed<T>(_ step: String, _ work: () throws -> T) rethrows -> T {
        guard showsTimings else { return try work() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let since = Double(DispatchTime.now().uptimeNanoseconds - Self.started) / 1e9
            error("timing \(step): \(String(format: "%.3f", seconds)) s (ends \(String(format: "%.3f", since)) s after the command started)")
        }
        return try work()
    }

    /// A diagnostic line shown with the timings (`BULKHEAD_TIMINGS=1`).
    static func timingNote(_ text: @autoclosure () -> String) {
        if showsTimings { error("timing note: \(text())") }
    }

    /// Prints an Encodable as pretty JSON with sorted keys.
    static func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
    }
}
