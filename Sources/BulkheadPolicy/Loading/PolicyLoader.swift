import Foundation
import Yams

/// Loads policy files: every YAML document must be a Kubernetes `ValidatingAdmissionPolicy` or
/// `ValidatingAdmissionPolicyBinding` (admissionregistration.k8s.io/v1), or a Kyverno
/// `ValidatingPolicy` (policies.kyverno.io v1alpha1, v1beta1 or v1). Every CEL expression is
/// compiled and type-checked once; errors point at the line and column inside the expression.
public struct PolicyLoader: Sendable {
    /// A document of another kind: reported as a problem and kept so callers can say what was
    /// not evaluated.
    public struct OtherDocument: Sendable {
        public var apiVersion: String
        public var kind: String
        public var name: String
        public var location: SourceLocation
    }

    public struct Result: Sendable {
        public var policies: [Policy] = []
        public var bindings: [PolicyBinding] = []
        public var otherDocuments: [OtherDocument] = []
        public var problems: [PolicyProblem] = []

        public init() {}

        public var errors: [PolicyProblem] { problems.filter { $0.severity == .error } }

        /// Policies are cluster-scoped objects: one name, one policy. Reports names declared twice
        /// (across every merged file).
        public mutating func checkNamesAreUnique() {
            var seen: [String: SourceLocation] = [:]
            for policy in policies {
                if let first = seen[policy.name] {
                    problems.append(PolicyProblem("duplicate-policy", "a policy named '\(policy.name)' is already defined at \(first)", at: policy.location))
                } else {
                    seen[policy.name] = policy.location
                }
            }
        }

        /// Adds another file's result.
        public mutating func merge(_ other: Result) {
            policies += other.policies
            bindings += other.bindings
            otherDocuments += other.otherDocuments
            problems += other.problems
        }
    }

    static let admissionGroup = "admissionregistration.k8s.io"
    static let kyvernoGroup = "policies.kyverno.io"

    public init() {}

    /// Loads every `*.yaml` and `*.yml` file directly in `folder`, in name order.
    public func load(folder: String) -> Result {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            var result = Result()
            result.problems.append(PolicyProblem("unreadable-folder", "cannot list the folder: \(error.localizedDescription)",
                                                 at: SourceLocation(file: folder, line: 1, column: 1)))
            return result
        }
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
        return load(files: files)
    }

    /// Loads the given files.
    public func load(files: [String]) -> Result {
        var result = Result()
        for path in files {
            do {
                result.merge(load(file: try YAMLFile(contentsOf: path)))
            } catch {
                result.problems.append(error)
            }
        }
        result.checkNamesAreUnique()
        return result
    }

    /// Loads YAML text; `file` names it in problems.
    public func load(yaml: String, file: String) -> Result {
        do {
            var result = load(file: try YAMLFile(path: file, text: yaml))
            result.checkNamesAreUnique()
            return result
        } catch {
            var result = Result()
            result.problems.append(error)
            return result
        }
    }

    func load(file: YAMLFile) -> Result {
        var result = Result()
        for document in file.documents {
            var reader = NodeReader(file: file)
            Self.read(document, into: &result, reader: &reader)
            result.problems += reader.problems
        }
        return result
    }

    private static func read(_ document: Node, into result: inout Result, reader: inout NodeReader) {
        guard case .mapping(let mapping) = document else {
            if !NodeReader.isNull(document) { reader.problem("not-an-object", "a policy document must be a mapping", document) }
            return
        }
        let apiVersion = mapping["apiVersion"]?.string ?? ""
        let kind = mapping["kind"]?.string ?? ""
        let name = mapping["metadata"]?["name"]?.string ?? ""
        let group = apiVersion.split(separator: "/").dropLast().joined(separator: "/")
        let version = apiVersion.split(separator: "/").last.map(String.init) ?? ""
        switch (group, kind) {
        case (admissionGroup, "ValidatingAdmissionPolicy") where ["v1", "v1beta1", "v1alpha1"].contains(version):
            if let policy = policy(document, kind: .validatingAdmissionPolicy, apiVersion: apiVersion, reader: &reader) {
                result.policies.append(policy)
            }
        case (admissionGroup, "ValidatingAdmissionPolicyBinding") where ["v1", "v1beta1", "v1alpha1"].contains(version):
            if let binding = binding(document, reader: &reader) { result.bindings.append(binding) }
        case (kyvernoGroup, "ValidatingPolicy") where ["v1", "v1beta1", "v1alpha1"].contains(version):
            if let policy = policy(document, kind: .kyvernoValidatingPolicy, apiVersion: apiVersion, reader: &reader) {
                result.policies.append(policy)
            }
        default:
            let found = kind.isEmpty ? "a document without kind" : "\(apiVersion) \(kind)\(name.isEmpty ? "" : " '\(name)'")"
            reader.problem("unsupported-kind", "\(found) is not a policy this loader accepts (allowed: admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, policies.kyverno.io ValidatingPolicy)", document)
            result.otherDocuments.append(OtherDocument(apiVersion: apiVersion, kind: kind, name: name, location: reader.file.location(document)))
        }
    }

    // MARK: Policies

    private static let admissionSpecFields = ["paramKind", "matchConstraints", "validations", "failurePolicy",
                                              "auditAnnotations", "matchConditions", "variables"]
    private static let kyvernoSpecFields = ["matchConstraints", "validations", "failurePolicy", "auditAnnotations",
                                            "matchConditions", "variables", "validationActions", "evaluation", "autogen",
                                            "webhookConfiguration"]

    private static func policy(_ document: Node, kind: Policy.SourceKind, apiVersion: String, reader: inout NodeReader) -> Policy? {
        let location = reader.file.location(document)
        let metadata = document["metadata"]
        guard let name = metadata?["name"]?.string, !name.isEmpty else {
            reader.problem("missing-field", "\(kind.rawValue) needs metadata.name", metadata ?? document)
            return nil
        }
        var annotations: [String: String] = [:]
        if let node = metadata?["annotations"] { annotations = reader.stringMap(node, path: "metadata.annotations") }
        guard let spec = document["spec"] else {
            reader.problem("missing-field", "\(kind.rawValue) '\(name)' needs a spec", document)
            return nil
        }
        let known = kind == .kyvernoValidatingPolicy ? kyvernoSpecFields : admissionSpecFields
        reader.kyvernoDialect = kind == .kyvernoValidatingPolicy
        var policy = Policy(name: name, apiVersion: apiVersion, sourceKind: kind, location: location, matchConstraints: nil,
                            matchConditions: [], variables: [], validations: [], auditAnnotations: [], validationActions: [],
                            failurePolicy: .fail, autogen: .off, paramKind: nil, evaluationMode: .kubernetes,
                            background: nil, annotations: annotations)
        var autogenControllers: [String]?
        var autogenNode: Node?
        // Expressions whose `variables.<name>` references are checked once all variables are read.
        var pending: [(expression: PolicyExpression, node: Node, path: String)] = []
        for (key, value) in reader.mapping(spec, path: "spec", known: known) ?? [] {
            let path = "spec.\(key)"
            switch key {
            case "matchConstraints": policy.matchConstraints = reader.matchResources(value, path: path)
            case "matchConditions":
                for (index, item) in (reader.sequence(value, path: path) ?? []).enumerated() {
                    let itemPath = "\(path)[\(index)]"
                    guard let fields = reader.mapping(item, path: itemPath, known: ["name", "expression"]) else { continue }
                    let conditionName = fields.first(where: { $0.key == "name" }).flatMap { reader.string($0.value, path: "\(itemPath).name") } ?? ""
                    guard let node = fields.first(where: { $0.key == "expression" })?.value else {
                        reader.problem("missing-field", "\(itemPath) needs an expression", item)
                        continue
                    }
                    if let expression = reader.expression(node, path: "\(itemPath).expression", expecting: .bool) {
                        pending.append((expression, node, "\(itemPath).expression"))
                        policy.matchConditions.append(Policy.MatchCondition(name: conditionName, expression: expression))
                    }
                }
            case "variables":
                for (index, item) in (reader.sequence(value, path: path) ?? []).enumerated() {
                    let itemPath = "\(path)[\(index)]"
                    guard let fields = reader.mapping(item, path: itemPath, known: ["name", "expression"]) else { continue }
                    let nameNode = fields.first(where: { $0.key == "name" })?.value
                    let variableName = nameNode.flatMap { reader.string($0, path: "\(itemPath).name") } ?? ""
                    if variableName.isEmpty || !isIdentifier(variableName) {
                        reader.problem("bad-value", "\(itemPath).name must be a CEL identifier, found '\(variableName)'", nameNode ?? item)
                    } else if policy.variables.contains(where: { $0.name == variableName }) {
                        reader.problem("duplicate-variable", "\(itemPath): variable '\(variableName)' is declared twice", nameNode ?? item)
                    }
                    guard let node = fields.first(where: { $0.key == "expression" })?.value else {
                        reader.problem("missing-field", "\(itemPath) needs an expression", item)
                        continue
                    }
                    if let expression = reader.expression(node, path: "\(itemPath).expression", expecting: .any) {
                        checkVariableReferences(expression, node: node, path: "\(itemPath).expression",
                                                declared: policy.variables.map(\.name), reader: &reader)
                        policy.variables.append(Policy.Variable(name: variableName, expression: expression))
                    }
                }
            case "validations":
                for (index, item) in (reader.sequence(value, path: path) ?? []).enumerated() {
                    let itemPath = "\(path)[\(index)]"
                    guard let fields = reader.mapping(item, path: itemPath, known: ["expression", "message", "messageExpression", "reason"]) else { continue }
                    var validation: Policy.Validation?
                    var message: String?
                    var messageExpression: PolicyExpression?
                    var reason: String?
                    for (field, node) in fields {
                        switch field {
                        case "expression":
                            validation = reader.expression(node, path: "\(itemPath).expression", expecting: .bool).map {
                                pending.append(($0, node, "\(itemPath).expression"))
                                return Policy.Validation(expression: $0, message: nil, messageExpression: nil, reason: nil)
                            }
                        case "message": message = reader.string(node, path: "\(itemPath).message")
                        case "messageExpression":
                            messageExpression = reader.expression(node, path: "\(itemPath).messageExpression", expecting: .string)
                            if let messageExpression { pending.append((messageExpression, node, "\(itemPath).messageExpression")) }
                        case "reason":
                            reason = reader.string(node, path: "\(itemPath).reason")
                            if let reason, !["Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"].contains(reason) {
                                reader.problem("bad-value", "\(itemPath).reason must be Unauthorized, Forbidden, Invalid or RequestEntityTooLarge, found '\(reason)'", node)
                            }
                        default: break
                        }
                    }
                    guard var validation else {
                        reader.problem("missing-field", "\(itemPath) needs an expression", item)
                        continue
                    }
                    validation.message = message
                    validation.messageExpression = messageExpression
                    validation.reason = reason
                    policy.validations.append(validation)
                }
            case "auditAnnotations":
                for (index, item) in (reader.sequence(value, path: path) ?? []).enumerated() {
                    let itemPath = "\(path)[\(index)]"
                    guard let fields = reader.mapping(item, path: itemPath, known: ["key", "valueExpression"]) else { continue }
                    let annotationKey = fields.first(where: { $0.key == "key" }).flatMap { reader.string($0.value, path: "\(itemPath).key") } ?? ""
                    guard !annotationKey.isEmpty, let node = fields.first(where: { $0.key == "valueExpression" })?.value else {
                        reader.problem("missing-field", "\(itemPath) needs a key and a valueExpression", item)
                        continue
                    }
                    if let expression = reader.expression(node, path: "\(itemPath).valueExpression", expecting: .string) {
                        pending.append((expression, node, "\(itemPath).valueExpression"))
                        policy.auditAnnotations.append(Policy.AuditAnnotation(key: annotationKey, valueExpression: expression))
                    }
                }
            case "failurePolicy":
                guard let text = reader.string(value, path: path) else { continue }
                if let failurePolicy = FailurePolicy(rawValue: text) {
                    policy.failurePolicy = failurePolicy
                } else {
                    reader.problem("bad-value", "\(path) must be Fail or Ignore, found '\(text)'", value)
                }
            case "paramKind":
                let apiVersion = value["apiVersion"]?.string ?? ""
                let paramKind = value["kind"]?.string ?? ""
                policy.paramKind = apiVersion.isEmpty ? paramKind : "\(apiVersion)/\(paramKind)"
                reader.problem("params-ignored", "\(path): parameter objects are not resolved here; `params` is null when this policy is evaluated", value, severity: .warning)
            case "validationActions": policy.validationActions = reader.validationActions(value, path: path)
            case "evaluation":
                for (field, node) in reader.mapping(value, path: path, known: ["mode", "background", "admission"]) ?? [] {
                    switch field {
                    case "mode":
                        let text = reader.string(node, path: "\(path).mode") ?? ""
                        if let mode = Policy.EvaluationMode(rawValue: text) {
                            policy.evaluationMode = mode
                        } else {
                            reader.problem("bad-value", "\(path).mode must be Kubernetes or JSON, found '\(text)'", node)
                        }
                    case "background":
                        if let enabled = node["enabled"] { policy.background = reader.bool(enabled, path: "\(path).background.enabled") }
                    default: break
                    }
                }
            case "autogen":
                autogenNode = value
                if let controllers = value["podControllers"]?["controllers"] {
                    autogenControllers = reader.strings(controllers, path: "\(path).podControllers.controllers")
                }
            default: break
            }
        }
        if policy.validations.isEmpty && policy.auditAnnotations.isEmpty {
            reader.problem("no-validations", "\(kind.rawValue) '\(name)' has neither validations nor auditAnnotations", spec)
        }
        if policy.matchConstraints == nil {
            reader.problem("missing-field", "\(kind.rawValue) '\(name)' needs spec.matchConstraints (without it the policy matches nothing)", spec)
        }
        for check in pending {
            checkVariableReferences(check.expression, node: check.node, path: check.path,
                                    declared: policy.variables.map(\.name), reader: &reader)
        }
        if kind == .kyvernoValidatingPolicy {
            policy.autogen = autogen(policy.matchConstraints, configured: autogenControllers, node: autogenNode, reader: &reader)
            if policy.validationActions.isEmpty { policy.validationActions = [.deny] }
        }
        return policy
    }

    /// Reports `variables.<name>` references to names not declared before the expression.
    private static func checkVariableReferences(_ expression: PolicyExpression, node: Node?, path: String,
                                                declared: [String], reader: inout NodeReader) {
        guard expression.program != nil else { return }
        for name in expression.variableReferences.sorted() where !declared.contains(name) {
            let location = node.map { reader.locate("variables.\(name)", in: expression, node: $0) } ?? expression.location
            reader.problems.append(PolicyProblem("unknown-variable", "\(path): variables.\(name) is not declared\(declared.isEmpty ? "" : " before this expression (declared: \(declared.joined(separator: ", ")))")", at: location))
        }
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ExpressionScan.isIdentifierStart(first) else { return false }
        return text.unicodeScalars.allSatisfy(ExpressionScan.isIdentifierPart)
    }

    /// Kyverno's rule for auto-generation: only a policy matching exactly core/v1 pods, with no
    /// selectors, exclusions or resource names, applies to pod controllers.
    static func autogen(_ match: MatchResources?, configured: [String]?, node: Node?, reader: inout NodeReader) -> PodControllerAutogen {
        var controllers = PodControllerAutogen.defaultControllers
        if let configured {
            controllers = []
            for name in configured {
                if let controller = PodController(name: name) {
                    if !controllers.contains(controller) { controllers.append(controller) }
                } else if let node {
                    reader.problem("bad-value", "spec.autogen.podControllers.controllers: '\(name)' is not a pod controller (allowed: \(PodController.allCases.map(\.kind).joined(separator: ", ")))", node, severity: .warning)
                }
            }
            if controllers.isEmpty { return PodControllerAutogen(controllers: [], disabledReason: "spec.autogen.podControllers.controllers is empty") }
        }
        guard let match else { return PodControllerAutogen(controllers: [], disabledReason: "no matchConstraints") }
        if let selector = match.namespaceSelector, !selector.isEmpty {
            return PodControllerAutogen(controllers: [], disabledReason: "matchConstraints has a namespaceSelector")
        }
        if let selector = match.objectSelector, !selector.isEmpty {
            return PodControllerAutogen(controllers: [], disabledReason: "matchConstraints has an objectSelector")
        }
        if !match.excludeResourceRules.isEmpty {
            return PodControllerAutogen(controllers: [], disabledReason: "matchConstraints has excludeResourceRules")
        }
        guard match.resourceRules.count == 1, let rule = match.resourceRules.first, rule.resourceNames.isEmpty,
              rule.apiGroups == [""], rule.apiVersions == ["v1"], rule.resources == ["pods"] else {
            return PodControllerAutogen(controllers: [], disabledReason: "matchConstraints select more than core/v1 pods")
        }
        return PodControllerAutogen(controllers: controllers)
    }

    // MARK: Bindings

    private static func binding(_ document: Node, reader: inout NodeReader) -> PolicyBinding? {
        let location = reader.file.location(document)
        guard let name = document["metadata"]?["name"]?.string, !name.isEmpty else {
            reader.problem("missing-field", "ValidatingAdmissionPolicyBinding needs metadata.name", document)
            return nil
        }
        guard let spec = document["spec"] else {
            reader.problem("missing-field", "ValidatingAdmissionPolicyBinding '\(name)' needs a spec", document)
            return nil
        }
        var binding = PolicyBinding(name: name, policyName: "", validationActions: [], location: location)
        for (key, value) in reader.mapping(spec, path: "spec", known: ["policyName", "paramRef", "matchResources", "validationActions"]) ?? [] {
            let path = "spec.\(key)"
            switch key {
            case "policyName": binding.policyName = reader.string(value, path: path) ?? ""
            case "matchResources": binding.matchResources = reader.matchResources(value, path: path)
            case "validationActions": binding.validationActions = reader.validationActions(value, path: path)
            case "paramRef":
                binding.paramRef = value["name"]?.string ?? "selector"
                reader.problem("params-ignored", "\(path): parameter objects are not resolved here; `params` is null when the bound policy is evaluated", value, severity: .warning)
            default: break
            }
        }
        if binding.policyName.isEmpty { reader.problem("missing-field", "binding '\(name)' needs spec.policyName", spec) }
        if binding.validationActions.isEmpty {
            reader.problem("missing-field", "binding '\(name)' needs spec.validationActions (Deny, Warn and/or Audit)", spec)
        }
        if binding.validationActions.contains(.deny) && binding.validationActions.contains(.warn) {
            reader.problem("bad-value", "binding '\(name)': Deny and Warn may not be used together", spec)
        }
        return binding
    }
}
