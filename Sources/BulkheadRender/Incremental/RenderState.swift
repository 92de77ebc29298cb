public import BulkheadModel
import Foundation

/// What the last apply rendered, kept in `.git/bulkhead/render-state` (never committed): the
/// commit it produced, the build that rendered it, each unit's fingerprint and the warnings of
/// each unit. When HEAD and the build still match, the next apply renders only units whose
/// fingerprint changed; otherwise it renders everything, so a stale or missing state only costs time.
public struct RenderState: Sendable, Equatable {
    public static let fileName = "render-state"
    static let formatLine = "bulkhead-render-state 2"

    /// The executable identity that rendered the units.
    public var build: String
    /// The commit whose tree holds exactly these units' files.
    public var head: String?
    /// A digest of the declaration files and placement options the last apply read.
    public var input: String
    public var fingerprints: [RenderUnit: String]
    /// Warnings by unit; placement warnings are kept under the lock.
    public var warnings: [RenderUnit: [Problem]]

    public init(build: String, head: String?, input: String = "-", fingerprints: [RenderUnit: String], warnings: [RenderUnit: [Problem]] = [:]) {
        self.build = build
        self.head = head
        self.input = input
        self.fingerprints = fingerprints
        self.warnings = warnings
    }

    /// One line per fact, units sorted, so the file is cheap to read and write.
    public func serialized() -> String {
        var lines = [Self.formatLine, "build \(build)", "head \(head ?? "-")", "input \(input)"]
        lines.reserveCapacity(fingerprints.count + 3)
        let keyed = fingerprints.map { (key: $0.key.description, fingerprint: $0.value) }.sorted { $0.key < $1.key }
        for unit in keyed { lines.append("unit \(unit.fingerprint) \(unit.key)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (unit, problems) in warnings.sorted(by: { $0.key < $1.key }) {
            for problem in problems {
                guard let json = try? encoder.encode(problem) else { continue }
                lines.append("warning \(unit) \(String(decoding: json, as: UTF8.self))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a state file; `nil` when it is damaged or of another format (then everything is rendered).
    public init?(parsing text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard lines.popFirst() == Substring(Self.formatLine),
              let buildLine = lines.popFirst(), buildLine.hasPrefix("build "),
              let headLine = lines.popFirst(), headLine.hasPrefix("head "),
              let inputLine = lines.popFirst(), inputLine.hasPrefix("input ") else { return nil }
        input = String(inputLine.dropFirst(6))
        build = String(buildLine.dropFirst(6))
        let headText = String(headLine.dropFirst(5))
        head = headText == "-" ? nil : headText
        fingerprints = [:]
        fingerprints.reserveCapacity(lines.count)
        warnings = [:]
        let decoder = JSONDecoder()
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3 else { return nil }
            switch parts[0] {
            case "unit":
                guard let unit = RenderUnit(key: String(parts[2])) else { return nil }
                fingerprints[unit] = String(parts[1])
            case "warning":
                guard let unit = RenderUnit(key: String(parts[1])),
                      let problem = try? decoder.decode(Problem.self, from: Data(parts[2].utf8)) else { return nil }
                warnings[unit, default: []].append(problem)
            default:
                return nil
            }
        }
    }
}
