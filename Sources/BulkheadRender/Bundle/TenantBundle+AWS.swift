import BulkheadKube
import BulkheadModel

extension TenantBundleRenderer {
    var roleName: String { GeneratedNames.iamRole(tenant: tenant.name, cluster: cluster.name) }
    var roleARN: String { "arn:aws:iam::\(cluster.accountId):role/\(roleName)" }
    var serviceAccountName: String { tenant.name }

    var awsTags: [String: String] {
        ["bulkhead.dev/tenant": tenant.name, "bulkhead.dev/team": tenant.team, "bulkhead.dev/cost-center": tenant.costCenter, "bulkhead.dev/cluster": cluster.name]
    }

    func bucketName(_ bucket: String) -> String {
        GeneratedNames.bucket(prefix: platform.bucketPrefix, tenant: tenant.name, bucket: bucket, cluster: cluster.name)
    }

    var queueApps: [(app: App, queue: App.Queue)] { tenant.apps.compactMap { app in app.queue.map { (app, $0) } } }

    func queueName(_ app: App) -> String { GeneratedNames.queue(tenant: tenant.name, app: app.name, cluster: cluster.name) }

    /// Session tags EKS Pod Identity attaches, which scope the role to this namespace on this cluster.
    var sessionTagCondition: [String: [String: String]] {
        ["StringEquals": ["aws:PrincipalTag/kubernetes-namespace": tenant.name, "aws:PrincipalTag/eks-cluster-name": cluster.name]]
    }

    func trustPolicy() -> IAMPolicyDocument {
        IAMPolicyDocument(statement: [
            .init(sid: "EKSPodIdentity", principal: ["Service": "pods.eks.amazonaws.com"], action: ["sts:AssumeRole", "sts:TagSession"],
                  condition: ["StringEquals": ["aws:SourceAccount": cluster.accountId, "aws:RequestTag/kubernetes-namespace": tenant.name, "aws:RequestTag/eks-cluster-name": cluster.name]]),
        ])
    }

    /// Access to the tenant's own buckets and queues only, and only from its own namespace and cluster.
    func permissionsPolicy() -> IAMPolicyDocument? {
        var statements: [IAMPolicyDocument.Statement] = []
        if !tenant.buckets.isEmpty {
            let names = tenant.buckets.map(bucketName)
            statements.append(.init(sid: "TenantBucketList", action: ["s3:ListBucket", "s3:GetBucketLocation"], resource: names.map { "arn:aws:s3:::\($0)" }, condition: sessionTagCondition))
            statements.append(.init(sid: "TenantBucketObjects", action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], resource: names.map { "arn:aws:s3:::\($0)/*" }, condition: sessionTagCondition))
        }
        if !queueApps.isEmpty {
            let arns = queueApps.map { "arn:aws:sqs:\(cluster.region):\(cluster.accountId):\(queueName($0.app))" }
            statements.append(.init(sid: "TenantQueues", action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], resource: arns, condition: sessionTagCondition))
        }
        return statements.isEmpty ? nil : IAMPolicyDocument(statement: statements)
    }

    /// The tenant's ServiceAccount, its IAM role (ACK) and the Pod Identity association between them.
    func workloadIdentity() throws -> (objects: [any KubeObject], trust: IAMPolicyDocument, permissions: IAMPolicyDocument?) {
        let trust = trustPolicy()
        let permissions = permissionsPolicy()
        let inline = try permissions.map { ["tenant-resources": try Manifests.compactJSON($0)] }
        let role = SpecObject(apiVersion: "iam.services.k8s.aws/v1alpha1", kind: "Role", metadata: meta("tenant-workload"), spec: IAMRoleSpec(
            name: roleName, description: "Bulkhead workload role of tenant \(tenant.name) on cluster \(cluster.name)",
            assumeRolePolicyDocument: try Manifests.compactJSON(trust), inlinePolicies: inline, maxSessionDuration: 3600,
            tags: awsTags.sorted { $0.key < $1.key }.map { AWSTag(key: $0.key, value: $0.value) }))
        let association = SpecObject(apiVersion: "eks.services.k8s.aws/v1alpha1", kind: "PodIdentityAssociation", metadata: meta("tenant-workload"), spec: PodIdentityAssociationSpec(
            clusterName: cluster.name, namespace: tenant.name, serviceAccount: serviceAccountName, roleName: "tenant-workload", tags: awsTags))
        let account = ServiceAccount(metadata: meta(serviceAccountName))
        return ([account, role, association], trust, permissions)
    }

    func buckets() -> [any KubeObject] {
        tenant.buckets.map { bucket in
            SpecObject(apiVersion: "s3.services.k8s.aws/v1alpha1", kind: "Bucket", metadata: meta("bucket-\(bucket)"), spec: BucketSpec(
                name: bucketName(bucket), versioned: tier.versioning,
                tags: [AWSTag(key: "bulkhead.dev/tenant", value: tenant.name), AWSTag(key: "bulkhead.dev/team", value: tenant.team), AWSTag(key: "bulkhead.dev/cost-center", value: tenant.costCenter)]))
        }
    }

    /// Routed apps get a Service and an HTTPRoute at `/<tenant>/<app>` on the cluster's gateway;
    /// queue workers get an SQS queue and a KEDA scaler from zero on its length.
    func apps() -> [any KubeObject] {
        var objects: [any KubeObject] = []
        for app in tenant.apps {
            if let port = app.port {
                var appMeta = meta(app.name)
                appMeta.labels?["app.kubernetes.io/name"] = app.name
                objects.append(Service(metadata: appMeta, selector: ["app.kubernetes.io/name": app.name], ports: [.init(name: "http", port: port, targetPort: .int(port))]))
                objects.append(SpecObject(apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: appMeta, spec: HTTPRouteSpec(
                    gatewayName: cluster.gateway.name, gatewayNamespace: cluster.gateway.namespace, pathPrefix: "/\(tenant.name)/\(app.name)", service: app.name, port: port)))
            }
            if let queue = app.queue {
                let name = queueName(app)
                objects.append(SpecObject(apiVersion: "sqs.services.k8s.aws/v1alpha1", kind: "Queue", metadata: meta("queue-\(app.name)"), spec: QueueSpec(
                    queueName: name, messageRetentionSeconds: 345_600, visibilityTimeoutSeconds: 60, tags: awsTags)))
                objects.append(SpecObject(apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: meta(app.name), spec: ScaledObjectSpec(
                    deployment: app.name, maxReplicas: queue.maxReplicas, queueURL: "https://sqs.\(cluster.region).amazonaws.com/\(cluster.accountId)/\(name)",
                    region: cluster.region, targetLength: queue.targetLength, authentication: "tenant-aws")))
            }
        }
        if !queueApps.isEmpty {
            objects.append(SpecObject(apiVersion: "keda.sh/v1alpha1", kind: "TriggerAuthentication", metadata: meta("tenant-aws"), spec: TriggerAuthenticationSpec(provider: "aws")))
        }
        return objects
    }
}
