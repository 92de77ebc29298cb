import BulkheadCEL

/// What of an AdmissionReview body a policy set can observe, so the webhook parses only that
/// (see ``CELProjection``). A 5 KB Pod becomes the dozen fields the guardrails read.
enum ReviewProjection {
    /// Read by the engine itself, whatever the policies say: the request's identity and the
    /// labels selectors match.
    static let alwaysKept: [[String]] = [["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"], ["metadata", "labels"]]

    /// The projection of a whole AdmissionReview body for `engine`'s policies.
    static func of(_ engine: PolicyEngine) -> CELProjection {
        var analysis = CELProjectionAnalysis(inputs: ["object", "oldObject"])
        var controllers: Set<PodController> = []
        for policy in engine.policies where policy.isCompiled {
            controllers.formUnion(policy.autogen.controllers)
            var variables: [String: CELProjectionAnalysis.Parts] = [:]
            for variable in policy.variables {
                guard let program = variable.expression.program else { continue }
                variables[variable.name] = analysis.parts(of: program, variables: variables)
            }
            // A variable is observed only through the expressions that read it.
            let readers = policy.matchConditions.map(\.expression) + policy.validationExpressions + policy.auditAnnotations.map(\.valueExpression)
            for expression in readers {
                guard let program = expression.program else { continue }
                analysis.require(program, variables: variables)
            }
        }
        for path in alwaysKept {
            analysis.requireWhole(path, of: "object")
            analysis.requireWhole(path, of: "oldObject")
        }
        var object = analysis.projection(of: "object")
        var oldObject = analysis.projection(of: "oldObject")
        for controller in controllers.sorted(by: { $0.rawValue < $1.rawValue }) {
            object = object.merging(PodTemplateView.projection(for: object, controller: controller))
            oldObject = oldObject.merging(PodTemplateView.projection(for: oldObject, controller: controller))
        }
        var request: [String: CELProjection] = [:]
        for field in ["uid", "kind", "resource", "subResource", "namespace", "name", "operation", "userInfo", "dryRun"] {
            request[field] = .whole
        }
        request["object"] = object
        request["oldObject"] = oldObject
        return CELProjection(fields: ["apiVersion": .whole, "kind": .whole, "request": CELProjection(fields: request)])
    }
}

extension PodTemplateView {
    /// What a controller object must keep so that its pod-shaped view keeps `view`: the view's
    /// `spec` and `metadata` come from the pod template, its name and namespace from the
    /// controller's own metadata, its other fields from the controller.
    static func projection(for view: CELProjection, controller: PodController) -> CELProjection {
        if view.isWhole || view.keepsAllKeys { return .whole }
        let template = controller.templatePath
        var raw = CELProjection()
        for name in view.fieldNames {
            guard let field = view.field(name) else { continue }
            switch name {
            case "metadata":
                raw = raw.merging(field.nested(under: template + ["metadata"]))
                raw = raw.merging(CELProjection(fields: ["metadata": CELProjection(fields: ["name": .whole, "namespace": .whole])]))
            case "spec":
                raw = raw.merging(field.nested(under: template + ["spec"]))
            default:
                raw = raw.merging(field.nested(under: [name]))
            }
        }
        return raw
    }
}
