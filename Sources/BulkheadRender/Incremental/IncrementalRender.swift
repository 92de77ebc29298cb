public import BulkheadModel

/// Decides what an apply must render, from the last render state and what is true now. Pure.
public enum IncrementalRender {
    /// What to render and which repository paths the result describes completely.
    public enum Plan: Sendable, Equatable {
        /// Render every unit; the result describes every owned file.
        case everything(reason: String)
        /// Render `render`; the units in `removed` no longer exist. Everything else is as committed.
        case units(render: Set<RenderUnit>, removed: Set<RenderUnit>)

        /// Paths whose owned files the rendered result describes completely (`nil`: all of them).
        public var scopes: [String]? {
            guard case .units(let render, let removed) = self else { return nil }
            return render.union(removed).sorted().flatMap(\.scopes)
        }
    }

    /// - Parameters:
    ///   - previous: the state the last apply left, if any.
    ///   - build: this executable's identity.
    ///   - head: the repository's HEAD now.
    ///   - fingerprints: every unit of the declaration now (the lock excluded).
    ///   - drifted: tracked paths whose working-tree file differs from the index.
    ///   - lockChanged: whether placement differs from the lock file on disk.
    public static func plan(previous: RenderState?, build: String, head: String?, fingerprints: [RenderUnit: Fingerprint], drifted: [String], lockChanged: Bool) -> Plan {
        guard let previous else { return .everything(reason: "no render state") }
        guard previous.build == build else { return .everything(reason: "another build rendered the repository") }
        guard previous.head == head else { return .everything(reason: "HEAD moved since the last apply") }
        var render = Set(fingerprints.compactMap { unit, fingerprint in previous.fingerprints[unit] == fingerprint ? nil : unit })
        var removed = Set(previous.fingerprints.keys.filter { fingerprints[$0] == nil })
        if lockChanged { render.insert(.lock) }
        for path in drifted {
            guard let unit = RenderUnit.containing(path) else { continue }
            if unit == .lock || fingerprints[unit] != nil { render.insert(unit) } else { removed.insert(unit) }
        }
        return .units(render: render, removed: removed)
    }

    /// Warnings of the units that were not rendered this time, from the previous state.
    public static func carriedWarnings(previous: RenderState?, plan: Plan, fingerprints: [RenderUnit: Fingerprint]) -> [RenderUnit: [Problem]] {
        guard let previous, case .units(let render, _) = plan else { return [:] }
        return previous.warnings.filter { unit, _ in fingerprints[unit] != nil && !render.contains(unit) }
    }
}
