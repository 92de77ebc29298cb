import BulkheadKube
public import BulkheadCEL

/// A webhook's answer to one AdmissionReview, as the API server reads it.
public struct AdmissionResponse: Sendable, Hashable {
    public var uid: String
    public var allowed: Bool
    /// Set when denied: the HTTP-style code of the `status` (422 Invalid, 403 Forbidden...).
    public var statusCode: Int?
    public var statusReason: String?
    /// Set when denied: every denying policy's message.
    public var message: String?
    /// Failures under the Warn action, shown to the client.
    public var warnings: [String]
    /// Policies' audit annotations and failures under the Audit action, recorded in the audit event.
    public var auditAnnotations: [String: String]

    public init(uid: String, allowed: Bool, statusCode: Int? = nil, statusReason: String? = nil, message: String? = nil,
                warnings: [String] = [], auditAnnotations: [String: String] = [:]) {
        self.uid = uid
        self.allowed = allowed
        self.statusCode = statusCode
        self.statusReason = statusReason
        self.message = message
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The AdmissionReview response body (keys in a fixed order, annotations sorted).
    public func json() -> [UInt8] {
        var out = JSONText()
        out.raw(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"#)
        out.string(uid)
        out.raw(allowed ? #","allowed":true"# : #","allowed":false"#)
        if let statusCode {
            out.raw(#","status":{"code":"#)
            out.raw(String(statusCode))
            if let statusReason { out.raw(#","reason":"#); out.string(statusReason) }
            if let message { out.raw(#","message":"#); out.string(message) }
            out.raw("}")
        }
        if !warnings.isEmpty {
            out.raw(#","warnings":["#)
            for (index, warning) in warnings.enumerated() {
                if index > 0 { out.raw(",") }
                out.string(warning)
            }
            out.raw("]")
        }
        if !auditAnnotations.isEmpty {
            out.raw(#","auditAnnotations":{"#)
            for (index, key) in auditAnnotations.keys.sorted().enumerated() {
                if index > 0 { out.raw(",") }
                out.string(key)
                out.raw(":")
                out.string(auditAnnotations[key]!)
            }
            out.raw("}")
        }
        out.raw("}}")
        return out.bytes
    }
}

/// Answers admission requests with a policy engine, the way the API server applies the same
/// policies natively: Deny failures reject, Warn failures become warnings, Audit failures and
/// audit annotations are recorded. Pure: the same request gives the same response.
public struct AdmissionReviewer: Sendable {
    public let engine: PolicyEngine
    /// Namespace objects by name, for policies that read `namespaceObject` or bindings that
    /// select namespaces by label; a namespace not listed has a null Namespace object.
    public let namespaces: [String: CELValue]

    /// The labels of each of `namespaces`, read once.
    private let namespaceLabels: [String: [String: String]]
    /// What of a review body the policies can observe; the rest is checked but not built.
    public let bodyProjection: CELProjection

    public init(engine: PolicyEngine, namespaces: [String: CELValue] = [:]) {
        self.engine = engine
        self.namespaces = namespaces
        self.namespaceLabels = namespaces.mapValues(RequestMatcher.labels(of:))
        self.bodyProjection = ReviewProjection.of(engine)
    }

    /// The response to `request` and the policy results behind it. A request no policy matches
    /// is allowed.
    public func review(_ request: AdmissionRequest) -> (response: AdmissionResponse, results: [PolicyResult]) {
        let namespaceObject = request.namespace.isEmpty ? CELValue.null : namespaces[request.namespace] ?? .null
        let labels = request.namespace.isEmpty ? [:] : namespaceLabels[request.namespace] ?? [:]
        let results = engine.evaluate(request, namespaceObject: namespaceObject, namespaceLabels: labels)
        return (Self.response(uid: request.uid, results: results), results)
    }

    /// Decodes and answers an AdmissionReview body; throws when the body is not one.
    public func review(body: some Collection<UInt8>) throws(AdmissionReviewError) -> (response: AdmissionResponse, results: [PolicyResult]) {
        review(try AdmissionReview.request(fromJSON: body, projection: bodyProjection))
    }

    static func response(uid: String, results: [PolicyResult]) -> AdmissionResponse {
        var response = AdmissionResponse(uid: uid, allowed: true, warnings: [], auditAnnotations: [:])
        var denials: [String] = []
        var auditFailures: [String] = []
        for result in results {
            if result.denies {
                denials.append("\(Self.subject(result)) denied request: \(Self.message(result))")
                if response.statusCode == nil { (response.statusCode, response.statusReason) = Self.status(result) }
            }
            for warning in result.warnings { response.warnings.append("Validation failed for \(Self.subject(result)): \(warning)") }
            if result.actions.contains(.audit), result.outcome == .fail || result.outcome == .error {
                var entry = JSONText()
                entry.raw(#"{"message":"#); entry.string(Self.message(result))
                entry.raw(#","policy":"#); entry.string(result.policy)
                if let binding = result.binding { entry.raw(#","binding":"#); entry.string(binding) }
                if let index = result.validationIndex { entry.raw(#","expressionIndex":"#); entry.raw(String(index)) }
                entry.raw(#","validationActions":["#)
                entry.raw(result.actions.map { "\"\($0.rawValue)\"" }.joined(separator: ","))
                entry.raw("]}")
                auditFailures.append(String(decoding: entry.bytes, as: UTF8.self))
            }
            for (key, value) in result.auditAnnotations { response.auditAnnotations["\(result.policy)-\(key)"] = value }
        }
        if !auditFailures.isEmpty { response.auditAnnotations["validation_failure"] = "[" + auditFailures.joined(separator: ",") + "]" }
        if !denials.isEmpty {
            response.allowed = false
            response.message = denials.joined(separator: "; ")
        }
        return response
    }

    /// How the API server names a policy in messages.
    static func subject(_ result: PolicyResult) -> String {
        if let binding = result.binding { return "ValidatingAdmissionPolicy '\(result.policy)' with binding '\(binding)'" }
        return "ValidatingPolicy '\(result.policy)'"
    }

    static func message(_ result: PolicyResult) -> String {
        result.failures.first?.message ?? result.message
    }

    /// The status for a denial from the failed validation's `reason`.
    static func status(_ result: PolicyResult) -> (Int, String) {
        switch result.failures.first?.reason ?? "Invalid" {
        case "Unauthorized": return (401, "Unauthorized")
        case "Forbidden": return (403, "Forbidden")
        case "RequestEntityTooLarge": return (413, "RequestEntityTooLarge")
        default: return (422, "Invalid")
        }
    }
}

/// A JSON text written by hand: a few fixed-shape documents on the request path, where
/// `JSONEncoder` would cost more than the policies.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string literal with `"`, `\` and control characters escaped.
    mutating func string(_ text: String) {
        JSONWriter.appendString(text, to: &bytes)
    }
}
