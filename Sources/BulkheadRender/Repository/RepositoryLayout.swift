/// Which files in the GitOps repository are Bulkhead's, and how changes to them read per
/// cluster and tenant. Anything else in the repository (a README, CI files) is never touched.
public enum RepositoryLayout {
    /// True for files Bulkhead writes: the lock file and the generated files under `clusters/`.
    public static func isOwned(_ path: String) -> Bool {
        if path == PlacementLock.fileName { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "clusters" else { return false }
        switch parts.count {
        case 3: return parts[2] == "kustomization.yaml"
        case 4:
            switch parts[2] {
            case "platform": return ["kustomization.yaml", "nodes.yaml", WebhookConfigurationDocument.fileName].contains(parts[3])
            case "argocd": return ["kustomization.yaml", "argocd.yaml"].contains(parts[3])
            case "flux": return ["kustomization.yaml", "flux.yaml"].contains(parts[3])
            default: return false
            }
        case 5:
            // `platform/policies/` holds one file per guardrail (named after the policy) and its
            // kustomization: the whole folder is Bulkhead's.
            if parts[2] == "platform" && parts[3] == "policies" { return parts[4].hasSuffix(".yaml") }
            return parts[2] == "tenants" && ["kustomization.yaml", "bundle.yaml", "trust-policy.json", "permissions-policy.json"].contains(parts[4])
        case 6:
            // Where earlier versions wrote the IAM documents: still Bulkhead's, so an apply prunes them.
            return parts[2] == "tenants" && parts[4] == "iam" && ["trust-policy.json", "permissions-policy.json"].contains(parts[5])
        default: return false
        }
    }

    /// One line of a change summary: a part of one cluster (a tenant, the platform folder, ...).
    public struct Entry: Sendable, Hashable, Codable {
        /// The cluster, or "" for repository-wide files (the lock).
        public var cluster: String
        /// "tenant <name>", "platform", "argocd", "flux", "kustomization", or "placement lock".
        public var part: String
        public var added: Int
        public var changed: Int
        public var removed: Int

        public var verb: String {
            if removed > 0 && added == 0 && changed == 0 { return "removed" }
            if added > 0 && changed == 0 && removed == 0 { return "added" }
            return "changed"
        }
        public var counts: String {
            [(added, "added"), (changed, "changed"), (removed, "removed")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        }
    }

    /// Groups changed paths by cluster and part, sorted.
    public static func summarize(added: [String], changed: [String], removed: [String]) -> [Entry] {
        var entries: [String: Entry] = [:]
        func note(_ path: String, _ update: (inout Entry) -> Void) {
            let parts = path.split(separator: "/").map(String.init)
            let cluster = parts.count > 1 && parts[0] == "clusters" ? parts[1] : ""
            let part: String
            if cluster.isEmpty { part = path == PlacementLock.fileName ? "placement lock" : path }
            else if parts.count == 3 { part = "kustomization" }
            else if parts[2] == "tenants", parts.count > 3 { part = "tenant \(parts[3])" }
            else { part = parts[2] }
            let key = cluster + "\u{0}" + part
            var entry = entries[key] ?? Entry(cluster: cluster, part: part, added: 0, changed: 0, removed: 0)
            update(&entry)
            entries[key] = entry
        }
        for path in added { note(path) { $0.added += 1 } }
        for path in changed { note(path) { $0.changed += 1 } }
        for path in removed { note(path) { $0.removed += 1 } }
        return entries.values.sorted { ($0.cluster, $0.part) < ($1.cluster, $1.part) }
    }

    /// The commit message of an apply: a subject line, then the changes per cluster and tenant.
    public static func commitMessage(platform: String, entries: [Entry], added: Int, changed: Int, removed: Int) -> String {
        var lines = ["bulkhead apply \(platform): \(added) added, \(changed) changed, \(removed) removed", ""]
        var current: String?
        for entry in entries {
            let cluster = entry.cluster.isEmpty ? "repository" : entry.cluster
            if cluster != current {
                lines.append("\(cluster):")
                current = cluster
            }
            lines.append("  \(entry.part): \(entry.verb) (\(entry.counts))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
