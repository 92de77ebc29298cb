import BulkheadPolicy
import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL

/// Where and how the webhook listens.
public struct WebhookConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// PEM files of the serving certificate (chain) and its private key.
    public var certificateFile: String
    public var privateKeyFile: String
    /// Larger request bodies are answered 413 without being read.
    public var maxBodyBytes: Int
    /// Also serve `POST /echo`, which returns the body unchanged (the benchmark's baseline).
    public var echoRoute: Bool

    public init(host: String = "0.0.0.0", port: Int = 8443, certificateFile: String, privateKeyFile: String,
                maxBodyBytes: Int = 7 * 1024 * 1024, echoRoute: Bool = false) {
        self.host = host
        self.port = port
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.maxBodyBytes = maxBodyBytes
        self.echoRoute = echoRoute
    }
}

/// The admission webhook: `POST /validate` answers AdmissionReviews with the store's current
/// policy set; `/healthz`, `/readyz` and Prometheus `/metrics` for the kubelet and monitoring.
/// Every answer is HTTPS; bad input gets a 4xx with the reason and never stops the server.
public enum WebhookServer {
    /// The paths served.
    public static let validatePath = "/validate"

    /// Builds the application (not yet running). `onRunning` gets the bound port.
    public static func application(configuration: WebhookConfiguration, store: ReviewerStore, metrics: WebhookMetrics,
                                   logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        metrics.recordPolicyCount(store.reviewer.engine.policies.count)
        let router = Router()
        let limit = configuration.maxBodyBytes

        router.post(RouterPath(validatePath)) { request, _ -> Response in
            let started = ContinuousClock.now
            func elapsed() -> Duration { ContinuousClock.now - started }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                metrics.recordHTTP(code: 413, duration: elapsed())
                return status(.contentTooLarge, "the body is \(length) bytes; the limit is \(limit) bytes (--max-body-bytes)")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch is NIOTooManyBytesError {
                metrics.recordHTTP(code: 413, duration: elapsed())
                return status(.contentTooLarge, "the body is larger than the limit of \(limit) bytes (--max-body-bytes)")
            }
            let reviewer = store.reviewer
            do throws(AdmissionReviewError) {
                let (response, results) = try reviewer.review(body: body.readableBytesView)
                metrics.recordReview(results: results, allowed: response.allowed, duration: elapsed())
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.json())))
            } catch {
                metrics.recordHTTP(code: 400, duration: elapsed())
                return status(.badRequest, error.description)
            }
        }
        router.get("/healthz") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("/readyz") { _, _ in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready: \(store.reviewer.engine.policies.count) policies\n")))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        if configuration.echoRoute {
            router.post("/echo") { request, _ -> Response in
                let body = try await request.body.collect(upTo: limit)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
            }
        }

        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(configuration.certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: configuration.privateKeyFile, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        store.reloadOnHangup { error, reviewer in
            if let error {
                logger.error("policy reload failed; the previous policies stay in force: \(error)")
                metrics.recordReload(succeeded: false, policies: reviewer.engine.policies.count)
            } else {
                logger.info("policies reloaded: \(reviewer.engine.policies.count) policies, \(reviewer.engine.bindings.count) bindings")
                metrics.recordReload(succeeded: true, policies: reviewer.engine.policies.count)
            }
        }
        return Application(
            router: router,
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "bulkhead-webhook"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Builds and runs the application until SIGTERM or SIGINT.
    public static func serve(configuration: WebhookConfiguration, store: ReviewerStore, metrics: WebhookMetrics,
                             logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(configuration: configuration, store: store, metrics: metrics, logger: logger, onRunning: onRunning).runService()
    }

    /// A Kubernetes `Status` body for an error answer.
    static func status(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let object: [String: Any] = ["apiVersion": "v1", "kind": "Status", "status": "Failure", "code": status.code,
                                     "reason": status.reasonPhrase.replacingOccurrences(of: " ", with: ""), "message": message]
        let text = ((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()) + Data("\n".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
    }
}
