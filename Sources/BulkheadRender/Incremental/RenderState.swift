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
    public var fingerprints: [RenderUnit: Fingerprint]
    /// Warnings by unit; placement warnings are kept under the lock.
    public var warnings: [RenderUnit: [Problem]]

    public init(build: String, head: String?, input: String = "-", fingerprints: [RenderUnit: Fingerprint], warnings: [RenderUnit: [Problem]] = [:]) {
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
        // Written as bytes, not appended strings: a large fleet has a line per placement. Units are
        // sorted by kind, cluster and tenant (a fixed order, without building each unit's key).
        let units = fingerprints.sorted { $0.key.sortsBefore($1.key) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(units.count * 110)
        for (unit, fingerprint) in units {
            bytes.append(contentsOf: "unit ".utf8)
            fingerprint.appendHex(to: &bytes)
            bytes.append(UInt8(ascii: " "))
            unit.appendKey(to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return text + String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a state file; `nil` when it is damaged or of another format (then everything is
    /// rendered). With `fingerprints: false` it stops before the unit lines: enough to decide
    /// whether anything changed at all, at a fraction of the cost on a large fleet.
    public init?(parsing text: String, fingerprints readsFingerprints: Bool = true) {
        var text = text
        guard let state = text.withUTF8({ Self.parse($0, readsFingerprints: readsFingerprints) }) else { return nil }
        self = state
    }

    static func parse(_ text: UnsafeBufferPointer<UInt8>, readsFingerprints: Bool) -> RenderState? {
        var lines = ByteLines(text)
        guard let format = lines.next(), format.elementsEqual(formatLine.utf8),
              let buildLine = lines.next(), buildLine.starts(with: "build ".utf8),
              let headLine = lines.next(), headLine.starts(with: "head ".utf8),
              let inputLine = lines.next(), inputLine.starts(with: "input ".utf8) else { return nil }
        let headText = String(decoding: headLine.dropFirst(5), as: UTF8.self)
        var state = RenderState(build: String(decoding: buildLine.dropFirst(6), as: UTF8.self), head: headText == "-" ? nil : headText,
                                input: String(decoding: inputLine.dropFirst(6), as: UTF8.self), fingerprints: [:])
        if readsFingerprints { state.fingerprints.reserveCapacity(text.count / 100) }
        let decoder = JSONDecoder()
        while let line = lines.next() {
            if line.starts(with: "unit ".utf8) {
                guard readsFingerprints else { return state }
                // "unit <64 hex digits> <key>"
                let fields = line.dropFirst(5)
                guard fields.count > 65, fields[fields.startIndex + 64] == UInt8(ascii: " "),
                      let fingerprint = Fingerprint(hex: fields.prefix(64)),
                      let unit = RenderUnit(key: fields.dropFirst(65)) else { return nil }
                state.fingerprints[unit] = fingerprint
            } else if line.starts(with: "warning ".utf8) {
                let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
                guard parts.count == 3, let unit = RenderUnit(key: parts[1]),
                      let problem = try? decoder.decode(Problem.self, from: Data(parts[2])) else { return nil }
                state.warnings[unit, default: []].append(problem)
            } else {
                return nil
            }
        }
        return state
    }

    /// The non-empty lines of a text, as byte slices.
    struct ByteLines: IteratorProtocol {
        var rest: Slice<UnsafeBufferPointer<UInt8>>

        init(_ text: UnsafeBufferPointer<UInt8>) { rest = text[...] }

        mutating func next() -> Slice<UnsafeBufferPointer<UInt8>>? {
            while let first = rest.first, first == UInt8(ascii: "\n") { rest = rest.dropFirst() }
            guard !rest.isEmpty else { return nil }
            let end = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            defer { rest = rest[end...] }
            return rest[..<end]
        }
    }
}
