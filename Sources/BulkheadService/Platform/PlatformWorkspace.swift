public import BulkheadCEL
public import BulkheadModel
public import Foundation
import BulkheadGitOps
import BulkheadKube
import BulkheadPolicy
import Crypto

/// The commits of the GitOps repository around one apply.
public struct GitOpsOutcome: Sendable, Equatable {
    public var commitBefore: String?
    public var commitAfter: String?
    public init(commitBefore: String?, commitAfter: String?) {
        self.commitBefore = commitBefore
        self.commitAfter = commitAfter
    }
}

/// Applies the platform folder to the GitOps repository, exactly as `bulkhead apply` does, with
/// the declaration the workspace already loaded and checked (so the folder is not read again);
/// throws with the same message the command prints. `thorough` is true on start and on sync:
/// then the repository's working tree is also searched for files edited by hand, which a
/// change through the service skips (the server is the working tree's only writer meanwhile).
public typealias GitOpsApply = @Sendable (_ declaration: PlatformDeclaration, _ thorough: Bool) throws -> GitOpsOutcome

/// Why a change to the platform was refused.
public enum WorkspaceError: Error, Sendable {
    /// The declaration would be invalid: the loader's problems, as the CLI reports them.
    case invalid([Problem])
    case notFound(String)
    case conflict(String)
    /// The platform folder holds these files edited by hand and not yet recorded by a sync (409).
    case unrecordedEdits([String])
    /// The caller's `If-Match` no longer names the declaration (412), or names none (428).
    case stale(String)
    case preconditionMissing(String)
    /// The caller may not make this change (a tenant-admin beyond its tier).
    case forbidden(String)
    /// Placement, rendering or the gate refused it (nothing was kept).
    case rejected(String)
    /// Git or the disk failed.
    case failed(String)
}

extension WorkspaceError: CustomStringConvertible {
    /// Why a change waits for `POST /v1/sync`; `paths` is empty when the caller may not see them
    /// (file names name other tenants).
    static func unrecordedEditsMessage(_ paths: [String]) -> String {
        let shown = paths.isEmpty ? "" : " (" + paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? " and \(paths.count - 5) more" : "") + ")"
        return "the platform folder has changes made by hand that are not recorded yet\(shown); a platform-admin records them with POST /v1/sync"
    }

    /// The reason as a person reads it: problems one per line, as `bulkhead validate` prints them.
    public var description: String {
        switch self {
        case .invalid(let problems):
            problems.map(\.description).joined(separator: "\n") + "\n\(problems.count) problem\(problems.count == 1 ? "" : "s") found."
        case .unrecordedEdits(let paths):
            Self.unrecordedEditsMessage(paths)
        case .notFound(let why), .conflict(let why), .stale(let why), .preconditionMissing(let why), .forbidden(let why), .rejected(let why), .failed(let why):
            why
        }
    }
}

/// What one accepted change did.
public struct WorkspaceChange: Sendable, Equatable {
    public var tenant: String
    public var platformCommitBefore: String?
    public var platformCommitAfter: String?
    public var gitops: GitOpsOutcome
}

/// The platform folder, owned by the service as a git repository. Changes run one at a time:
/// validate with the loader, write the declaration file, apply to the GitOps repository, and
/// only then commit the platform folder; a change the apply refuses is undone on disk.
public actor PlatformWorkspace {
    public let folder: URL
    let git: Git
    /// The GitOps repository, read for its HEAD around each change.
    let gitops: Git
    let store: any ServiceStore
    let apply: GitOpsApply

    /// Opens the folder, making it a git repository when it is not one yet, and settles changes
    /// a killed process left pending (see `settle`). `applyAsFound` then records and applies
    /// what is there. Run the GitOps repository's own recovery before this.
    public init(folder: URL, repository: URL, store: any ServiceStore, apply: @escaping GitOpsApply) throws(WorkspaceError) {
        self.folder = folder.standardizedFileURL
        self.git = Git(root: self.folder)
        self.gitops = Git(root: repository.standardizedFileURL)
        self.store = store
        self.apply = apply
        do {
            if !FileManager.default.fileExists(atPath: self.folder.appendingPathComponent(".git").path) {
                try git.run(["init", "-q", "-b", "main"])
            }
            try Self.settle(try store.pendingChanges(), platform: git, gitops: gitops, store: store)
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw .failed("cannot use \(self.folder.path) as the platform repository: \(error)")
        }
    }

    /// Settles changes begun and never finished. When the GitOps repository moved past the
    /// change's starting commit, the apply had committed: the platform folder is committed too
    /// and the record says "completed". Otherwise the declaration files are put back as the
    /// platform HEAD has them and the record says "rolled back". Either way the audit trail
    /// gets the record the request never wrote, with the commits as they now are.
    static func settle(_ pending: [AuditEntry], platform: Git, gitops: Git, store: any ServiceStore) throws {
        for var entry in pending {
            let gitopsNow = try gitops.head()
            if gitopsNow != entry.gitopsCommitBefore {
                try commitAll(platform, message: "\(entry.action) \(entry.tenant ?? ""): completed after a restart (request \(entry.requestID))")
                entry.result = "ok: completed after a restart"
            } else {
                try platform.run(["checkout", "-q", "HEAD", "--", "."], allowFailure: true)
                if let tenant = entry.tenant { try platform.run(["clean", "-fq", "--", tenantFile(tenant)]) }
                entry.result = "rolled back after a restart: the process stopped before the GitOps commit"
            }
            entry.platformCommitAfter = try platform.head()
            entry.gitopsCommitAfter = gitopsNow
            _ = try store.finish(entry)
        }
    }

    /// The declaration as the last change (or sync) left it: loaded from disk once, then kept,
    /// since every change goes through this actor. Hand edits are seen after `sync`.
    private var current: DeclarationLoader.Result? {
        didSet { generation += 1 }
    }
    /// Counts changes of the declaration the workspace holds (each change, sync or reload), so
    /// readers can keep answers computed from it until it moves.
    public private(set) var generation = 0
    /// Each declaration file's parse, so a change re-reads only the file it writes.
    let parseCache = ParseCache()

    /// The declaration as the service knows it.
    public func load() throws(WorkspaceError) -> DeclarationLoader.Result {
        if let current { return current }
        do {
            let loaded = try DeclarationLoader.load(folder: folder, displayPrefix: "", cache: parseCache)
            current = loaded
            return loaded
        } catch { throw .failed(error.description) }
    }

    /// The file a tenant created through the service is declared in.
    public static func tenantFile(_ name: String) -> String { "tenants/\(name).yaml" }

    /// Declares a new tenant from a Tenant document (JSON: `metadata.name` and `spec`, with
    /// `apiVersion` and `kind` filled in when missing) and applies it.
    public func createTenant(_ document: CELValue, audit: AuditEntry) throws(WorkspaceError) -> WorkspaceChange {
        try requireNoUnrecordedEdits()
        let new = try newTenant(document, actor: audit.actor)
        return try change(audit: audit, tenant: new.name, message: "tenant \(new.name): created by \(audit.actor)", after: new.checked,
                          write: { () throws(WorkspaceError) in try write(new.text, to: new.file) },
                          undo: { try? FileManager.default.removeItem(atPath: path(new.file)) })
    }

    /// What creating the tenant would change in the GitOps repository, as `plan` reports it:
    /// the declaration is checked as for a create, then planned on a scratch copy of the
    /// platform folder. Nothing is written to either repository.
    public func planTenant(_ document: CELValue, plan: (URL) throws -> [UInt8]) throws(WorkspaceError) -> [UInt8] {
        let new = try newTenant(document, actor: "plan")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            for item in try FileManager.default.contentsOfDirectory(atPath: folder.path) where item != ".git" {
                try FileManager.default.copyItem(at: folder.appendingPathComponent(item), to: scratch.appendingPathComponent(item))
            }
            let target = scratch.appendingPathComponent(new.file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try new.text.write(to: target, atomically: true, encoding: .utf8)
            return try plan(scratch)
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw .rejected("\(error)")
        }
    }

    /// A Tenant document checked as a new tenant: its file, its text, and the whole
    /// declaration with it added.
    func newTenant(_ document: CELValue, actor: String) throws(WorkspaceError) -> (name: String, file: String, text: String, checked: DeclarationLoader.Result) {
        guard case .map(var root) = document else {
            throw .invalid([Problem("bad-document", "the body must be a JSON object: a Tenant with metadata.name and spec", at: nil, path: "")])
        }
        guard case .map(let metadata)? = root["metadata"], case .string(let name)? = metadata["name"], !name.isEmpty else {
            throw .invalid([Problem("missing-field", "metadata.name is required: the tenant's name", at: nil, path: "metadata.name")])
        }
        for (field, expected) in [("apiVersion", declarationAPIVersion), ("kind", "Tenant")] {
            if let value = root[field], value != .string(expected) {
                throw .invalid([Problem("wrong-kind", "\(field) must be \(expected): this route creates tenants", at: nil, path: field, allowed: expected)])
            }
        }
        // Checked before the name becomes a path; the loader checks the rest of the rules.
        guard name.utf8.count <= 63, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
            throw .invalid([Problem("bad-name", "metadata.name '\(name)' is not a DNS-1123 label", at: nil, path: "metadata.name",
                                    allowed: "up to 63 lowercase letters, digits and '-'")])
        }
        root = Self.withDefaults(root)
        let file = Self.tenantFile(name)
        if try load().declaration?.tenant(named: name) != nil || FileManager.default.fileExists(atPath: path(file)) {
            throw .conflict("tenant '\(name)' already exists")
        }
        let text = "# Declared through the Bulkhead service by \(actor).\n" + YAMLWriter.document(Self.tree(.map(root)))
        var sources = try sources()
        sources.append((file, text))
        let checked = DeclarationLoader.load(sources: sources, cache: parseCache)
        guard checked.errors.isEmpty else { throw .invalid(checked.errors) }
        return (name, file, text, checked)
    }

    /// Removes a tenant declared in a file of its own, and applies (its GitOps files are pruned).
    public func deleteTenant(_ name: String, audit: AuditEntry) throws(WorkspaceError) -> WorkspaceChange {
        let actor = audit.actor
        guard let declaration = try load().declaration, let tenant = declaration.tenant(named: name) else {
            throw .notFound("no tenant '\(name)'")
        }
        try requireNoUnrecordedEdits()
        let file = tenant.origin.location.file
        let others = try sources().filter { $0.name != file }
        guard let text = try? String(contentsOfFile: path(file), encoding: .utf8) else { throw .failed("cannot read \(file)") }
        guard Self.documentCount(text) == 1 else {
            throw .conflict("tenant '\(name)' is declared in \(file) together with other documents; remove it there by hand and call POST /v1/sync")
        }
        let checked = DeclarationLoader.load(sources: others, cache: parseCache)
        guard checked.errors.isEmpty else {
            throw .conflict("removing tenant '\(name)' would leave the declaration invalid: " + checked.errors.map(\.description).joined(separator: "; "))
        }
        return try change(audit: audit, tenant: name, message: "tenant \(name): deleted by \(actor)", after: checked, write: { () throws(WorkspaceError) in
            do { try FileManager.default.removeItem(atPath: path(file)) } catch { throw .failed("cannot remove \(file): \(error.localizedDescription)") }
        }, undo: { try? text.write(toFile: path(file), atomically: true, encoding: .utf8) })
    }

    /// The fields `updateTenant` changes, under `spec`.
    public static let patchableFields = ["quota", "apps", "buckets", "owners"]

    /// The entity tag of a tenant's declaration: a hash of its file's text, quoted.
    public func entityTag(ofTenant name: String) throws(WorkspaceError) -> String {
        guard let tenant = try load().declaration?.tenant(named: name) else { throw .notFound("no tenant '\(name)'") }
        guard let text = try? String(contentsOfFile: path(tenant.origin.location.file), encoding: .utf8) else {
            throw .failed("cannot read \(tenant.origin.location.file)")
        }
        return Self.entityTag(text)
    }

    static func entityTag(_ text: String) -> String {
        "\"" + lowercaseHex(SHA256.hash(data: Data(text.utf8)).prefix(12)) + "\""
    }

    /// Applies a JSON merge patch of `spec.quota`, `spec.apps`, `spec.buckets` and `spec.owners`
    /// to a tenant declared in a file of its own, when `ifMatch` is its current entity tag.
    /// `permits` may refuse the changed tenant, given the tenant as it was (role rules); the file is rewritten in the
    /// service's layout.
    public func updateTenant(_ name: String, patch: CELValue, ifMatch: String?, audit: AuditEntry,
                             permits: @Sendable (_ changed: Tenant, _ previous: Tenant, PlatformDeclaration) -> String?) throws(WorkspaceError) -> WorkspaceChange {
        let actor = audit.actor
        guard let tenant = try load().declaration?.tenant(named: name) else { throw .notFound("no tenant '\(name)'") }
        let file = tenant.origin.location.file
        guard let text = try? String(contentsOfFile: path(file), encoding: .utf8) else { throw .failed("cannot read \(file)") }
        _ = try Self.merge(patch, into: CELMap([]))  // a malformed patch is refused before its precondition is looked at
        try requireNoUnrecordedEdits()
        guard let ifMatch else { throw .preconditionMissing("send If-Match with the ETag of GET /v1/tenants/\(name)") }
        let tag = Self.entityTag(text)
        guard ifMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag || $0.trimmingCharacters(in: .whitespaces) == "*" }) else {
            throw .stale("tenant '\(name)' changed since that ETag; its ETag is now \(tag)")
        }
        guard Self.documentCount(text) == 1, let document = try? YAMLValues.documents(text).first, case .map(var root) = document,
              case .map(var spec)? = root["spec"] else {
            throw .conflict("tenant '\(name)' is declared in \(file) together with other documents; change it there by hand and call POST /v1/sync")
        }
        spec = try Self.merge(patch, into: spec)
        root = CELMap(root.entries.map { entry in entry.key == .string("spec") ? (entry.key, .map(spec)) : entry })
        let newText = "# Changed through the Bulkhead service by \(actor).\n" + YAMLWriter.document(Self.tree(.map(root)))
        var sources = try sources().filter { $0.name != file }
        sources.append((file, newText))
        let checked = DeclarationLoader.load(sources: sources, cache: parseCache)
        guard checked.errors.isEmpty, let declaration = checked.declaration, let changed = declaration.tenant(named: name) else {
            throw .invalid(checked.errors)
        }
        if let refusal = permits(changed, tenant, declaration) { throw .forbidden(refusal) }
        return try change(audit: audit, tenant: name, message: "tenant \(name): changed by \(actor)", after: checked, write: { () throws(WorkspaceError) in
            try write(newText, to: file)
        }, undo: { try? text.write(toFile: path(file), atomically: true, encoding: .utf8) })
    }

    /// JSON merge patch (RFC 7396) of the patchable fields: `{"spec": {...}}`; `null` removes.
    static func merge(_ patch: CELValue, into spec: CELMap) throws(WorkspaceError) -> CELMap {
        guard case .map(let root) = patch, root.count == 1, case .map(let changes)? = root["spec"] else {
            throw .invalid([Problem("bad-patch", "the body must be {\"spec\": {...}} with any of \(patchableFields.joined(separator: ", "))", at: nil, path: "")])
        }
        var entries = spec.entries
        for (key, value) in changes.entries {
            guard case .string(let field) = key, patchableFields.contains(field) else {
                throw .invalid([Problem("not-patchable", "spec.\(key) cannot be changed through PATCH", at: nil, path: "spec.\(key)",
                                        allowed: patchableFields.map { "spec.\($0)" }.joined(separator: ", "))])
            }
            let position = entries.firstIndex { $0.key == key }
            var merged = value
            if field == "quota", case .map(let quota) = value, let position, case .map(let existing) = entries[position].value {
                var quotaEntries = existing.entries
                for (quotaKey, quotaValue) in quota.entries {
                    quotaEntries.removeAll { $0.key == quotaKey }
                    if quotaValue != .null { quotaEntries.append((quotaKey, quotaValue)) }
                }
                merged = .map(CELMap(quotaEntries))
            }
            if let position { entries.remove(at: position) }
            if merged != .null { entries.append((key, merged)) }
        }
        return CELMap(entries)
    }

    /// Applies the folder as it is (on start, before the first request), with the declaration
    /// the workspace keeps, so later changes find the same render state.
    /// The folder is committed as found only once it is valid: a server that refuses to start
    /// records nothing.
    public func applyAsFound() throws(WorkspaceError) -> GitOpsOutcome {
        let checked = try load()
        guard checked.errors.isEmpty, let declaration = checked.declaration else { throw .invalid(checked.errors) }
        do { try Self.commitAll(git, message: "bulkhead serve: record the platform folder as found") } catch {
            throw .failed("cannot commit the platform folder: \(error)")
        }
        do { return try apply(declaration, true) } catch { throw .rejected("\(error)") }
    }

    /// Commits hand-made changes of the platform folder and applies them.
    public func sync(audit: AuditEntry) throws(WorkspaceError) -> WorkspaceChange {
        let actor = audit.actor
        let previous = current
        current = nil
        let checked: DeclarationLoader.Result
        do { checked = try load() } catch { current = previous; throw error }
        // Refused: the service goes on answering from the declaration it had, not the broken folder.
        guard checked.errors.isEmpty else { current = previous; throw .invalid(checked.errors) }
        return try change(audit: audit, tenant: "", message: "sync: changes made by hand, recorded by \(actor)", after: checked, thorough: true, write: {}, undo: {})
    }

    /// Writes, applies, and commits the platform folder; undoes the write when the apply fails.
    /// `after` is the declaration once the change is made.
    /// Before anything is written, the change is noted as pending in the store with both
    /// repositories' commits; the caller's `ServiceStore.finish` closes it.
    func change(audit: AuditEntry, tenant: String, message: String, after: DeclarationLoader.Result, thorough: Bool = false, write: () throws(WorkspaceError) -> Void,
                undo: () -> Void) throws(WorkspaceError) -> WorkspaceChange {
        let before = try head()
        var pending = audit
        pending.platformCommitBefore = before
        do {
            pending.gitopsCommitBefore = try gitops.head()
            try store.begin(pending)
        } catch { throw .failed("cannot note the change as pending: \(error)") }
        try write()
        current = nil
        ServiceFault.point("service-after-write")
        let gitops: GitOpsOutcome
        do {
            guard let declaration = after.declaration else { throw WorkspaceError.invalid(after.errors) }
            gitops = try apply(declaration, thorough)
        } catch {
            undo()
            throw .rejected("\(error)")
        }
        current = after
        ServiceFault.point("service-after-apply")
        do { try Self.commitAll(git, message: message) } catch { throw .failed("the GitOps repository has the change, but committing the platform folder failed: \(error)") }
        ServiceFault.point("service-after-platform-commit")
        return WorkspaceChange(tenant: tenant, platformCommitBefore: before, platformCommitAfter: try head(), gitops: gitops)
    }

    /// Refuses a change while the platform folder holds edits made by hand and not yet recorded
    /// with `POST /v1/sync`: the change would otherwise commit and apply them under its own name.
    func requireNoUnrecordedEdits() throws(WorkspaceError) {
        let status: Data
        do { status = try git.run(["status", "--porcelain", "-z", "--untracked-files=all"]).output } catch {
            throw .failed("cannot read the platform folder's git status: \(error)")
        }
        guard !status.isEmpty else { return }
        // Entries are "XY path" (a rename adds its old path as a second entry).
        let paths = status.split(separator: 0).compactMap { entry -> String? in
            entry.count > 3 && entry[entry.startIndex + 2] == 0x20 ? String(decoding: entry.dropFirst(3), as: UTF8.self) : nil
        }
        throw .unrecordedEdits(paths)
    }

    /// The platform folder's HEAD commit.
    public func head() throws(WorkspaceError) -> String? {
        do { return try git.head() } catch { throw .failed(error.description) }
    }

    static func commitAll(_ git: Git, message: String) throws(GitOpsError) {
        try git.run(["add", "-A", "."])
        guard try git.run(["diff", "--cached", "--quiet"], allowFailure: true).status != 0 else { return }
        let identity = try git.committing()
        try identity.run(["commit", "-q", "-F", "-"], input: Data(message.utf8))
    }

    func sources() throws(WorkspaceError) -> [(name: String, text: String)] {
        do {
            return try DeclarationLoader.declarationFiles(in: folder).map { name in
                (name, (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "")
            }
        } catch { throw .failed(error.description) }
    }

    func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    func write(_ text: String, to file: String) throws(WorkspaceError) {
        let url = folder.appendingPathComponent(file)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch { throw .failed("cannot write \(file): \(error.localizedDescription)") }
    }

    static func documentCount(_ text: String) -> Int {
        text.components(separatedBy: "\n---").filter { part in
            part.split(separator: "\n").contains { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0 != "---" }
        }.count
    }

    /// The document with `apiVersion` and `kind` set when absent.
    static func withDefaults(_ map: CELMap) -> CELMap {
        var entries = map.entries.filter { if case .string = $0.key { return true } else { return false } }
        if map["apiVersion"] == nil { entries.insert((.string("apiVersion"), .string(declarationAPIVersion)), at: 0) }
        if map["kind"] == nil { entries.insert((.string("kind"), .string("Tenant")), at: 1) }
        return CELMap(entries)
    }

    /// A JSON value as the tree the YAML writer writes.
    static func tree(_ value: CELValue) -> TreeNode {
        switch value {
        case .string(let text): return .string(text)
        case .int(let number): return .int(number)
        case .uint(let number): return .int(Int64(clamping: number))
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .list(let items): return .list(ListBox(items: items.map(tree)))
        case .map(let map):
            return .map(MapBox(entries: map.entries.compactMap { entry in
                guard case .string(let key) = entry.key else { return nil }
                return (key, tree(entry.value))
            }))
        default: return .null
        }
    }
}

/// Test-only fault injection: with `BULKHEAD_FAULT=<point>` in the environment the server dies
/// at that point as if killed, so tests can check what a restart settles.
enum ServiceFault {
    static let target = ProcessInfo.processInfo.environment["BULKHEAD_FAULT"]

    static func point(_ name: String) {
        guard let target, target == name else { return }
        kill(getpid(), SIGKILL)
    }
}
