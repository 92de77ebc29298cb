import BulkheadCEL
import BulkheadGitOps
import BulkheadPolicy
import Foundation

/// What a tenant left in the repositories: the objects committed for it on each cluster and
/// the last commits that touched it. Read from git, so it shows what Argo CD or Flux syncs.
public struct TenantFootprint: Sendable, Encodable, Equatable {
    /// One rendered Kubernetes object.
    public struct ObjectReference: Sendable, Encodable, Equatable {
        public var apiVersion: String
        public var kind: String
        public var name: String
        public var namespace: String?
    }

    /// A commit, as `git log` gives it.
    public struct Commit: Sendable, Encodable, Equatable {
        public var id: String
        public var author: String
        public var time: String
        public var subject: String
    }

    /// Objects by cluster, in file order.
    public var objects: [String: [ObjectReference]]
    /// The last platform-folder commit that changed the tenant's declaration file.
    public var lastCommit: Commit?
    /// The last GitOps commit that changed one of the tenant's folders.
    public var lastGitOpsCommit: Commit?
}

extension PlatformWorkspace {
    /// The footprint of a declared tenant placed on `clusters`, declared in `file`, read from
    /// git now (callers keep answers per workspace generation).
    public nonisolated func footprint(ofTenant name: String, declaredIn file: String, clusters: [String]) -> TenantFootprint {
        var objects: [String: [TenantFootprint.ObjectReference]] = [:]
        for cluster in clusters {
            objects[cluster] = Self.objects(in: gitops.root.appendingPathComponent("clusters/\(cluster)/tenants/\(name)"))
        }
        return TenantFootprint(
            objects: objects,
            lastCommit: Self.lastCommit(git, paths: [file]),
            lastGitOpsCommit: Self.lastCommit(gitops, paths: clusters.map { "clusters/\($0)/tenants/\(name)" }))
    }

    /// The objects of every YAML file in a tenant folder except its kustomization.
    static func objects(in folder: URL) -> [TenantFootprint.ObjectReference] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var references: [TenantFootprint.ObjectReference] = []
        for file in files.sorted() where file.hasSuffix(".yaml") && file != "kustomization.yaml" {
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8),
                  let documents = try? YAMLValues.documents(text) else { continue }
            for case .map(let object) in documents {
                guard case .string(let kind)? = object["kind"], case .map(let metadata)? = object["metadata"],
                      case .string(let objectName)? = metadata["name"] else { continue }
                var namespace: String?
                if case .string(let value)? = metadata["namespace"] { namespace = value }
                var apiVersion = ""
                if case .string(let value)? = object["apiVersion"] { apiVersion = value }
                references.append(.init(apiVersion: apiVersion, kind: kind, name: objectName, namespace: namespace))
            }
        }
        return references
    }

    /// The newest commit touching any of `paths`, or nil when none did (or git cannot say).
    static func lastCommit(_ git: Git, paths: [String]) -> TenantFootprint.Commit? {
        guard !paths.isEmpty,
              let result = try? git.run(["log", "-1", "--format=%H%x1f%an%x1f%aI%x1f%s", "--"] + paths, allowFailure: true),
              result.status == 0 else { return nil }
        let fields = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .newlines).components(separatedBy: "\u{1f}")
        guard fields.count == 4 else { return nil }
        return .init(id: fields[0], author: fields[1], time: fields[2], subject: fields[3])
    }
}
