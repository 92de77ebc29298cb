public import BulkheadModel
import Foundation
import HTTPTypes
public import Hummingbird

/// The one error shape of the API: `{"error": {code, message, field, requestId, problems}}`.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable reason (`unauthenticated`, `forbidden`, `not-found`, …).
    public var code: String
    public var message: String
    /// The field the error is about, as a path (`spec.tier`), when there is one.
    public var field: String?
    /// Every validation problem, with the same text the CLI prints.
    public var problems: [Problem] = []

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil, problems: [Problem] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.problems = problems
    }

    static func unauthenticated(_ message: String) -> APIError { APIError(.unauthorized, "unauthenticated", message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not-found", message) }
    static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(.badRequest, "bad-request", message, field: field) }

    /// The workspace's refusal as an API error. Only a caller who may see every tenant
    /// (`revealsFolder`) is told which files of the platform folder wait for a sync.
    init(_ error: WorkspaceError, revealsFolder: Bool = false) {
        switch error {
        case .invalid(let problems):
            let first = problems.first
            self.init(.unprocessableContent, "invalid", problems.count == 1 ? first?.description ?? "invalid declaration"
                      : "\(problems.count) problems in the declaration", field: first?.path.isEmpty == false ? first?.path : nil, problems: problems)
        case .notFound(let message): self.init(.notFound, "not-found", message)
        case .conflict(let message): self.init(.conflict, "conflict", message)
        case .unrecordedEdits(let paths):
            self.init(.conflict, "unrecorded-edits", WorkspaceError.unrecordedEditsMessage(revealsFolder ? paths : []))
        case .stale(let message): self.init(.preconditionFailed, "stale", message, field: "If-Match")
        case .preconditionMissing(let message): self.init(.preconditionRequired, "precondition-required", message, field: "If-Match")
        case .forbidden(let message): self.init(.forbidden, "forbidden", message)
        case .rejected(let message): self.init(.unprocessableContent, "rejected", message)
        case .failed(let message): self.init(.internalServerError, "internal", message)
        }
    }

    /// The JSON response, carrying the request id.
    func response(requestID: String) -> Response {
        JSONResponse.make(status, bytes: body(requestID: requestID), requestID: requestID)
    }

    /// The JSON body.
    func body(requestID: String) -> [UInt8] {
        struct Body: Encodable {
            struct Detail: Encodable {
                var code: String
                var message: String
                var field: String?
                var requestId: String
                var problems: [ProblemBody]?
            }
            var error: Detail
        }
        let problems = self.problems.isEmpty ? nil : self.problems.map(ProblemBody.init)
        return JSONResponse.bytes(Body(error: .init(code: code, message: message, field: field, requestId: requestID, problems: problems)))
    }
}

/// A validation problem as the API shows it.
struct ProblemBody: Encodable {
    var code: String
    var severity: String
    var location: String?
    var field: String
    var message: String
    var text: String

    init(_ problem: Problem) {
        code = problem.code
        severity = problem.severity == .error ? "error" : "warning"
        location = problem.location?.description
        field = problem.path
        message = problem.message
        text = problem.description
    }
}

/// JSON responses with sorted keys and the request id header.
enum JSONResponse {
    static let requestIDHeader = HTTPField.Name("X-Request-ID")!

    static func make(_ status: HTTPResponse.Status, _ value: some Encodable, requestID: String) -> Response {
        make(status, bytes: bytes(value), requestID: requestID)
    }

    static func make(_ status: HTTPResponse.Status, bytes: [UInt8], requestID: String, replayed: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[requestIDHeader] = requestID
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A value as JSON text with sorted keys and a final newline.
    static func bytes(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return [UInt8]((try? encoder.encode(value)) ?? Data("{}".utf8)) + [UInt8(ascii: "\n")]
    }
}
