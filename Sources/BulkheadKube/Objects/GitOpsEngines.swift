// Argo CD (`argoproj.io/v1alpha1` AppProject, Application, ApplicationSet) and Flux
// (`kustomize.toolkit.fluxcd.io/v1` Kustomization) objects.

public struct GroupKind: Encodable, Sendable, Hashable {
    public var group: String
    public var kind: String
    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }
}

public struct AppProjectSpec: Encodable, Sendable {
    public struct Destination: Encodable, Sendable {
        public var server: String
        public var namespace: String
    }
    public var description: String?
    public var sourceRepos: [String]
    public var destinations: [Destination]
    public var clusterResourceWhitelist: [GroupKind]
    public var namespaceResourceWhitelist: [GroupKind]?
    public var namespaceResourceBlacklist: [GroupKind]?

    public init(description: String?, sourceRepos: [String], destinations: [(server: String, namespace: String)], clusterResourceWhitelist: [GroupKind], namespaceResourceWhitelist: [GroupKind]?, namespaceResourceBlacklist: [GroupKind]? = nil) {
        self.description = description
        self.sourceRepos = sourceRepos
        self.destinations = destinations.map { Destination(server: $0.server, namespace: $0.namespace) }
        self.clusterResourceWhitelist = clusterResourceWhitelist
        self.namespaceResourceWhitelist = namespaceResourceWhitelist
        self.namespaceResourceBlacklist = namespaceResourceBlacklist
    }
}

/// The parts of an Argo CD Application spec that Bulkhead renders, shared with ApplicationSet templates.
public struct ApplicationSpec: Encodable, Sendable {
    public struct Source: Encodable, Sendable {
        public var repoURL: String
        public var targetRevision: String
        public var path: String
    }
    public struct Destination: Encodable, Sendable {
        public var server: String
        public var namespace: String?
    }
    public struct SyncPolicy: Encodable, Sendable {
        public struct Automated: Encodable, Sendable {
            public var prune = true
            public var selfHeal = true
        }
        public var automated = Automated()
        public var syncOptions: [String]?
    }
    public var project: String
    public var source: Source
    public var destination: Destination
    public var syncPolicy: SyncPolicy

    public init(project: String, repoURL: String, revision: String, path: String, server: String, namespace: String?, syncOptions: [String]?) {
        self.project = project
        self.source = Source(repoURL: repoURL, targetRevision: revision, path: path)
        self.destination = Destination(server: server, namespace: namespace)
        self.syncPolicy = SyncPolicy(syncOptions: syncOptions)
    }
}

public struct ApplicationSetSpec: Encodable, Sendable {
    public struct Directory: Encodable, Sendable { public var path: String }
    public struct GitGenerator: Encodable, Sendable {
        public var repoURL: String
        public var revision: String
        public var directories: [Directory]
    }
    public struct Generator: Encodable, Sendable { public var git: GitGenerator }
    public struct TemplateMeta: Encodable, Sendable {
        public var name: String
        public var labels: [String: String]?
        public init(name: String, labels: [String: String]?) {
            self.name = name
            self.labels = labels
        }
    }
    public struct Template: Encodable, Sendable {
        public var metadata: TemplateMeta
        public var spec: ApplicationSpec
        public init(metadata: TemplateMeta, spec: ApplicationSpec) {
            self.metadata = metadata
            self.spec = spec
        }
    }
    public var goTemplate = true
    public var goTemplateOptions = ["missingkey=error"]
    public var generators: [Generator]
    public var template: Template

    public init(repoURL: String, revision: String, directories: [String], template: Template) {
        self.generators = [Generator(git: GitGenerator(repoURL: repoURL, revision: revision, directories: directories.map(Directory.init(path:))))]
        self.template = template
    }
}

public struct FluxKustomizationSpec: Encodable, Sendable {
    public struct SourceRef: Encodable, Sendable {
        public var kind = "GitRepository"
        public var name: String
    }
    public struct DependsOn: Encodable, Sendable { public var name: String }
    public var interval: String
    public var path: String
    public var prune = true
    public var wait: Bool?
    public var sourceRef: SourceRef
    public var dependsOn: [DependsOn]?

    public init(interval: String, path: String, source: String, dependsOn: [String]?) {
        self.interval = interval
        self.path = path
        self.sourceRef = SourceRef(name: source)
        self.dependsOn = dependsOn.map { $0.map(DependsOn.init(name:)) }
    }
}
