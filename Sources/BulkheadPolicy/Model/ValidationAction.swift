/// What a failed validation does to the request (Kubernetes binding `validationActions`, Kyverno
/// `spec.validationActions`).
public enum ValidationAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Reject the request.
    case deny = "Deny"
    /// Admit it and return a warning to the client.
    case warn = "Warn"
    /// Admit it and record the failure in the audit event.
    case audit = "Audit"
}

/// What happens when an expression cannot be evaluated (error or cost limit).
public enum FailurePolicy: String, Sendable, Hashable, Codable {
    /// The error counts against the request (the default in both APIs).
    case fail = "Fail"
    /// The error is ignored and the request admitted.
    case ignore = "Ignore"
}
