public import Foundation
import BulkheadKube
import Yams

/// Loads a platform folder: every `*.yaml`/`*.yml` file below it (multi-document files allowed),
/// validated as a whole. Reports every problem found, never only the first.
public enum DeclarationLoader {
    /// The outcome of loading: the declaration when there were no errors, and all problems.
    public struct Result: Sendable {
        public var declaration: PlatformDeclaration?
        /// Errors and warnings, sorted by location.
        public var problems: [Problem]
        public var errors: [Problem] { problems.filter { $0.severity == .error } }
        public var warnings: [Problem] { problems.filter { $0.severity == .warning } }
    }

    /// Raised when the folder itself cannot be used (missing, not a folder): a usage error.
    public struct FolderError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The folder below the platform folder that holds policy files (read by the policy loader,
    /// not as declarations).
    public static let policyFolder = "policies"

    /// The declaration files below `folder`, relative to it, sorted. Hidden folders and the
    /// `policies/` folder are skipped.
    public static func declarationFiles(in folder: URL) throws(FolderError) -> [String] {
        try yamlFiles(in: folder).filter { !$0.hasPrefix(policyFolder + "/") }
    }

    /// The policy files in `policies/` below `folder`, relative to `folder`, sorted.
    public static func policyFiles(in folder: URL) throws(FolderError) -> [String] {
        try yamlFiles(in: folder).filter { $0.hasPrefix(policyFolder + "/") }
    }

    /// Every `*.yaml`/`*.yml` file below `folder`, relative to it, sorted; hidden folders skipped.
    static func yamlFiles(in folder: URL) throws(FolderError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw FolderError(description: "platform folder '\(folder.path)' does not exist")
        }
        guard isDirectory.boolValue else {
            throw FolderError(description: "'\(folder.path)' is not a folder; give the folder that holds the platform's YAML files")
        }
        var files: [String] = []
        let base = folder.standardizedFileURL.path
        if let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) {
            for case let url as URL in walker {
                // A git repository inside the folder is not part of the declaration: it is most
                // likely the GitOps repository itself (`bulkhead apply --repo gitops` run in the
                // platform folder), whose rendered files must not be read back as declarations.
                if FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) {
                    walker.skipDescendants()
                    continue
                }
                guard ["yaml", "yml"].contains(url.pathExtension) else { continue }
                let path = url.standardizedFileURL.path
                files.append(path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path)
            }
        }
        return files.sorted()
    }

    /// Loads and validates the folder. `displayPrefix` is put before file names in locations.
    public static func load(folder: URL, displayPrefix: String? = nil, cache: ParseCache? = nil) throws(FolderError) -> Result {
        let files = try declarationFiles(in: folder)
        let prefix = displayPrefix ?? folder.relativePath
        var sources: [(name: String, text: String)] = []
        var problems: [Problem] = []
        for file in files {
            let display = prefix.isEmpty || prefix == "." ? file : (prefix.hasSuffix("/") ? prefix + file : prefix + "/" + file)
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) else {
                problems.append(Problem("unreadable", "cannot read the file", at: SourceLocation(file: display, line: 1, column: 1)))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                problems.append(Problem("not-utf8", "the file is not UTF-8 text", at: SourceLocation(file: display, line: 1, column: 1)))
                continue
            }
            sources.append((display, text))
        }
        if files.isEmpty {
            problems.append(Problem("empty-folder", "no declaration files found in '\(folder.relativePath)'", at: nil,
                                    allowed: "files ending in .yaml or .yml holding Platform, Cluster, Tier and Tenant documents"))
        }
        var result = load(sources: sources, cache: cache)
        result.declaration?.locationPrefix = prefix.isEmpty || prefix == "." ? "" : (prefix.hasSuffix("/") ? prefix : prefix + "/")
        result.problems = sortedProblems(problems + result.problems)
        if !result.errors.isEmpty { result.declaration = nil }
        return result
    }

    /// Loads declarations from in-memory sources (file name, text); used by `load(folder:)` and tests.
    /// With a `cache`, a file whose text is unchanged since an earlier load is not parsed again.
    public static func load(sources: [(name: String, text: String)], cache: ParseCache? = nil) -> Result {
        // Files parse independently: spread them over the cores, then merge in file order.
        let parsed = sources.map { Source(name: $0.name, text: $0.text) }.parallelMap { source in
            if let kept = cache?.documents(file: source.name, text: source.text) { return kept }
            var documents = DocumentSet()
            documents.parse(file: source.name, text: source.text)
            cache?.keep(documents, file: source.name, text: source.text)
            return documents
        }
        var documents = DocumentSet()
        for part in parsed { documents.merge(part) }
        var problems = documents.problems
        var declaration = CrossChecks.assemble(documents, problems: &problems)
        for tenant in declaration.tenants {
            guard var source = documents.tenantSources[tenant.origin.location] else { continue }
            source.valueHash = TenantSource.valueHash(of: tenant)
            declaration.tenantSources[tenant.name] = source
        }
        let sorted = sortedProblems(problems)
        return Result(declaration: sorted.contains { $0.severity == .error } ? nil : declaration, problems: sorted)
    }
}

/// One declaration file's name and text.
private struct Source: Sendable {
    var name: String
    var text: String
}
