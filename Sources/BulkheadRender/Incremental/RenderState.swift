public import BulkheadModel
import Foundation

/// What the last apply rendered, kept in `.git/bulkhead/render-state` (never committed): the
/// commit it produced, the build that rendered it, each unit's fingerprint and the warnings of
/// each unit. When HEAD and the build still match, the next apply renders only units whose
/// fingerprint changed; otherwise it renders everything, so a stale or missing state only costs time.
public struct RenderState: Sendable, Equatable {
    public static let fileName = "render-state"
    static let formatLine = "bulkhead-render-state 3"

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

    /// One line per fact: the header, then warnings, then the units sorted (so a reader that only
    /// needs the header and warnings can stop at the first unit line). `body` is what
    /// `serializedBody()` returned for a state that differs at most in `head`.
    public func serialized(body: String? = nil) -> String {
        [Self.formatLine, "build \(build)", "head \(head ?? "-")", "input \(input)"].joined(separator: "\n") + "\n" + (body ?? serializedBody())
    }

    /// The warning and unit lines of `serialized()`: all of it that does not depend on `head`, so
    /// that it can be written while the commit that gives the head is made.
    public func serializedBody() -> String {
        var text = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (unit, problems) in warnings.sorted(by: { $0.key < $1.key }) {
            for problem in problems {
                guard let json = try? encoder.encode(problem) else { continue }
                text += "warning \(unit) \(String(decoding: json, as: UTF8.self))\n"
            }
        }
        // One string appended to, not a line array joined: a large fleet has a line per placement.
        let keyed = fingerprints.map { (key: $0.key.description, fingerprint: $0.value) }.sorted { $0.key < $1.key }
        text.reserveCapacity(text.utf8.count + keyed.count * 110)
        for unit in keyed {
            text += "unit "
            text += unit.fingerprint
            text += " "
            text += unit.key
            text += "\n"
        }
        return text
    }

    /// Reads a state file; `nil` when it is damaged or of another format (then everything is
    /// rendered). With `fingerprints: false` it stops before the unit lines: enough to decide
    /// whether anything changed at all, at a fraction of the cost on a large fleet.
    public init?(parsing text: String, fingerprints readsFingerprints: Bool = true) {
        var lines = Self.lines(of: text)
        fingerprints = [:]
        if readsFingerprints { fingerprints.reserveCapacity(text.utf8.count / 100) }
        guard lines.next() == Substring(Self.formatLine),
              let buildLine = lines.next(), buildLine.hasPrefix("build "),
              let headLine = lines.next(), headLine.hasPrefix("head "),
              let inputLine = lines.next(), inputLine.hasPrefix("input ") else { return nil }
        input = String(inputLine.dropFirst(6))
        build = String(buildLine.dropFirst(6))
        let headText = String(headLine.dropFirst(5))
        head = headText == "-" ? nil : headText
        warnings = [:]
        let decoder = JSONDecoder()
        while let line = lines.next() {
            // Prefixes compared as bytes: `hasPrefix` compares characters, at a cost per line.
            if line.utf8.starts(with: "unit ".utf8) {
                guard readsFingerprints else { return }
                // "unit <64 hex digits> <key>"
                let fields = line.utf8.dropFirst(5)
                guard let space = fields.firstIndex(of: UInt8(ascii: " ")),
                      let unit = RenderUnit(key: String(Substring(fields[fields.index(after: space)...]))) else { return nil }
                fingerprints[unit] = String(Substring(fields[..<space]))
            } else if line.utf8.starts(with: "warning ".utf8) {
                let parts = line.split(separator: " ", maxSplits: 2)
                guard parts.count == 3, let unit = RenderUnit(key: String(parts[1])),
                      let problem = try? decoder.decode(Problem.self, from: Data(parts[2].utf8)) else { return nil }
                warnings[unit, default: []].append(problem)
            } else {
                return nil
            }
        }
    }

    /// The non-empty lines of `text`, lazily.
    static func lines(of text: String) -> some IteratorProtocol<Substring> {
        var rest = Substring(text)
        return AnyIterator {
            while let first = rest.utf8.first, first == UInt8(ascii: "\n") { rest = rest.dropFirst() }
            guard !rest.isEmpty else { return nil }
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let line = rest[..<end]
            rest = rest[end...]
            return line
        }
    }
}
