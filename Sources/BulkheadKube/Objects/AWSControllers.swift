// AWS Controllers for Kubernetes (ACK) resources: IAM Role, EKS PodIdentityAssociation,
// S3 Bucket, SQS Queue. Field names follow the pinned ACK CRDs.

public struct AWSTag: Encodable, Sendable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// `iam.services.k8s.aws/v1alpha1` Role.
public struct IAMRoleSpec: Encodable, Sendable {
    public var name: String
    public var description: String?
    public var assumeRolePolicyDocument: String
    public var inlinePolicies: [String: String]?
    public var maxSessionDuration: Int?
    public var tags: [AWSTag]?
    public init(name: String, description: String?, assumeRolePolicyDocument: String, inlinePolicies: [String: String]?, maxSessionDuration: Int?, tags: [AWSTag]?) {
        self.name = name
        self.description = description
        self.assumeRolePolicyDocument = assumeRolePolicyDocument
        self.inlinePolicies = inlinePolicies
        self.maxSessionDuration = maxSessionDuration
        self.tags = tags
    }
}

public struct ResourceReference: Encodable, Sendable {
    public struct From: Encodable, Sendable { public var name: String }
    public var from: From
    public init(name: String) { self.from = From(name: name) }
}

/// `eks.services.k8s.aws/v1alpha1` PodIdentityAssociation.
public struct PodIdentityAssociationSpec: Encodable, Sendable {
    public var clusterName: String
    public var namespace: String
    public var serviceAccount: String
    public var roleRef: ResourceReference
    public var tags: [String: String]?
    public init(clusterName: String, namespace: String, serviceAccount: String, roleName: String, tags: [String: String]?) {
        self.clusterName = clusterName
        self.namespace = namespace
        self.serviceAccount = serviceAccount
        self.roleRef = ResourceReference(name: roleName)
        self.tags = tags
    }
}

/// `s3.services.k8s.aws/v1alpha1` Bucket.
public struct BucketSpec: Encodable, Sendable {
    public struct PublicAccessBlock: Encodable, Sendable {
        public var blockPublicACLs = true
        public var blockPublicPolicy = true
        public var ignorePublicACLs = true
        public var restrictPublicBuckets = true
    }
    public struct Encryption: Encodable, Sendable {
        public struct Default: Encodable, Sendable { public var sseAlgorithm: String }
        public struct Rule: Encodable, Sendable {
            public var applyServerSideEncryptionByDefault: Default
            public var bucketKeyEnabled: Bool
        }
        public var rules: [Rule]
    }
    public struct Versioning: Encodable, Sendable { public var status: String }
    public struct Tagging: Encodable, Sendable { public var tagSet: [AWSTag] }
    public struct OwnershipControls: Encodable, Sendable {
        public struct Rule: Encodable, Sendable { public var objectOwnership: String }
        public var rules: [Rule]
    }

    public var name: String
    public var publicAccessBlock = PublicAccessBlock()
    public var ownershipControls = OwnershipControls(rules: [.init(objectOwnership: "BucketOwnerEnforced")])
    public var encryption: Encryption
    public var versioning: Versioning
    public var tagging: Tagging

    /// A private bucket: public access blocked, ACLs disabled, default encryption (SSE-S3 or KMS).
    public init(name: String, versioned: Bool, sseAlgorithm: String = "AES256", tags: [AWSTag]) {
        self.name = name
        self.encryption = Encryption(rules: [.init(applyServerSideEncryptionByDefault: .init(sseAlgorithm: sseAlgorithm), bucketKeyEnabled: true)])
        self.versioning = Versioning(status: versioned ? "Enabled" : "Suspended")
        self.tagging = Tagging(tagSet: tags)
    }
}

/// `sqs.services.k8s.aws/v1alpha1` Queue (the CRD types every attribute as a string).
public struct QueueSpec: Encodable, Sendable {
    public var queueName: String
    public var sqsManagedSSEEnabled = "true"
    public var messageRetentionPeriod: String
    public var visibilityTimeout: String
    public var tags: [String: String]?
    public init(queueName: String, messageRetentionSeconds: Int, visibilityTimeoutSeconds: Int, tags: [String: String]?) {
        self.queueName = queueName
        self.messageRetentionPeriod = String(messageRetentionSeconds)
        self.visibilityTimeout = String(visibilityTimeoutSeconds)
        self.tags = tags
    }
}
