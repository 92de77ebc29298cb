// Gateway API HTTPRoute and KEDA ScaledObject / TriggerAuthentication.

/// `gateway.networking.k8s.io/v1` HTTPRoute with one path-prefix rule.
public struct HTTPRouteSpec: Encodable, Sendable {
    public struct ParentRef: Encodable, Sendable {
        public var group = "gateway.networking.k8s.io"
        public var kind = "Gateway"
        public var name: String
        public var namespace: String
    }
    public struct PathMatch: Encodable, Sendable {
        public var type = "PathPrefix"
        public var value: String
    }
    public struct Match: Encodable, Sendable { public var path: PathMatch }
    public struct BackendRef: Encodable, Sendable {
        public var name: String
        public var port: Int
    }
    public struct Rule: Encodable, Sendable {
        public var matches: [Match]
        public var backendRefs: [BackendRef]
    }
    public var parentRefs: [ParentRef]
    public var rules: [Rule]

    public init(gatewayName: String, gatewayNamespace: String, pathPrefix: String, service: String, port: Int) {
        self.parentRefs = [ParentRef(name: gatewayName, namespace: gatewayNamespace)]
        self.rules = [Rule(matches: [Match(path: PathMatch(value: pathPrefix))], backendRefs: [BackendRef(name: service, port: port)])]
    }
}

/// `keda.sh/v1alpha1` ScaledObject.
public struct ScaledObjectSpec: Encodable, Sendable {
    public struct Target: Encodable, Sendable {
        public var apiVersion = "apps/v1"
        public var kind = "Deployment"
        public var name: String
    }
    public struct AuthenticationRef: Encodable, Sendable { public var name: String }
    public struct Trigger: Encodable, Sendable {
        public var type: String
        public var metadata: [String: String]
        public var authenticationRef: AuthenticationRef
    }
    public var scaleTargetRef: Target
    public var minReplicaCount: Int
    public var maxReplicaCount: Int
    public var triggers: [Trigger]

    /// Scales a Deployment from zero on the length of an SQS queue.
    public init(deployment: String, maxReplicas: Int, queueURL: String, region: String, targetLength: Int, authentication: String) {
        self.scaleTargetRef = Target(name: deployment)
        self.minReplicaCount = 0
        self.maxReplicaCount = maxReplicas
        self.triggers = [Trigger(
            type: "aws-sqs-queue",
            metadata: ["queueURL": queueURL, "queueLength": String(targetLength), "awsRegion": region],
            authenticationRef: AuthenticationRef(name: authentication)
        )]
    }
}

/// `keda.sh/v1alpha1` TriggerAuthentication using pod identity.
public struct TriggerAuthenticationSpec: Encodable, Sendable {
    public struct PodIdentity: Encodable, Sendable {
        public var provider: String
        public var roleArn: String?
    }
    public var podIdentity: PodIdentity
    public init(provider: String, roleArn: String? = nil) {
        self.podIdentity = PodIdentity(provider: provider, roleArn: roleArn)
    }
}
