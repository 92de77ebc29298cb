import BulkheadCEL
import BulkheadPolicy
import Foundation
import Testing

/// The webhook's decision logic without the network: AdmissionReview decoding, the response the
/// API server reads (allowed, status, warnings, audit annotations, the uid echoed), bad bodies.
@Suite struct AdmissionReviewTests {
    static let policies = """
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: no-privileged}
    spec:
      matchConstraints:
        resourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
      validations:
      - expression: "object.spec.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)"
        message: privileged containers are not allowed
        reason: Forbidden
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: no-privileged}
    spec:
      policyName: no-privileged
      validationActions: [Deny]
      matchResources:
        namespaceSelector: {matchLabels: {tenant: "yes"}}
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: pinned-images}
    spec:
      matchConstraints:
        resourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
      validations:
      - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
        message: pin the image tag
      auditAnnotations:
      - key: images
        valueExpression: "object.spec.containers.map(c, c.image).join(',')"
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: pinned-images}
    spec:
      policyName: pinned-images
      validationActions: [Warn, Audit]
    """

    static func reviewer() throws -> AdmissionReviewer {
        let loaded = PolicyLoader().load(yaml: policies, file: "policies.yaml")
        #expect(loaded.errors.isEmpty, "\(loaded.errors.map(\.description))")
        let namespace = try CELValue(jsonBytes: Array(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"tenant":"yes"}}}"#.utf8))
        return AdmissionReviewer(engine: PolicyEngine(policies: loaded.policies, bindings: loaded.bindings), namespaces: ["team-a": namespace])
    }

    static func review(kind: String = "Pod", namespace: String = "team-a", object: String) -> String {
        #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-7","kind":{"group":"","version":"v1","kind":"\#(kind)"},"resource":{"group":"","version":"v1","resource":"\#(kind.lowercased())s"},"namespace":"\#(namespace)","operation":"CREATE","userInfo":{"username":"alice","groups":["dev"]},"object":\#(object)}}"#
    }

    static func pod(image: String = "ghcr.io/a/b:1", privileged: Bool = false) -> String {
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"\#(image)","securityContext":{"privileged":\#(privileged)}}]}}"#
    }

    static func decode(_ bytes: [UInt8]) throws -> [String: Any] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(document["apiVersion"] as? String == "admission.k8s.io/v1")
        #expect(document["kind"] as? String == "AdmissionReview")
        return try #require(document["response"] as? [String: Any])
    }

    @Test func aDenyFailureRejectsWithThePolicysMessageAndReason() throws {
        let (response, results) = try Self.reviewer().review(body: Array(Self.review(object: Self.pod(privileged: true)).utf8))
        let json = try Self.decode(response.json())
        #expect(json["uid"] as? String == "uid-7")
        #expect(json["allowed"] as? Bool == false)
        let status = try #require(json["status"] as? [String: Any])
        #expect(status["code"] as? Int == 403)
        #expect(status["reason"] as? String == "Forbidden")
        #expect(status["message"] as? String == "ValidatingAdmissionPolicy 'no-privileged' with binding 'no-privileged' denied request: privileged containers are not allowed")
        #expect(results.map(\.policy).sorted() == ["no-privileged", "pinned-images"])
    }

    @Test func aWarnFailureAdmitsWithAWarningAndAuditAnnotations() throws {
        let (response, _) = try Self.reviewer().review(body: Array(Self.review(object: Self.pod(image: "nginx:latest")).utf8))
        let json = try Self.decode(response.json())
        #expect(json["allowed"] as? Bool == true)
        #expect(json["status"] == nil)
        #expect(json["warnings"] as? [String] == ["Validation failed for ValidatingAdmissionPolicy 'pinned-images' with binding 'pinned-images': pin the image tag"])
        let annotations = try #require(json["auditAnnotations"] as? [String: String])
        #expect(annotations["pinned-images-images"] == "nginx:latest")
        let failureText = try #require(annotations["validation_failure"])
        let failures = try #require(try JSONSerialization.jsonObject(with: Data(failureText.utf8)) as? [[String: Any]])
        #expect(failures.count == 1)
        #expect(failures.first?["policy"] as? String == "pinned-images")
        #expect(failures.first?["validationActions"] as? [String] == ["Warn", "Audit"])
    }

    @Test func aNamespaceOutsideTheBindingsSelectorIsNotDenied() throws {
        let (response, _) = try Self.reviewer().review(body: Array(Self.review(namespace: "kube-system", object: Self.pod(privileged: true)).utf8))
        #expect(response.allowed)
    }

    @Test func aKindNoPolicyMatchesIsAllowedWithNoResults() throws {
        let configMap = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}"#
        let (response, results) = try Self.reviewer().review(body: Array(Self.review(kind: "ConfigMap", object: configMap).utf8))
        #expect(response.allowed)
        #expect(results.isEmpty)
        #expect(String(decoding: response.json(), as: UTF8.self) == #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"uid-7","allowed":true}}"#)
    }

    @Test(arguments: [
        ("{not json", "malformed JSON"),
        ("[]", "must be a JSON object"),
        (#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}"#, "expected apiVersion admission.k8s.io/v1 kind AdmissionReview, got admission.k8s.io/v1beta1 AdmissionReview"),
        (#"{"apiVersion":"v1","kind":"Pod"}"#, "got v1 Pod"),
        (#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#, "request: missing"),
        (#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"version":"v1","kind":"Pod"},"operation":"CREATE"}}"#, "request.uid: missing"),
        (#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"PATCH"}}"#, "request.operation: 'PATCH' is not one of CREATE, UPDATE, DELETE, CONNECT"),
    ])
    func badBodiesAreRejectedWithTheReason(body: String, reason: String) throws {
        let error = #expect(throws: AdmissionReviewError.self) { try Self.reviewer().review(body: Array(body.utf8)) }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "no error")")
    }

    @Test func aNamespaceRequestIsClusterScoped() throws {
        let body = #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"n","kind":{"group":"","version":"v1","kind":"Namespace"},"namespace":"team-a","name":"team-a","operation":"UPDATE","object":{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}}}"#
        let request = try AdmissionReview.request(fromJSON: Array(body.utf8))
        #expect(request.namespace == "")
        #expect(request.name == "team-a")
    }

    @Test func stringsInTheResponseAreEscaped() {
        let response = AdmissionResponse(uid: "a\"b", allowed: false, statusCode: 422, statusReason: "Invalid",
                                         message: "line1\nline2 \\ \u{01}", warnings: ["tab\there"], auditAnnotations: [:])
        let decoded = try? JSONSerialization.jsonObject(with: Data(response.json())) as? [String: Any]
        let body = decoded?["response"] as? [String: Any]
        #expect(body?["uid"] as? String == "a\"b")
        #expect((body?["status"] as? [String: Any])?["message"] as? String == "line1\nline2 \\ \u{01}")
        #expect(body?["warnings"] as? [String] == ["tab\there"])
    }
}
