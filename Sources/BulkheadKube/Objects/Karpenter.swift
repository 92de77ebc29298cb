// Karpenter `karpenter.sh/v1` NodePool and `karpenter.k8s.aws/v1` EC2NodeClass.

public struct Taint: Encodable, Sendable, Hashable {
    public var key: String
    public var value: String?
    public var effect: String
    public init(key: String, value: String?, effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

public struct NodeSelectorRequirement: Encodable, Sendable, Hashable {
    public var key: String
    public var `operator`: String
    public var values: [String]
    public init(key: String, operator: String = "In", values: [String]) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

public struct NodePoolSpec: Encodable, Sendable {
    public struct NodeClassRef: Encodable, Sendable {
        public var group = "karpenter.k8s.aws"
        public var kind = "EC2NodeClass"
        public var name: String
        public init(name: String) { self.name = name }
    }
    public struct TemplateMetadata: Encodable, Sendable {
        public var labels: [String: String]?
        public init(labels: [String: String]?) { self.labels = labels }
    }
    public struct TemplateSpec: Encodable, Sendable {
        public var nodeClassRef: NodeClassRef
        public var requirements: [NodeSelectorRequirement]
        public var taints: [Taint]?
        public var expireAfter: String?
        public var terminationGracePeriod: String?
        public init(nodeClassRef: NodeClassRef, requirements: [NodeSelectorRequirement], taints: [Taint]?, expireAfter: String?, terminationGracePeriod: String?) {
            self.nodeClassRef = nodeClassRef
            self.requirements = requirements
            self.taints = taints
            self.expireAfter = expireAfter
            self.terminationGracePeriod = terminationGracePeriod
        }
    }
    public struct Template: Encodable, Sendable {
        public var metadata: TemplateMetadata?
        public var spec: TemplateSpec
        public init(metadata: TemplateMetadata?, spec: TemplateSpec) {
            self.metadata = metadata
            self.spec = spec
        }
    }
    public struct Budget: Encodable, Sendable {
        public var nodes: String
        public var reasons: [String]?
        public init(nodes: String, reasons: [String]?) {
            self.nodes = nodes
            self.reasons = reasons
        }
    }
    public struct Disruption: Encodable, Sendable {
        public var consolidationPolicy: String
        public var consolidateAfter: String
        public var budgets: [Budget]?
        public init(consolidationPolicy: String, consolidateAfter: String, budgets: [Budget]?) {
            self.consolidationPolicy = consolidationPolicy
            self.consolidateAfter = consolidateAfter
            self.budgets = budgets
        }
    }
    public var template: Template
    public var disruption: Disruption
    public var limits: [String: String]?
    public var weight: Int?

    public init(template: Template, disruption: Disruption, limits: [String: String]?, weight: Int?) {
        self.template = template
        self.disruption = disruption
        self.limits = limits
        self.weight = weight
    }
}

public struct EC2NodeClassSpec: Encodable, Sendable {
    public struct SelectorTerm: Encodable, Sendable {
        public var tags: [String: String]?
        public var alias: String?
        public init(tags: [String: String]? = nil, alias: String? = nil) {
            self.tags = tags
            self.alias = alias
        }
    }
    public struct CapacityReservationTerm: Encodable, Sendable { public var tags: [String: String] }
    public struct MetadataOptions: Encodable, Sendable {
        public var httpEndpoint = "enabled"
        public var httpProtocolIPv6 = "disabled"
        public var httpPutResponseHopLimit = 1
        public var httpTokens = "required"
    }
    public struct BlockDevice: Encodable, Sendable {
        public struct EBS: Encodable, Sendable {
            public var volumeSize: String
            public var volumeType = "gp3"
            public var encrypted = true
            public var deleteOnTermination = true
        }
        public var deviceName = "/dev/xvda"
        public var ebs: EBS
    }
    public var role: String
    public var amiSelectorTerms: [SelectorTerm]
    public var subnetSelectorTerms: [SelectorTerm]
    public var securityGroupSelectorTerms: [SelectorTerm]
    public var capacityReservationSelectorTerms: [CapacityReservationTerm]?
    public var metadataOptions = MetadataOptions()
    public var blockDeviceMappings: [BlockDevice]
    public var tags: [String: String]?

    public init(role: String, amiAlias: String, discoveryTags: [String: String], capacityReservationTags: [String: String]?, rootVolumeSize: String, tags: [String: String]?) {
        self.role = role
        self.amiSelectorTerms = [SelectorTerm(alias: amiAlias)]
        self.subnetSelectorTerms = [SelectorTerm(tags: discoveryTags)]
        self.securityGroupSelectorTerms = [SelectorTerm(tags: discoveryTags)]
        self.capacityReservationSelectorTerms = capacityReservationTags.map { [CapacityReservationTerm(tags: $0)] }
        self.blockDeviceMappings = [BlockDevice(ebs: .init(volumeSize: rootVolumeSize))]
        self.tags = tags
    }
}
