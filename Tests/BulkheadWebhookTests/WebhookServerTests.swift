import BulkheadCEL
import BulkheadPolicy
import BulkheadWebhook
import Foundation
import Logging
import Synchronization
import Testing

/// The webhook over real HTTPS on loopback, with curl as the client and a CA made by
/// `WebhookCertificates`: decisions, the bad inputs, health, metrics, and reload under load.
@Suite(.serialized) struct WebhookServerTests {
    static let denyPrivileged = """
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
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: no-privileged}
    spec: {policyName: no-privileged, validationActions: [Deny]}
    """

    static func reviewer(_ yaml: String) -> AdmissionReviewer {
        let loaded = PolicyLoader().load(yaml: yaml, file: "test.yaml")
        return AdmissionReviewer(engine: PolicyEngine(policies: loaded.policies, bindings: loaded.bindings))
    }

    static func review(privileged: Bool, uid: String = "uid-1") -> String {
        #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(uid)","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"team-a","operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x:1","securityContext":{"privileged":\#(privileged)}}]}}}}"#
    }

    /// A running server on a free port, its CA and a temporary folder; stopped by `stop()`.
    struct Running {
        let port: Int
        let folder: URL
        let task: Task<Void, any Error>

        var caFile: String { folder.appendingPathComponent("ca.crt").path }

        /// `curl` against the server: (HTTP status, body).
        func curl(_ path: String, body: String? = nil, bodyFile: String? = nil) async throws -> (status: Int, body: String) {
            var arguments = ["-s", "--cacert", caFile, "-o", "-", "-w", "\n%{http_code}", "https://localhost:\(port)\(path)"]
            if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
            if let bodyFile { arguments += ["-H", "Content-Type: application/json", "--data-binary", "@\(bodyFile)"] }
            let output = try await Self.run("/usr/bin/curl", arguments)
            let split = output.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(split.last ?? "") ?? -1, split.dropLast().joined(separator: "\n"))
        }

        /// Runs a process and waits for it on a thread of its own. Waiting on a thread of the
        /// concurrency pool would starve the server in this process, which answers on that pool:
        /// with two cores, two tests blocked in `curl` at once left it no thread, and hung.
        static func run(_ executable: String, _ arguments: [String]) async throws -> String {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try blockingRun(executable, arguments) })
                }
            }
        }

        static func blockingRun(_ executable: String, _ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }

        func stop() async {
            task.cancel()
            _ = await task.result
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func start(store: ReviewerStore, maxBodyBytes: Int = 64 * 1024) async throws -> Running {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-webhook-\(UUID().uuidString)")
        let certificates = try WebhookCertificates.generate(dnsNames: ["bulkhead-webhook.test.svc"], days: 1)
        try certificates.write(to: folder)
        let configuration = WebhookConfiguration(host: "127.0.0.1", port: 0, certificateFile: folder.appendingPathComponent("tls.crt").path,
                                                 privateKeyFile: folder.appendingPathComponent("tls.key").path, maxBodyBytes: maxBodyBytes)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await WebhookServer.serve(configuration: configuration, store: store, metrics: WebhookMetrics(), logger: logger) { port in
                continuation.yield(port)
            }
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return Running(port: port, folder: folder, task: task)
    }

    @Test func answersReviewsOverHTTPS() async throws {
        let server = try await Self.start(store: try ReviewerStore { Self.reviewer(Self.denyPrivileged) })
        defer { Task { await server.stop() } }

        let denied = try await server.curl("/validate", body: Self.review(privileged: true, uid: "deny-me"))
        #expect(denied.status == 200)
        let response = try #require((try JSONSerialization.jsonObject(with: Data(denied.body.utf8)) as? [String: Any])?["response"] as? [String: Any])
        #expect(response["uid"] as? String == "deny-me")
        #expect(response["allowed"] as? Bool == false)
        #expect(((response["status"] as? [String: Any])?["message"] as? String)?.contains("privileged containers are not allowed") == true)

        let allowed = try await server.curl("/validate", body: Self.review(privileged: false))
        #expect(allowed.body.contains(#""allowed":true"#))

        let configMap = #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"cm","kind":{"group":"","version":"v1","kind":"ConfigMap"},"namespace":"team-a","operation":"CREATE","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}}}"#
        #expect(try await server.curl("/validate", body: configMap).body.contains(#""allowed":true"#))

        #expect(try await server.curl("/healthz").status == 200)
        let ready = try await server.curl("/readyz")
        #expect(ready.status == 200 && ready.body.contains("1 policies"))
        await server.stop()
    }

    @Test func badInputGetsClearAnswersAndTheServerKeepsServing() async throws {
        let server = try await Self.start(store: try ReviewerStore { Self.reviewer(Self.denyPrivileged) }, maxBodyBytes: 4096)
        defer { Task { await server.stop() } }

        let malformed = try await server.curl("/validate", body: #"{"apiVersion": "admission.k8s.io/v1", "kind": "#)
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("malformed JSON"))

        let wrongVersion = try await server.curl("/validate", body: #"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}"#)
        #expect(wrongVersion.status == 400)
        #expect(wrongVersion.body.contains("expected apiVersion admission.k8s.io"))

        let big = server.folder.appendingPathComponent("big.json")
        try Data(repeating: UInt8(ascii: " "), count: 10_000).write(to: big)
        let tooLarge = try await server.curl("/validate", bodyFile: big.path)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.body.contains("4096"))

        #expect(try await server.curl("/validate", body: Self.review(privileged: true)).body.contains(#""allowed":false"#))
        let metrics = try await server.curl("/metrics")
        #expect(metrics.body.contains(#"bulkhead_webhook_requests_total{code="400"} 2"#))
        #expect(metrics.body.contains(#"bulkhead_webhook_requests_total{code="413"} 1"#))
        #expect(metrics.body.contains(#"bulkhead_webhook_decisions_total{policy="no-privileged",result="fail"} 1"#))
        #expect(metrics.body.contains("# TYPE bulkhead_webhook_request_duration_seconds histogram"))
        #expect(metrics.body.contains(#"bulkhead_webhook_request_duration_seconds_count 4"#))
        await server.stop()
    }

    @Test func sighupSwapsThePoliciesWithoutDroppingRequests() async throws {
        // Every load alternates between denying privileged pods and allowing everything.
        let loads = Mutex(0)
        let store = try ReviewerStore {
            let count = loads.withLock { count in
                count += 1
                return count
            }
            return count % 2 == 1 ? Self.reviewer(Self.denyPrivileged) : AdmissionReviewer(engine: PolicyEngine(policies: []))
        }
        let server = try await Self.start(store: store)
        defer { Task { await server.stop() } }
        #expect(try await server.curl("/validate", body: Self.review(privileged: true)).body.contains(#""allowed":false"#))

        // Requests in parallel with a stream of reloads: every one is answered 200.
        let requestFile = server.folder.appendingPathComponent("review.json")
        try Data(Self.review(privileged: true).utf8).write(to: requestFile)
        let load = Task.detached {
            try await Running.run("/usr/bin/curl", ["-s", "--cacert", server.caFile, "--parallel", "--parallel-max", "8", "-w", "%{http_code}\n",
                                              "-H", "Content-Type: application/json", "--data-binary", "@\(requestFile.path)"]
                            + (0..<300).flatMap { _ in ["-o", "/dev/null", "https://localhost:\(server.port)/validate"] })
        }
        for _ in 0..<20 {
            kill(getpid(), SIGHUP)
            try await Task.sleep(for: .milliseconds(10))
        }
        let codes = try await load.value.split(separator: "\n")
        #expect(codes.count == 300)
        #expect(codes.allSatisfy { $0 == "200" }, "\(Set(codes))")

        // Wait for the reloads to settle (a busy machine may still be working through the burst),
        // then one more: the decision follows the store.
        let before = try await Self.settled(loads)
        kill(getpid(), SIGHUP)
        for _ in 0..<1_000 where loads.withLock({ $0 }) == before { try await Task.sleep(for: .milliseconds(10)) }
        let expectDenied = try await Self.settled(loads) % 2 == 1
        #expect(try await server.curl("/validate", body: Self.review(privileged: true)).body.contains(expectDenied ? #""allowed":false"# : #""allowed":true"#))
        #expect(try await server.curl("/metrics").body.contains(#"bulkhead_webhook_reloads_total{result="success"}"#))
        await server.stop()
    }

    /// The count once it has stayed the same for 300 ms (at most 10 s of waiting).
    static func settled(_ count: borrowing Mutex<Int>) async throws -> Int {
        var last = count.withLock { $0 }, unchanged = 0
        for _ in 0..<1_000 where unchanged < 30 {
            try await Task.sleep(for: .milliseconds(10))
            let now = count.withLock { $0 }
            unchanged = now == last ? unchanged + 1 : 0
            last = now
        }
        return last
    }

    @Test func aFailedReloadKeepsThePreviousPolicies() async throws {
        struct Broken: Error {}
        let fail = Mutex(false)
        let store = try ReviewerStore {
            if fail.withLock({ $0 }) { throw Broken() }
            return Self.reviewer(Self.denyPrivileged)
        }
        fail.withLock { $0 = true }
        #expect(throws: Broken.self) { try store.reload() }
        #expect(store.reviewer.engine.policies.map(\.name) == ["no-privileged"])
    }

    @Test func certificatesChainToTheCA() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-certs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try WebhookCertificates.generate(dnsNames: WebhookCertificates.serviceNames(service: "hook", namespace: "sys"), days: 30).write(to: folder)
        let verify = try await Running.run("/usr/bin/openssl", ["verify", "-CAfile", folder.appendingPathComponent("ca.crt").path, folder.appendingPathComponent("tls.crt").path])
        #expect(verify.contains(": OK"))
        let names = try await Running.run("/usr/bin/openssl", ["x509", "-in", folder.appendingPathComponent("tls.crt").path, "-noout", "-ext", "subjectAltName"])
        #expect(names.contains("DNS:hook.sys.svc") && names.contains("DNS:hook.sys.svc.cluster.local"))
        let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("tls.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: (any Error).self) { try WebhookCertificates.generate(dnsNames: ["x"], days: 1).write(to: folder) }
    }
}
