// networking.k8s.io/v1 NetworkPolicy and rbac.authorization.k8s.io/v1 Role and RoleBinding.

public struct NetworkPolicy: KubeObject {
    public struct Port: Encodable, Sendable, Hashable {
        public var `protocol`: String
        public var port: IntOrString
        public init(protocol: String, port: IntOrString) {
            self.protocol = `protocol`
            self.port = port
        }
    }
    public struct IPBlock: Encodable, Sendable, Hashable {
        public var cidr: String
        public var except: [String]?
        public init(cidr: String, except: [String]? = nil) {
            self.cidr = cidr
            self.except = except
        }
    }
    public struct Peer: Encodable, Sendable, Hashable {
        public var namespaceSelector: LabelSelector?
        public var podSelector: LabelSelector?
        public var ipBlock: IPBlock?
        public init(namespaceSelector: LabelSelector? = nil, podSelector: LabelSelector? = nil, ipBlock: IPBlock? = nil) {
            self.namespaceSelector = namespaceSelector
            self.podSelector = podSelector
            self.ipBlock = ipBlock
        }
    }
    public struct IngressRule: Encodable, Sendable {
        public var from: [Peer]?
        public var ports: [Port]?
        public init(from: [Peer]?, ports: [Port]? = nil) {
            self.from = from
            self.ports = ports
        }
    }
    public struct EgressRule: Encodable, Sendable {
        public var to: [Peer]?
        public var ports: [Port]?
        public init(to: [Peer]?, ports: [Port]? = nil) {
            self.to = to
            self.ports = ports
        }
    }
    public struct Spec: Encodable, Sendable {
        public var podSelector: LabelSelector
        public var policyTypes: [String]
        public var ingress: [IngressRule]?
        public var egress: [EgressRule]?
        public init(podSelector: LabelSelector = LabelSelector(), policyTypes: [String], ingress: [IngressRule]? = nil, egress: [EgressRule]? = nil) {
            self.podSelector = podSelector
            self.policyTypes = policyTypes
            self.ingress = ingress
            self.egress = egress
        }
    }
    public let apiVersion = "networking.k8s.io/v1"
    public let kind = "NetworkPolicy"
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct PolicyRule: Encodable, Sendable, Hashable {
    public var apiGroups: [String]
    public var resources: [String]
    public var verbs: [String]
    public init(apiGroups: [String], resources: [String], verbs: [String]) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
    }
}

public struct Role: KubeObject {
    public let apiVersion = "rbac.authorization.k8s.io/v1"
    public let kind = "Role"
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]
    public init(metadata: ObjectMeta, rules: [PolicyRule]) {
        self.metadata = metadata
        self.rules = rules
    }
}

public struct RoleBinding: KubeObject {
    public struct Subject: Encodable, Sendable {
        public var apiGroup: String
        public var kind: String
        public var name: String
        public init(group: String) {
            self.apiGroup = "rbac.authorization.k8s.io"
            self.kind = "Group"
            self.name = group
        }
    }
    public struct RoleRef: Encodable, Sendable {
        public var apiGroup = "rbac.authorization.k8s.io"
        public var kind = "Role"
        public var name: String
    }
    public let apiVersion = "rbac.authorization.k8s.io/v1"
    public let kind = "RoleBinding"
    public var metadata: ObjectMeta
    public var subjects: [Subject]
    public var roleRef: RoleRef
    public init(metadata: ObjectMeta, roleName: String, groups: [String]) {
        self.metadata = metadata
        self.subjects = groups.map(Subject.init(group:))
        self.roleRef = RoleRef(name: roleName)
    }
}
