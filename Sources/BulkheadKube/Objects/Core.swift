// Core (v1) objects: Namespace, ResourceQuota, LimitRange, ServiceAccount, Service.

public struct Namespace: KubeObject {
    public let apiVersion = "v1"
    public let kind = "Namespace"
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

public struct ResourceQuota: KubeObject {
    public struct Spec: Encodable, Sendable { public var hard: [String: String] }
    public let apiVersion = "v1"
    public let kind = "ResourceQuota"
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, hard: [String: String]) {
        self.metadata = metadata
        self.spec = Spec(hard: hard)
    }
}

public struct LimitRange: KubeObject {
    public struct Item: Encodable, Sendable {
        public var type: String
        public var defaultRequest: [String: String]?
        public var `default`: [String: String]?
        public var max: [String: String]?
        public init(type: String, defaultRequest: [String: String]?, default: [String: String]?, max: [String: String]?) {
            self.type = type
            self.defaultRequest = defaultRequest
            self.default = `default`
            self.max = max
        }
    }
    public struct Spec: Encodable, Sendable { public var limits: [Item] }
    public let apiVersion = "v1"
    public let kind = "LimitRange"
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, limits: [Item]) {
        self.metadata = metadata
        self.spec = Spec(limits: limits)
    }
}

public struct ServiceAccount: KubeObject {
    public let apiVersion = "v1"
    public let kind = "ServiceAccount"
    public var metadata: ObjectMeta
    public var automountServiceAccountToken: Bool?
    public init(metadata: ObjectMeta, automountServiceAccountToken: Bool? = nil) {
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
    }
}

public struct Service: KubeObject {
    public struct Port: Encodable, Sendable {
        public var name: String
        public var port: Int
        public var targetPort: IntOrString
        public var `protocol`: String
        public init(name: String, port: Int, targetPort: IntOrString, protocol: String = "TCP") {
            self.name = name
            self.port = port
            self.targetPort = targetPort
            self.protocol = `protocol`
        }
    }
    public struct Spec: Encodable, Sendable {
        public var type: String
        public var selector: [String: String]
        public var ports: [Port]
    }
    public let apiVersion = "v1"
    public let kind = "Service"
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, selector: [String: String], ports: [Port]) {
        self.metadata = metadata
        self.spec = Spec(type: "ClusterIP", selector: selector, ports: ports)
    }
}
