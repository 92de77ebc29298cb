import BulkheadCEL

/// Kyverno's auto-generation, done on the object instead of on the policy text: Kyverno rewrites
/// `object.spec` to `object.spec.template.spec` (CronJobs: `object.spec.jobTemplate.spec.template
/// .spec`) and `object.metadata` to the template's metadata, except `object.metadata.name` and
/// `object.metadata.namespace`, which keep naming the controller. Evaluating the unchanged pod
/// policy against this pod-shaped view of the controller gives the same answers, and lets the
/// programs compiled for pods be reused.
enum PodTemplateView {
    /// The controller object with `spec` replaced by the pod template's spec and `metadata` by
    /// the template's metadata plus the controller's own name and namespace.
    static func view(of object: CELValue, controller: PodController) -> CELValue {
        guard case .map(let root) = object else { return object }
        var template: CELValue? = object
        for field in controller.templatePath {
            guard case .map(let map)? = template else {
                template = nil
                break
            }
            template = map[field]
        }
        var templateMap = CELMap()
        if case .map(let map)? = template { templateMap = map }
        var metadata: [(CELValue, CELValue)] = []
        if case .map(let templateMetadata)? = templateMap["metadata"] {
            for (key, value) in templateMetadata.entries where key != .string("name") && key != .string("namespace") {
                metadata.append((key, value))
            }
        }
        if case .map(let ownMetadata)? = root["metadata"] {
            for field in ["name", "namespace"] {
                if let value = ownMetadata[field] { metadata.append((.string(field), value)) }
            }
        }
        var entries: [(CELValue, CELValue)] = []
        entries.reserveCapacity(root.count)
        for (key, value) in root.entries {
            switch key {
            case .string("metadata"): entries.append((key, .map(CELMap(metadata))))
            case .string("spec"):
                if let spec = templateMap["spec"] { entries.append((key, spec)) }
            default: entries.append((key, value))
            }
        }
        return .map(CELMap(entries))
    }

    /// The pod controller a request is for, when `policy` auto-generates for it.
    static func controller(for request: AdmissionRequest, autogen: PodControllerAutogen, operations: [String],
                           matchPolicy: MatchResources.MatchPolicy) -> PodController? {
        guard !autogen.controllers.isEmpty, request.subResource.isEmpty,
              let controller = PodController(rawValue: request.resource.resource),
              autogen.controllers.contains(controller), request.resource.group == controller.group,
              matchPolicy == .equivalent || request.resource.version == controller.version,
              operations.contains("*") || operations.contains(request.operation.rawValue) else { return nil }
        return controller
    }
}
