import BulkheadModel
import Foundation

/// Bulkhead's built-in guardrail bundle, written as `ValidatingAdmissionPolicy` documents (with
/// one binding each) for one cluster. They cover the multi-tenancy benchmark checks admission can
/// enforce, and read per-tenant facts from the labels Bulkhead puts on each tenant namespace, so
/// one set of objects serves every tenant on the cluster:
///
/// - `bulkhead.dev/tenant`, `bulkhead.dev/team`: required pod labels and route paths;
/// - `pod-security.kubernetes.io/enforce: restricted`: the restricted Pod Security checks;
/// - `bulkhead.dev/isolation: dedicated-nodes`: pods must target the tenant's node pool;
/// - `bulkhead.dev/allow-nodeport`, `bulkhead.dev/allow-loadbalancer`: Service types the tenant's
///   quota allows.
///
/// The text is loaded by the same policy loader as the platform's own policy files, so every
/// expression is compiled and type-checked, and the gate and webhook evaluate exactly these.
enum BuiltInGuardrails {
    static let file = "<built-in guardrails>"

    /// The namespaces a binding applies to, as `matchExpressions` entries (YAML flow text).
    enum Scope {
        case tenants, restricted, dedicatedNodes

        var requirements: [String] {
            let tenant = "{key: \(BulkheadLabels.tenant), operator: Exists}"
            switch self {
            case .tenants: return [tenant]
            case .restricted: return [tenant, "{key: pod-security.kubernetes.io/enforce, operator: In, values: [restricted]}"]
            case .dedicatedNodes: return [tenant, "{key: \(BulkheadLabels.isolation), operator: In, values: [dedicated-nodes]}"]
            }
        }
    }

    /// One built-in policy before it is written out.
    struct Definition {
        var name: String
        var summary: String
        var resources: String
        var scope: Scope
        var variables: [(name: String, expression: String)]
        var expression: String
        var message: String
        /// A CEL string expression for a message that names the expected values.
        var messageExpression: String? = nil
    }

    /// The YAML text of every built-in policy and binding for `cluster`.
    static func yaml(platform: Platform, cluster: Cluster) -> String {
        definitions(platform: platform, cluster: cluster).map(document).joined(separator: "---\n")
    }

    static func document(_ policy: Definition) -> String {
        var text = """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata:
          name: \(policy.name)
          annotations:
            bulkhead.dev/summary: \(quoted(policy.summary))
        spec:
          failurePolicy: Fail
          matchConstraints:
        \(policy.resources)

        """
        if !policy.variables.isEmpty {
            text += "  variables:\n"
            for variable in policy.variables {
                text += "  - name: \(variable.name)\n    expression: \(quoted(variable.expression))\n"
            }
        }
        text += """
          validations:
          - expression: \(quoted(policy.expression))
            message: \(quoted(policy.message))
        \(policy.messageExpression.map { "    messageExpression: \(quoted($0))\n" } ?? "")---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata:
          name: \(policy.name)
        spec:
          policyName: \(policy.name)
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchExpressions:

        """
        for requirement in policy.scope.requirements { text += "        - \(requirement)\n" }
        return text
    }

    /// A double-quoted YAML scalar (CEL uses single quotes, so only `"` and `\` need escaping).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static let podWorkloads = """
        resourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
        - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, replicasets, statefulsets, daemonsets]}
        - {apiGroups: [batch], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [jobs, cronjobs]}
    """
    static let services = """
        resourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [services]}
    """
    static let namespaces = """
        resourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [namespaces]}
    """
    static let routes = """
        resourceRules:
        - {apiGroups: [gateway.networking.k8s.io], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: [httproutes]}
    """

    /// The pod spec of a Pod or of the template of a pod controller, and all of its containers.
    static let podVariables: [(name: String, expression: String)] = [
        ("podSpec", "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec"),
        ("containers", "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])"),
    ]
    /// The labels a pod gets: its own, or its controller template's.
    static let podLabels = (name: "podLabels", expression: "object.kind == 'Pod' ? object.metadata : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.metadata : object.spec.template.metadata")

    static func securityContextField(_ field: String) -> String { "has(c.securityContext) && has(c.securityContext.\(field))" }
    static let tenantLabel = "namespaceObject.metadata.labels['\(BulkheadLabels.tenant)']"

    static func definitions(platform: Platform, cluster: Cluster) -> [Definition] {
        let pod = podVariables
        var policies: [Definition] = [
            Definition(name: "bulkhead-host-namespaces", summary: "Pods may not share the host's network, PID or IPC namespace (Pod Security baseline).",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "!(has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) && !(has(variables.podSpec.hostPID) && variables.podSpec.hostPID) && !(has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC)",
                       message: "hostNetwork, hostPID and hostIPC must be unset or false in tenant namespaces"),
            Definition(name: "bulkhead-host-path", summary: "Pods may not mount hostPath volumes (Pod Security baseline).",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))",
                       message: "hostPath volumes are not allowed in tenant namespaces"),
            Definition(name: "bulkhead-privileged", summary: "Containers may not run privileged (Pod Security baseline).",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "variables.containers.all(c, !(\(securityContextField("privileged")) && c.securityContext.privileged))",
                       message: "privileged containers are not allowed in tenant namespaces"),
            Definition(name: "bulkhead-host-ports", summary: "Containers may not bind host ports (Pod Security baseline).",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
                       message: "hostPort is not allowed in tenant namespaces"),
            Definition(name: "bulkhead-capabilities-baseline", summary: "Containers may add only the capabilities Pod Security baseline allows.",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "variables.containers.all(c, !(\(securityContextField("capabilities")) && has(c.securityContext.capabilities.add)) || c.securityContext.capabilities.add.all(cap, cap in ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']))",
                       message: "containers may only add the Pod Security baseline capabilities (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT)"),
            Definition(name: "bulkhead-proc-mount", summary: "Containers keep the default /proc mount (Pod Security baseline).",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "variables.containers.all(c, !(\(securityContextField("procMount"))) || c.securityContext.procMount == 'Default')",
                       message: "securityContext.procMount must be unset or Default"),
            Definition(name: "bulkhead-sysctls", summary: "Pods may set only the safe sysctls (Pod Security baseline).",
                       resources: podWorkloads, scope: .tenants, variables: pod,
                       expression: "!has(variables.podSpec.securityContext) || !has(variables.podSpec.securityContext.sysctls) || variables.podSpec.securityContext.sysctls.all(s, s.name in ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'])",
                       message: "only the safe sysctls of Pod Security baseline may be set"),
            Definition(name: "bulkhead-privilege-escalation", summary: "Containers must set allowPrivilegeEscalation: false (Pod Security restricted).",
                       resources: podWorkloads, scope: .restricted, variables: pod,
                       expression: "variables.containers.all(c, \(securityContextField("allowPrivilegeEscalation")) && c.securityContext.allowPrivilegeEscalation == false)",
                       message: "every container must set securityContext.allowPrivilegeEscalation: false in a restricted namespace"),
            Definition(name: "bulkhead-run-as-non-root", summary: "Containers must run as non-root (Pod Security restricted).",
                       resources: podWorkloads, scope: .restricted, variables: pod,
                       expression: "variables.containers.all(c, (\(securityContextField("runAsNonRoot"))) ? c.securityContext.runAsNonRoot == true : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot == true))",
                       message: "runAsNonRoot must be true for the pod or for every container in a restricted namespace"),
            Definition(name: "bulkhead-seccomp", summary: "Pods must use the RuntimeDefault or a Localhost seccomp profile (Pod Security restricted).",
                       resources: podWorkloads, scope: .restricted, variables: pod,
                       expression: "variables.containers.all(c, (\(securityContextField("seccompProfile"))) ? c.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost'] : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seccompProfile) && variables.podSpec.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']))",
                       message: "seccompProfile.type must be RuntimeDefault or Localhost for the pod or for every container in a restricted namespace"),
            Definition(name: "bulkhead-capabilities-restricted", summary: "Containers must drop ALL capabilities and may add only NET_BIND_SERVICE (Pod Security restricted).",
                       resources: podWorkloads, scope: .restricted, variables: pod,
                       expression: "variables.containers.all(c, \(securityContextField("capabilities")) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE')))",
                       message: "every container must drop ALL capabilities and may add only NET_BIND_SERVICE in a restricted namespace"),
            Definition(name: "bulkhead-volume-types", summary: "Pods may use only the volume types Pod Security restricted allows.",
                       resources: podWorkloads, scope: .restricted, variables: pod,
                       expression: "!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, v.all(field, field == 'name' || field in ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']))",
                       message: "only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes are allowed in a restricted namespace"),
            Definition(name: "bulkhead-service-types", summary: "Services in tenant namespaces are ClusterIP unless the tenant's quota allows NodePorts or LoadBalancers.",
                       resources: services, scope: .tenants, variables: [("labels", "has(namespaceObject.metadata.labels) ? namespaceObject.metadata.labels : {}")],
                       expression: "!has(object.spec.type) || object.spec.type in ['ClusterIP', 'ExternalName'] || (object.spec.type == 'NodePort' && '\(BulkheadLabels.allowNodePort)' in variables.labels && variables.labels['\(BulkheadLabels.allowNodePort)'] == 'true') || (object.spec.type == 'LoadBalancer' && '\(BulkheadLabels.allowLoadBalancer)' in variables.labels && variables.labels['\(BulkheadLabels.allowLoadBalancer)'] == 'true')",
                       message: "NodePort and LoadBalancer Services need a tier or tenant quota that allows them (services.nodeports / services.loadbalancers above 0)"),
            Definition(name: "bulkhead-required-labels", summary: "Pods carry their tenant's bulkhead.dev/tenant and bulkhead.dev/team labels.",
                       resources: podWorkloads, scope: .tenants, variables: [podLabels, ("labels", "has(variables.podLabels.labels) ? variables.podLabels.labels : {}")],
                       expression: "'\(BulkheadLabels.tenant)' in variables.labels && variables.labels['\(BulkheadLabels.tenant)'] == \(tenantLabel) && '\(BulkheadLabels.team)' in variables.labels && variables.labels['\(BulkheadLabels.team)'] == namespaceObject.metadata.labels['\(BulkheadLabels.team)']",
                       message: "pods (and pod templates) must carry the labels \(BulkheadLabels.tenant) and \(BulkheadLabels.team) with the values of their namespace",
                       messageExpression: "'pods (and pod templates) in this namespace must carry the labels \(BulkheadLabels.tenant)=' + \(tenantLabel) + ' and \(BulkheadLabels.team)=' + namespaceObject.metadata.labels['\(BulkheadLabels.team)']"),
            Definition(name: "bulkhead-dedicated-nodes", summary: "Pods of a dedicated-nodes tenant select and tolerate the tenant's node pool.",
                       resources: podWorkloads, scope: .dedicatedNodes, variables: pod,
                       expression: "has(variables.podSpec.nodeSelector) && '\(BulkheadLabels.tenant)' in variables.podSpec.nodeSelector && variables.podSpec.nodeSelector['\(BulkheadLabels.tenant)'] == \(tenantLabel) && has(variables.podSpec.tolerations) && variables.podSpec.tolerations.exists(t, has(t.key) && t.key == '\(BulkheadLabels.tenant)' && ((has(t.operator) && t.operator == 'Exists') || (has(t.value) && t.value == \(tenantLabel))))",
                       message: "pods of a dedicated-nodes tenant need nodeSelector \(BulkheadLabels.tenant): <tenant> and a toleration of the taint \(BulkheadLabels.tenant)=<tenant>:NoSchedule"),
            Definition(name: "bulkhead-phi-restricted", summary: "Namespaces holding phi data always enforce Pod Security restricted.",
                       resources: namespaces, scope: .tenants, variables: [("labels", "has(object.metadata.labels) ? object.metadata.labels : {}")],
                       expression: "!('\(BulkheadLabels.dataClassification)' in variables.labels) || variables.labels['\(BulkheadLabels.dataClassification)'] != 'phi' || ('pod-security.kubernetes.io/enforce' in variables.labels && variables.labels['pod-security.kubernetes.io/enforce'] == 'restricted')",
                       message: "a namespace labelled \(BulkheadLabels.dataClassification)=phi must enforce Pod Security restricted"),
            Definition(name: "bulkhead-route-gateway", summary: "HTTPRoutes attach only to the cluster's gateway \(cluster.gateway.namespace)/\(cluster.gateway.name).",
                       resources: routes, scope: .tenants, variables: [],
                       expression: "has(object.spec.parentRefs) && size(object.spec.parentRefs) > 0 && object.spec.parentRefs.all(p, p.name == '\(cluster.gateway.name)' && has(p.namespace) && p.namespace == '\(cluster.gateway.namespace)' && (!has(p.kind) || p.kind == 'Gateway'))",
                       message: "HTTPRoutes must attach to the gateway \(cluster.gateway.namespace)/\(cluster.gateway.name) only"),
            Definition(name: "bulkhead-route-paths", summary: "HTTPRoutes match only paths under /<tenant>/.",
                       resources: routes, scope: .tenants, variables: [],
                       expression: "has(object.spec.rules) && object.spec.rules.all(r, has(r.matches) && size(r.matches) > 0 && r.matches.all(m, has(m.path) && has(m.path.value) && m.path.value.startsWith('/' + \(tenantLabel) + '/')))",
                       message: "every HTTPRoute rule must match paths under /<tenant>/ (the namespace's \(BulkheadLabels.tenant) label)"),
        ]
        if !platform.allowedRegistries.isEmpty {
            let registries = platform.allowedRegistries.map { "'\($0)/'" }.joined(separator: ", ")
            policies.append(Definition(name: "bulkhead-allowed-registries", summary: "Images come only from the platform's allowed registries.",
                                       resources: podWorkloads, scope: .tenants, variables: pod,
                                       expression: "variables.containers.all(c, [\(registries)].exists(r, c.image.startsWith(r)))",
                                       message: "images must come from an allowed registry: \(platform.allowedRegistries.joined(separator: ", "))"))
        }
        return policies
    }
}
