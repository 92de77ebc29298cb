import Yams

/// Reads a YAML stream whose mappings may repeat a key.
///
/// Yams stops at the first mapping that repeats a key (`duplicatedKeysInMapping`) and gives no
/// option to go on, so one repeated key used to drop its document and every document after it in
/// the file: their problems were hidden and their names counted as "not declared". Here the
/// first occurrence Yams points at is renamed in the text to a placeholder of the same length
/// (so every line and column stays right) and the text is parsed again, until it parses or a
/// repeat cannot be renamed. `DocumentReader` maps a placeholder back to its key, reads the first
/// occurrence and reports the repeats; `unmet` reports those in mappings that were never read.
struct RepeatedKeys: Sendable {
    /// The real key of each renamed occurrence, by the key's position.
    var renamed: [SourceLocation: String] = [:]

    /// At most this many keys are renamed in one file; after that the parse error is reported.
    static let maximumRenames = 100

    /// The documents of `text` and the error that stopped reading, if any (documents before it
    /// are kept), with the keys renamed to get there.
    static func compose(file: String, text: String) -> (roots: [Node], error: (any Error)?, keys: RepeatedKeys) {
        var keys = RepeatedKeys()
        // The text as scalars only once a key must be renamed (converting every file cost more
        // than a tenth of loading a large platform).
        var scalars: [Unicode.Scalar]?
        while true {
            var roots: [Node] = []
            var failure: (any Error)?
            do {
                var sequence = try Yams.compose_all(yaml: scalars.map { String(String.UnicodeScalarView($0)) } ?? text, .basic)
                while let root = sequence.next() { roots.append(root) }
                failure = sequence.error
            } catch {
                failure = error
            }
            guard case YamlError.duplicatedKeysInMapping(let duplicates, let context)? = failure,
                  keys.renamed.count < maximumRenames, let key = duplicates.first else {
                return (roots, failure, keys)
            }
            var renamed = scalars ?? Array(text.unicodeScalars)
            guard let at = keys.rename(key, line: context.mark.line, column: context.mark.column, in: &renamed) else {
                return (roots, failure, keys)
            }
            scalars = renamed
            keys.renamed[SourceLocation(file: file, line: at.line, column: at.column)] = key
        }
    }

    /// Replaces the first character of `key`, written at the 1-based `line` and `column`, with a
    /// private-use character not used by an earlier rename. Returns the position, or `nil` when
    /// the text there is not the key as written (an escaped or multi-line key): then the file's
    /// parse error stands.
    private func rename(_ key: String, line: Int, column: Int, in scalars: inout [Unicode.Scalar]) -> (line: Int, column: Int)? {
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, line >= 1, column >= 1,
              let placeholder = Unicode.Scalar(0xE000 + renamed.count) else { return nil }
        var start = 0
        for _ in 1..<line {
            guard let newline = scalars[start...].firstIndex(of: "\n") else { return nil }
            start = newline + 1
        }
        var first = start + column - 1
        if first < scalars.count, scalars[first] == "\"" || scalars[first] == "'" { first += 1 }
        guard first + keyScalars.count <= scalars.count,
              !scalars[start..<first].contains("\n"),
              Array(scalars[first..<(first + keyScalars.count)]) == keyScalars else { return nil }
        scalars[first] = placeholder
        return (line, column)
    }

    /// Problems for renamed keys the reader never met (in mappings it does not read, such as an
    /// unknown field's value): the repeat is still an error, reported where Yams found it.
    func unmet(seen: Set<SourceLocation>) -> [Problem] {
        renamed.filter { !seen.contains($0.key) }.sorted { $0.key < $1.key }.map { location, key in
            Problem("duplicate-key", "key '\(key)' appears more than once in one mapping", at: location)
        }
    }
}
