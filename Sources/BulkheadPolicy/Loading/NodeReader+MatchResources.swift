import Yams

extension NodeReader {
    /// Reads `matchConstraints` / `matchResources`.
    mutating func matchResources(_ node: Node, path: String) -> MatchResources? {
        guard let entries = mapping(node, path: path, known: ["resourceRules", "excludeResourceRules", "namespaceSelector",
                                                           "objectSelector", "matchPolicy"]) else { return nil }
        var result = MatchResources()
        for (key, value) in entries {
            let fieldPath = Self.join(path, key)
            switch key {
            case "resourceRules": result.resourceRules = resourceRules(value, path: fieldPath)
            case "excludeResourceRules": result.excludeResourceRules = resourceRules(value, path: fieldPath)
            case "namespaceSelector": result.namespaceSelector = labelSelector(value, path: fieldPath)
            case "objectSelector": result.objectSelector = labelSelector(value, path: fieldPath)
            case "matchPolicy":
                guard let text = string(value, path: fieldPath) else { continue }
                if let policy = MatchResources.MatchPolicy(rawValue: text) {
                    result.matchPolicy = policy
                } else {
                    problem("bad-value", "\(fieldPath) must be Exact or Equivalent, found '\(text)'", value)
                }
            default: break
            }
        }
        return result
    }

    private mutating func resourceRules(_ node: Node, path: String) -> [ResourceRule] {
        var rules: [ResourceRule] = []
        for (index, item) in (sequence(node, path: path) ?? []).enumerated() {
            let rulePath = "\(path)[\(index)]"
            guard let entries = mapping(item, path: rulePath, known: ["apiGroups", "apiVersions", "resources", "operations",
                                                                      "resourceNames", "scope"]) else { continue }
            var rule = ResourceRule(apiGroups: [], apiVersions: [], resources: [], operations: [])
            for (key, value) in entries {
                let fieldPath = Self.join(rulePath, key)
                switch key {
                case "apiGroups": rule.apiGroups = strings(value, path: fieldPath)
                case "apiVersions": rule.apiVersions = strings(value, path: fieldPath)
                case "resources": rule.resources = strings(value, path: fieldPath)
                case "resourceNames": rule.resourceNames = strings(value, path: fieldPath)
                case "operations":
                    rule.operations = strings(value, path: fieldPath)
                    for operation in rule.operations where !["*", "CREATE", "UPDATE", "DELETE", "CONNECT"].contains(operation) {
                        problem("bad-value", "\(fieldPath): '\(operation)' is not an operation (allowed: CREATE, UPDATE, DELETE, CONNECT, *)", value)
                    }
                case "scope":
                    guard let text = string(value, path: fieldPath) else { continue }
                    if let scope = ResourceRule.Scope(rawValue: text) {
                        rule.scope = scope
                    } else {
                        problem("bad-value", "\(fieldPath) must be *, Cluster or Namespaced, found '\(text)'", value)
                    }
                default: break
                }
            }
            if rule.resources.isEmpty { problem("missing-field", "\(rulePath).resources must list at least one resource", item) }
            rules.append(rule)
        }
        return rules
    }

    mutating func labelSelector(_ node: Node, path: String) -> LabelSelector? {
        guard let entries = mapping(node, path: path, known: ["matchLabels", "matchExpressions"]) else { return nil }
        var selector = LabelSelector()
        for (key, value) in entries {
            let fieldPath = Self.join(path, key)
            switch key {
            case "matchLabels": selector.matchLabels = stringMap(value, path: fieldPath)
            case "matchExpressions":
                for (index, item) in (sequence(value, path: fieldPath) ?? []).enumerated() {
                    let itemPath = "\(fieldPath)[\(index)]"
                    guard let fields = mapping(item, path: itemPath, known: ["key", "operator", "values"]) else { continue }
                    var requirementKey: String?
                    var requirementOperator: LabelSelector.Requirement.Operator?
                    var values: [String] = []
                    for (name, field) in fields {
                        switch name {
                        case "key": requirementKey = string(field, path: "\(itemPath).key")
                        case "operator":
                            let text = string(field, path: "\(itemPath).operator") ?? ""
                            requirementOperator = LabelSelector.Requirement.Operator(rawValue: text)
                            if requirementOperator == nil {
                                problem("bad-value", "\(itemPath).operator must be In, NotIn, Exists or DoesNotExist, found '\(text)'", field)
                            }
                        case "values": values = strings(field, path: "\(itemPath).values")
                        default: break
                        }
                    }
                    guard let requirementKey, let requirementOperator else {
                        problem("missing-field", "\(itemPath) needs a key and an operator", item)
                        continue
                    }
                    selector.matchExpressions.append(LabelSelector.Requirement(key: requirementKey, operator: requirementOperator, values: values))
                }
            default: break
            }
        }
        return selector
    }

    /// Reads `validationActions`.
    mutating func validationActions(_ node: Node, path: String) -> [ValidationAction] {
        var actions: [ValidationAction] = []
        for (index, item) in (sequence(node, path: path) ?? []).enumerated() {
            guard let text = string(item, path: "\(path)[\(index)]") else { continue }
            if let action = ValidationAction(rawValue: text) {
                if !actions.contains(action) { actions.append(action) }
            } else {
                problem("bad-value", "\(path)[\(index)]: '\(text)' is not a validation action (allowed: Deny, Warn, Audit)", item)
            }
        }
        return actions
    }
}
