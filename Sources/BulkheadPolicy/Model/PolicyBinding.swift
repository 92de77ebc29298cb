/// A `ValidatingAdmissionPolicyBinding`: puts a `ValidatingAdmissionPolicy` into effect, with its
/// actions and an optional narrower scope.
///
/// `paramRef` is read but not resolved: parameter objects live in the cluster, so `params` is
/// null when a bound policy is evaluated here (the loader says so with a warning).
public struct PolicyBinding: Sendable {
    public var name: String
    public var policyName: String
    public var validationActions: [ValidationAction]
    /// Nil applies wherever the policy's own `matchConstraints` match.
    public var matchResources: MatchResources?
    /// `spec.paramRef.name` (or selector description), kept only to explain that it is ignored.
    public var paramRef: String?
    public var location: SourceLocation

    public init(name: String, policyName: String, validationActions: [ValidationAction],
                matchResources: MatchResources? = nil, paramRef: String? = nil,
                location: SourceLocation = SourceLocation(file: "", line: 1, column: 1)) {
        self.name = name
        self.policyName = policyName
        self.validationActions = validationActions
        self.matchResources = matchResources
        self.paramRef = paramRef
        self.location = location
    }
}
