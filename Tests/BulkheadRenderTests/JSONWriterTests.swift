import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation
import Testing

/// The hand-written JSON writer prints exactly what Foundation's `JSONEncoder` prints with
/// sorted keys and unescaped slashes, pretty and compact.
@Suite struct JSONWriterTests {
    static func foundation<Value: Encodable>(_ value: Value, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + (pretty ? "\n" : "")
    }

    static func expectSameAsFoundation(_ document: IAMPolicyDocument) throws {
        #expect(try Manifests.json(document) == (try foundation(document, pretty: true)))
        #expect(try Manifests.compactJSON(document) == (try foundation(document, pretty: false)))
    }

    @Test func everyIAMDocumentOfTheExampleIsPrintedAsFoundationPrintsIt() throws {
        let declaration = try #require(try ExampleSnapshotTests.load().declaration)
        var documents = 0
        for tenant in declaration.tenants {
            for cluster in declaration.clusters {
                let bundle = try TenantBundleRenderer(declaration: declaration, tenant: tenant, cluster: cluster).render()
                try Self.expectSameAsFoundation(bundle.trustPolicy)
                documents += 1
                if let permissions = bundle.permissionsPolicy {
                    try Self.expectSameAsFoundation(permissions)
                    documents += 1
                }
            }
        }
        #expect(documents > declaration.tenants.count)
    }

    @Test func escapesQuotesBackslashesAndControlCharactersLikeFoundation() throws {
        let document = IAMPolicyDocument(statement: [
            IAMPolicyDocument.Statement(sid: "quote \" backslash \\ slash / tab \t newline \n bell \u{7} e\u{301} 😀",
                                        principal: ["Service": "pods.eks.amazonaws.com"], action: ["s3:GetObject"],
                                        resource: ["arn:aws:s3:::bucket/*"], condition: ["StringEquals": ["b": "2", "a": "1", "B": "3"]]),
            IAMPolicyDocument.Statement(sid: "", action: []),
        ])
        try Self.expectSameAsFoundation(document)
    }
}
