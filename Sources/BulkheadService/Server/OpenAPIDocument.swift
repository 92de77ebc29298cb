import BulkheadKube
import Foundation

/// The OpenAPI 3.1 description of every route, served at `/openapi.yaml` (kept beside the routes
/// in ServiceServer.swift; `scripts/test.sh` checks it with openapi-spec-validator and runs
/// schemathesis against it). The platform's tiers and regions are filled in, so a client (or a
/// fuzzer) knows which values this platform takes.
enum OpenAPIDocument {
    static func yaml(tiers: [String], regions: [String]) -> String {
        let tierSchema = tiers.isEmpty ? "{type: string}" : "{type: string, enum: [\(tiers.map(YAMLWriter.quoted).joined(separator: ", "))]}"
        let regionSchema = regions.isEmpty ? "{type: string}" : "{type: string, enum: [\(regions.map(YAMLWriter.quoted).joined(separator: ", "))]}"
        let example = tiers.first.map { tier in
            "\n      example: {metadata: {name: example-shop}, spec: {tier: \(YAMLWriter.quoted(tier)), owners: [shop-admins], team: shop, costCenter: CC-1, environments: [dev]}}"
        } ?? ""
        return """
    openapi: 3.1.0
    info:
      title: Bulkhead service
      version: 0.1.0
      description: >-
        Self-service tenant onboarding. Changes are written to the platform folder (a git
        repository), applied to the GitOps repository with one commit, and recorded in a
        hash-chained audit trail.
    servers:
      - url: http://127.0.0.1:8080
    security:
      - bearer: []
    paths:
      /healthz:
        get:
          summary: Liveness
          security: []
          responses:
            '200': {description: The process is up., content: {text/plain: {schema: {type: string}}}}
      /readyz:
        get:
          summary: Readiness
          security: []
          responses:
            '200': {description: The server answers requests., content: {text/plain: {schema: {type: string}}}}
      /metrics:
        get:
          summary: Prometheus metrics
          security: []
          responses:
            '200': {description: The text exposition format., content: {text/plain: {schema: {type: string}}}}
      /v1/tenants:
        get:
          summary: List tenants (a tenant-admin sees only its own)
          parameters:
            - {name: team, in: query, schema: {type: string}}
            - {name: tier, in: query, schema: {type: string}}
            - {name: environment, in: query, schema: {type: string}}
            - {name: cluster, in: query, schema: {type: string}}
            - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
            - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
          responses:
            '200': {description: One page of tenants., content: {application/json: {schema: {$ref: '#/components/schemas/TenantPage'}}}}
            '400': {$ref: '#/components/responses/Error'}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
        post:
          summary: Create a tenant (platform-admin)
          parameters:
            - {name: Idempotency-Key, in: header, schema: {type: string, minLength: 1, maxLength: 255}}
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: '#/components/schemas/TenantDocument'}}}
          responses:
            '201': {description: 'Declared, applied and committed.', content: {application/json: {schema: {$ref: '#/components/schemas/Change'}}}}
            '400': {$ref: '#/components/responses/Error'}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '409': {$ref: '#/components/responses/Error'}
            '413': {$ref: '#/components/responses/Error'}
            '422': {$ref: '#/components/responses/Error'}
      /v1/tenants/{name}:
        parameters:
          - {name: name, in: path, required: true, schema: {type: string}}
        get:
          summary: A tenant's declaration and placements; the ETag names this version
          responses:
            '200':
              description: The tenant.
              headers: {ETag: {schema: {type: string}}}
              content: {application/json: {schema: {$ref: '#/components/schemas/Tenant'}}}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '404': {$ref: '#/components/responses/Error'}
        patch:
          summary: Change quota, apps, buckets or owners (JSON merge patch of spec)
          parameters:
            - name: If-Match
              in: header
              description: The ETag from GET (or * for any version). Without it the answer is 428.
              schema: {type: string}
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: '#/components/schemas/TenantPatch'}}}
          responses:
            '200': {description: Applied and committed., content: {application/json: {schema: {$ref: '#/components/schemas/Change'}}}}
            '400': {$ref: '#/components/responses/Error'}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '404': {$ref: '#/components/responses/Error'}
            '409': {$ref: '#/components/responses/Error'}
            '412': {$ref: '#/components/responses/Error'}
            '422': {$ref: '#/components/responses/Error'}
            '428': {$ref: '#/components/responses/Error'}
        delete:
          summary: Remove a tenant; its GitOps files are pruned in one commit (platform-admin)
          responses:
            '200': {description: Removed and committed., content: {application/json: {schema: {$ref: '#/components/schemas/Change'}}}}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '404': {$ref: '#/components/responses/Error'}
            '409': {$ref: '#/components/responses/Error'}
            '422': {$ref: '#/components/responses/Error'}
      /v1/plan:
        post:
          summary: What creating this tenant would change in the GitOps repository; writes nothing (platform-admin)
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: '#/components/schemas/TenantDocument'}}}
          responses:
            '200':
              description: Files added, changed and removed, per cluster and tenant, and new placements.
              content: {application/json: {schema: {type: object, required: [added, changed, removed], properties: {added: {type: array, items: {type: string}}, changed: {type: array, items: {type: string}}, removed: {type: array, items: {type: string}}}}}}
            '400': {$ref: '#/components/responses/Error'}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '409': {$ref: '#/components/responses/Error'}
            '422': {$ref: '#/components/responses/Error'}
      /v1/sync:
        post:
          summary: Commit and apply changes made to the platform folder by hand (platform-admin)
          responses:
            '200': {description: Applied., content: {application/json: {schema: {$ref: '#/components/schemas/Change'}}}}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '422': {$ref: '#/components/responses/Error'}
      /v1/clusters:
        get:
          summary: Clusters with capacity, used and free budget, and tenant counts
          responses:
            '200': {description: Every cluster., content: {application/json: {schema: {$ref: '#/components/schemas/ClusterPage'}}}}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
      /v1/clusters/{name}:
        parameters:
          - {name: name, in: path, required: true, schema: {type: string}}
        get:
          summary: One cluster with capacity, used and free budget
          responses:
            '200': {description: The cluster., content: {application/json: {schema: {$ref: '#/components/schemas/Cluster'}}}}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
            '404': {$ref: '#/components/responses/Error'}
      /v1/catalog:
        get:
          summary: Backstage catalog entities (clusters as Resources, tenants as Systems, teams as Groups)
          responses:
            '200': {description: Multi-document YAML., content: {application/yaml: {schema: {type: string}}}}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
      /v1/audit:
        get:
          summary: The audit trail (auditor, platform-admin)
          parameters:
            - {name: tenant, in: query, schema: {type: string}}
            - {name: actor, in: query, schema: {type: string}}
            - {name: since, in: query, schema: {type: string, format: date-time}}
            - {name: until, in: query, schema: {type: string, format: date-time}}
            - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10000, default: 1000}}
          responses:
            '200': {description: Records in sequence order., content: {application/json: {schema: {$ref: '#/components/schemas/AuditPage'}}}}
            '400': {$ref: '#/components/responses/Error'}
            '401': {$ref: '#/components/responses/Error'}
            '403': {$ref: '#/components/responses/Error'}
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer, description: 'A secret from `bulkhead token create`.'}
      responses:
        Error:
          description: The one error shape.
          content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
      schemas:
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [code, message, requestId]
              properties:
                code: {type: string}
                message: {type: string}
                field: {type: string}
                requestId: {type: string}
                problems:
                  type: array
                  items:
                    type: object
                    required: [code, severity, field, message, text]
                    properties:
                      code: {type: string}
                      severity: {type: string, enum: [error, warning]}
                      location: {type: string}
                      field: {type: string}
                      message: {type: string}
                      text: {type: string}
        TenantDocument:
          type: object\(example)
          required: [metadata, spec]
          properties:
            apiVersion: {type: string, const: bulkhead.dev/v1alpha1}
            kind: {type: string, const: Tenant}
            metadata:
              type: object
              required: [name]
              properties: {name: {$ref: '#/components/schemas/Label'}}
            spec: {$ref: '#/components/schemas/TenantSpec'}
        Label:
          description: A DNS-1123 label.
          type: string
          minLength: 1
          maxLength: 63
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
        LabelValue:
          description: A Kubernetes label value.
          type: string
          minLength: 1
          maxLength: 63
          pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$'
        Group:
          type: string
          minLength: 1
          pattern: '^[^\\s]+$'
        App:
          type: object
          required: [name]
          additionalProperties: false
          properties:
            name: {$ref: '#/components/schemas/Label'}
            port: {type: integer, minimum: 1, maximum: 65535}
            queue:
              type: object
              required: [targetLength, maxReplicas]
              additionalProperties: false
              properties:
                targetLength: {type: integer, minimum: 1, maximum: 100000}
                maxReplicas: {type: integer, minimum: 1, maximum: 1000}
        TenantSpec:
          description: >-
            The Tenant spec, as in the declaration format (PRODUCT.md). A request that matches this
            schema can still be refused with 422: the tier and regions must exist on this platform,
            quota keys must be ResourceQuota keys, and the tenant must fit on a cluster.
          type: object
          required: [tier, owners, team, costCenter, environments]
          additionalProperties: false
          properties:
            tier: \(tierSchema)
            owners: {type: array, minItems: 1, items: {$ref: '#/components/schemas/Group'}}
            team: {$ref: '#/components/schemas/LabelValue'}
            costCenter: {$ref: '#/components/schemas/LabelValue'}
            environments: {type: array, minItems: 1, items: {type: string, enum: [sandbox, dev, staging, prod]}}
            regions: {type: array, minItems: 1, items: \(regionSchema)}
            dataClassification: {type: string, enum: [public, internal, pii, phi], default: internal}
            quota: {type: object, additionalProperties: {type: string}}
            apps: {type: array, items: {$ref: '#/components/schemas/App'}}
            buckets: {type: array, items: {$ref: '#/components/schemas/Label'}}
        TenantPatch:
          type: object
          required: [spec]
          additionalProperties: false
          properties:
            spec:
              type: object
              additionalProperties: false
              properties:
                quota: {type: [object, 'null'], additionalProperties: {type: [string, 'null']}}
                apps: {type: [array, 'null'], items: {$ref: '#/components/schemas/App'}}
                buckets: {type: [array, 'null'], items: {$ref: '#/components/schemas/Label'}}
                owners: {type: [array, 'null'], minItems: 1, items: {$ref: '#/components/schemas/Group'}}
        Placement:
          type: object
          required: [cluster, environment, region]
          properties:
            cluster: {type: string}
            environment: {type: string}
            region: {type: string}
        Tenant:
          type: object
          required: [name, tier, team, owners, costCenter, environments, dataClassification, quota, apps, buckets, file, placements]
          properties:
            name: {type: string}
            tier: {type: string}
            team: {type: string}
            owners: {type: array, items: {type: string}}
            costCenter: {type: string}
            environments: {type: array, items: {type: string}}
            regions: {type: array, items: {type: string}}
            dataClassification: {type: string}
            quota: {type: object, additionalProperties: {type: string}}
            apps: {type: array, items: {type: object}}
            buckets: {type: array, items: {type: string}}
            file: {type: string}
            placements: {type: array, items: {$ref: '#/components/schemas/Placement'}}
            objects:
              description: Only on GET /v1/tenants/{name}. The objects committed for the tenant, by cluster.
              type: object
              additionalProperties: {type: array, items: {$ref: '#/components/schemas/ObjectReference'}}
            lastCommit:
              description: Only on GET /v1/tenants/{name}. The last platform-folder commit that changed the declaration file.
              $ref: '#/components/schemas/Commit'
            lastGitOpsCommit:
              description: Only on GET /v1/tenants/{name}. The last GitOps commit that changed one of the tenant's folders.
              $ref: '#/components/schemas/Commit'
        ObjectReference:
          type: object
          required: [apiVersion, kind, name]
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            name: {type: string}
            namespace: {type: string}
        Commit:
          type: object
          required: [id, author, time, subject]
          properties:
            id: {type: string}
            author: {type: string}
            time: {type: string, format: date-time}
            subject: {type: string}
        TenantPage:
          type: object
          required: [items, total, offset, limit]
          properties:
            items: {type: array, items: {$ref: '#/components/schemas/Tenant'}}
            total: {type: integer}
            offset: {type: integer}
            limit: {type: integer}
            next: {type: [integer, 'null']}
        Change:
          type: object
          required: [requestId]
          properties:
            tenant: {type: string}
            platformCommitBefore: {type: string}
            platformCommitAfter: {type: string}
            gitopsCommitBefore: {type: string}
            gitopsCommitAfter: {type: string}
            requestId: {type: string}
        Resources:
          type: object
          description: Exact decimal quantities; memory in bytes.
          required: [cpu, memory, pods]
          properties:
            cpu: {type: string}
            memory: {type: string}
            pods: {type: string}
        Cluster:
          type: object
          required: [name, environment, region, kubernetesVersion, capacity, overcommit, budget, used, free, tenants]
          properties:
            name: {type: string}
            environment: {type: string}
            region: {type: string}
            kubernetesVersion: {type: string}
            capacity: {$ref: '#/components/schemas/Resources'}
            overcommit: {type: number}
            budget: {description: capacity × overcommit, allOf: [{$ref: '#/components/schemas/Resources'}]}
            used: {description: The sum of the effective quota requests of the tenants placed on the cluster (bulkhead.lock)., allOf: [{$ref: '#/components/schemas/Resources'}]}
            free: {description: budget minus used; negative where the cluster is over budget., allOf: [{$ref: '#/components/schemas/Resources'}]}
            dedicatedTo: {type: string}
            tenants: {type: integer, description: How many tenants are placed on the cluster.}
        ClusterPage:
          type: object
          required: [items, total, offset, limit]
          properties:
            items: {type: array, items: {$ref: '#/components/schemas/Cluster'}}
            total: {type: integer}
            offset: {type: integer}
            limit: {type: integer}
            next: {type: [integer, 'null']}
        AuditRecord:
          type: object
          required: [sequence, entry, previousHash, hash]
          properties:
            sequence: {type: integer}
            previousHash: {type: string}
            hash: {type: string}
            entry:
              type: object
              required: [time, actor, role, action, requestID, source, result]
              properties:
                time: {type: string, format: date-time}
                actor: {type: string}
                role: {type: string}
                action: {type: string}
                tenant: {type: string}
                requestID: {type: string}
                source: {type: string}
                platformCommitBefore: {type: string}
                platformCommitAfter: {type: string}
                gitopsCommitBefore: {type: string}
                gitopsCommitAfter: {type: string}
                result: {type: string}
        AuditPage:
          type: object
          required: [items, total, offset, limit]
          properties:
            items: {type: array, items: {$ref: '#/components/schemas/AuditRecord'}}
            total: {type: integer}
            offset: {type: integer}
            limit: {type: integer}
            next: {type: [integer, 'null']}

    """
    }
}
