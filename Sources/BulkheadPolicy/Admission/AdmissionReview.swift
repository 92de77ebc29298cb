public import BulkheadCEL

/// Why an AdmissionReview body could not be answered; the webhook returns HTTP 400 with the
/// description.
public struct AdmissionReviewError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The `admission.k8s.io/v1` AdmissionReview wire format: decoding a request body into an
/// ``AdmissionRequest`` (objects converted to CEL values once).
public enum AdmissionReview {
    public static let apiVersion = "admission.k8s.io/v1"
    public static let kind = "AdmissionReview"

    /// Decodes an AdmissionReview request body. Throws, with what is wrong and where, for
    /// malformed JSON, another kind or version, or a request missing required fields.
    /// `projection` leaves out of the objects what no policy reads (the text is checked whole).
    public static func request(fromJSON body: some Collection<UInt8>,
                               projection: CELProjection = .whole) throws(AdmissionReviewError) -> AdmissionRequest {
        let document: CELValue
        do {
            document = try CELValue(jsonBytes: body, projection: projection)
        } catch {
            throw AdmissionReviewError("malformed JSON: \(error.message)")
        }
        guard case .map(let root) = document else { throw AdmissionReviewError("the body must be a JSON object (an AdmissionReview)") }
        let apiVersion = root.stringValue("apiVersion") ?? ""
        let kind = root.stringValue("kind") ?? ""
        guard apiVersion == Self.apiVersion, kind == Self.kind else {
            let got = apiVersion.isEmpty && kind.isEmpty ? "no apiVersion or kind" : "\(apiVersion.isEmpty ? "<no apiVersion>" : apiVersion) \(kind.isEmpty ? "<no kind>" : kind)"
            throw AdmissionReviewError("expected apiVersion \(Self.apiVersion) kind \(Self.kind), got \(got)")
        }
        guard case .map(let request)? = root["request"] else { throw AdmissionReviewError("request: missing (an AdmissionReview sent to a webhook carries a request)") }
        guard let uid = request.stringValue("uid"), !uid.isEmpty else { throw AdmissionReviewError("request.uid: missing") }
        guard case .map(let kindMap)? = request["kind"], let kindName = kindMap.stringValue("kind"), let version = kindMap.stringValue("version") else {
            throw AdmissionReviewError("request.kind: missing or without kind and version")
        }
        let gvk = AdmissionRequest.GroupVersionKind(group: kindMap.stringValue("group") ?? "", version: version, kind: kindName)
        let gvr: AdmissionRequest.GroupVersionResource
        if case .map(let resource)? = request["resource"], let name = resource.stringValue("resource") {
            gvr = .init(group: resource.stringValue("group") ?? gvk.group, version: resource.stringValue("version") ?? gvk.version, resource: name)
        } else {
            gvr = .init(group: gvk.group, version: gvk.version, resource: AdmissionRequest.resourceName(forKind: kindName))
        }
        let operationText = request.stringValue("operation") ?? ""
        guard let operation = AdmissionRequest.Operation(rawValue: operationText) else {
            throw AdmissionReviewError("request.operation: '\(operationText)' is not one of \(AdmissionRequest.Operation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var userInfo = AdmissionRequest.UserInfo()
        if case .map(let user)? = request["userInfo"] {
            userInfo.username = user.stringValue("username") ?? ""
            userInfo.uid = user.stringValue("uid") ?? ""
            if case .list(let groups)? = user["groups"] { userInfo.groups = groups.compactMap(\.stringValue) }
            if case .map(let extra)? = user["extra"] {
                for (key, value) in extra.entries {
                    if case .string(let key) = key, case .list(let values) = value { userInfo.extra[key] = values.compactMap(\.stringValue) }
                }
            }
        }
        // A Namespace request names the namespace itself; policies see it as cluster-scoped, as
        // the API server's own admission policies do.
        var namespace = request.stringValue("namespace") ?? ""
        if !AdmissionRequest.isNamespaced(kind: kindName) { namespace = "" }
        var dryRun = false
        if case .bool(let flag)? = request["dryRun"] { dryRun = flag }
        return AdmissionRequest(uid: uid, kind: gvk, resource: gvr, subResource: request.stringValue("subResource") ?? "",
                                namespace: namespace, name: request.stringValue("name") ?? "",
                                operation: operation, object: request["object"] ?? .null, oldObject: request["oldObject"] ?? .null,
                                userInfo: userInfo, dryRun: dryRun)
    }
}

extension CELMap {
    fileprivate func stringValue(_ key: String) -> String? { self[key]?.stringValue }
}

extension CELValue {
    fileprivate var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
