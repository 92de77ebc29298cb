import BulkheadCEL
import BulkheadPolicy
import Foundation
import Testing

/// The webhook parses only what its policies can observe of a review body. Over every Kyverno
/// conformance suite (pod security and best practices, with Deployments and CronJobs checked
/// through Kyverno's auto-generation), each resource sent as a create, an update and a delete
/// gets the same results from the projected body as from the whole one.
@Suite struct ReviewProjectionTests {
    @Test func everySuiteGetsTheSameResultsFromProjectedBodies() throws {
        let suites = KyvernoTestRunner.findSuites(under: KyvernoConformanceTests.folder)
        #expect(suites.count == 31)
        var reviews = 0
        var decided = 0
        for path in suites {
            let suite = try KyvernoTestSuite.load(path: path)
            let loaded = PolicyLoader().load(files: suite.policies.map(suite.resolve))
            let engine = PolicyEngine(policies: loaded.policies, bindings: loaded.bindings,
                                      options: PolicyEngine.Options(evaluatesUnboundAdmissionPolicies: true))
            let reviewer = AdmissionReviewer(engine: engine)
            #expect(!reviewer.bodyProjection.isWhole, "\(path): the projection keeps everything")
            for file in suite.resources.map(suite.resolve) {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                for object in try YAMLValues.documents(text) {
                    guard let created = AdmissionRequest(object: object) else { continue }
                    var updated = created
                    updated.operation = .update
                    updated.oldObject = object
                    var deleted = created
                    deleted.operation = .delete
                    (deleted.object, deleted.oldObject) = (.null, object)
                    for request in [created, updated, deleted] {
                        let body = Array(ReviewBody.json(request).utf8)
                        let whole = try AdmissionReview.request(fromJSON: body)
                        let projected = try AdmissionReview.request(fromJSON: body, projection: reviewer.bodyProjection)
                        let expected = engine.evaluate(whole)
                        #expect(engine.evaluate(projected) == expected, "\(file): \(request.kind.kind) \(request.name) \(request.operation)")
                        #expect(try reviewer.review(body: body).response == reviewer.review(whole).response)
                        reviews += 1
                        decided += expected.count
                    }
                }
            }
        }
        print("projected reviews: \(reviews), policy results compared: \(decided)")
        #expect(reviews > 300 && decided > 300)
    }

    /// A body whose skipped parts are malformed is refused as the whole parse refuses it.
    @Test func malformedSkippedPartsAreStillRefused() throws {
        let engine = try Fixture.engine(AdmissionReviewTests.policies)
        let reviewer = AdmissionReviewer(engine: engine)
        let request = try Fixture.request(Fixture.pod("p"))
        let body = ReviewBody.json(request).replacingOccurrences(of: #""image":"#, with: #""env":[1,],"image":"#)
        #expect(body.contains("[1,]"))
        #expect(throws: AdmissionReviewError.self) { try reviewer.review(body: Array(body.utf8)) }
        #expect(throws: AdmissionReviewError.self) { try AdmissionReview.request(fromJSON: Array(body.utf8)) }
    }
}

/// An AdmissionReview body for a request, as the API server sends one.
enum ReviewBody {
    static func json(_ request: AdmissionRequest) -> String {
        var fields: [String: Any] = [
            "uid": "u-1", "namespace": request.namespace, "name": request.name, "operation": request.operation.rawValue,
            "kind": ["group": request.kind.group, "version": request.kind.version, "kind": request.kind.kind],
            "resource": ["group": request.resource.group, "version": request.resource.version, "resource": request.resource.resource],
            "userInfo": ["username": "alice", "groups": ["dev"]],
        ]
        if case .null = request.object {} else { fields["object"] = foundation(request.object) }
        if case .null = request.oldObject {} else { fields["oldObject"] = foundation(request.oldObject) }
        let review: [String: Any] = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": fields]
        return String(decoding: try! JSONSerialization.data(withJSONObject: review), as: UTF8.self)
    }

    /// A CEL value as the Foundation object `JSONSerialization` writes.
    static func foundation(_ value: CELValue) -> Any {
        switch value {
        case .bool(let flag): return flag
        case .int(let number): return number
        case .uint(let number): return number
        case .double(let number): return number
        case .string(let text): return text
        case .list(let items): return items.map(foundation)
        case .map(let map):
            var object: [String: Any] = [:]
            for (key, value) in map.entries { object["\(key)"] = foundation(value) }
            return object
        default: return NSNull()
        }
    }
}
