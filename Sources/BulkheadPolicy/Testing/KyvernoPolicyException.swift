import BulkheadCEL
import Yams

/// A Kyverno CEL `PolicyException` (policies.kyverno.io): policies it exempts, and match
/// conditions that must all hold for an object to be exempt.
struct KyvernoPolicyException {
    var name: String
    var policyNames: [String]
    var matchConditions: [PolicyExpression]
    /// `pass` or `skip` (the default): the result reported for an exempt object.
    var reportResult: String

    /// Reads the exceptions in `file`; other documents are ignored.
    static func load(_ file: YAMLFile, problems: inout [PolicyProblem]) -> [KyvernoPolicyException] {
        var result: [KyvernoPolicyException] = []
        for document in file.documents where document["kind"]?.string == "PolicyException"
            && (document["apiVersion"]?.string ?? "").hasPrefix(PolicyLoader.kyvernoGroup + "/") {
            var reader = NodeReader(file: file)
            reader.kyvernoDialect = true
            var policyNames: [String] = []
            if case .sequence(let refs)? = document["spec"]?["policyRefs"] {
                policyNames = refs.compactMap { $0["name"]?.string }
            }
            var conditions: [PolicyExpression] = []
            if case .sequence(let items)? = document["spec"]?["matchConditions"] {
                for (index, item) in items.enumerated() {
                    guard let node = item["expression"] else { continue }
                    if let expression = reader.expression(node, path: "spec.matchConditions[\(index)].expression", expecting: .bool) {
                        conditions.append(expression)
                    }
                }
            }
            problems += reader.problems
            result.append(KyvernoPolicyException(name: document["metadata"]?["name"]?.string ?? "", policyNames: policyNames,
                                                 matchConditions: conditions,
                                                 reportResult: document["spec"]?["reportResult"]?.string?.lowercased() ?? "skip"))
        }
        return result
    }

    /// Whether the exception exempts `request` from `policy`.
    func applies(to policy: String, request: AdmissionRequest, namespaceObject: CELValue) -> Bool {
        guard policyNames.contains(policy) else { return false }
        let activation: [String: CELValue] = ["object": request.object, "oldObject": request.oldObject,
                                              "request": request.celValue, "namespaceObject": namespaceObject,
                                              "params": .null, "variables": .map(CELMap())]
        for condition in matchConditions {
            guard let program = condition.program, case .bool(true)? = try? program.evaluate(activation) else { return false }
        }
        return true
    }
}
