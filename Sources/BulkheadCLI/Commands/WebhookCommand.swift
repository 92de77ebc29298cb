import ArgumentParser
import BulkheadKube
import BulkheadModel
import BulkheadPolicy
import BulkheadRender
import BulkheadWebhook
import Dispatch
import Foundation
import Logging

/// `bulkhead webhook`: the optional admission webhook and its certificates.
struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Serve the guardrails as an admission webhook, or make its TLS certificates.",
        discussion: """
        The guardrails already run inside every cluster as native ValidatingAdmissionPolicies; the \
        webhook is optional and answers the same policies with the same engine, for clusters or \
        audit setups that want Bulkhead's decisions, messages and metrics. Its \
        ValidatingWebhookConfiguration (rendered into clusters/<c>/platform/webhook.yaml when the \
        Platform declares spec.webhook) uses failurePolicy Ignore unless spec.webhook.failurePolicy \
        says Fail, so by default an outage blocks nothing.

        Examples:
          bulkhead webhook certs --out certs/ --namespace bulkhead-system --service bulkhead-webhook
          bulkhead webhook serve examples/acme --cluster prod-use1 --cert certs/tls.crt --key certs/tls.key
          kill -HUP <pid>     # reload the declaration and policies without dropping requests
        """,
        subcommands: [Serve.self, Certs.self]
    )
}

extension WebhookCommand {
    struct Certs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "certs",
            abstract: "Generate a CA and a serving certificate for the webhook (ECDSA P-256).",
            discussion: """
            Writes ca.crt, ca.key, tls.crt and tls.key into --out (refusing to overwrite), the \
            serving certificate valid for <service>.<namespace>.svc (and .cluster.local, localhost), \
            and prints the spec.webhook block to add to the Platform so every cluster's \
            ValidatingWebhookConfiguration carries the CA bundle.

            Examples:
              bulkhead webhook certs --out certs/
              bulkhead webhook certs --out certs/ --namespace bulkhead-system --service bulkhead-webhook --days 365
            """
        )

        @Option(name: .long, help: ArgumentHelp("Folder to write the certificates and keys into.", valueName: "dir"), completion: .directory)
        var out: String

        @Option(name: .long, help: "The namespace the webhook Service runs in.")
        var namespace: String = "bulkhead-system"

        @Option(name: .long, help: "The webhook Service's name.")
        var service: String = "bulkhead-webhook"

        @Option(name: .long, help: "Days the certificates stay valid.")
        var days: Int = 365

        @Option(name: .customLong("dns-name"), help: ArgumentHelp("Another DNS name for the serving certificate (repeatable).", valueName: "name"))
        var dnsNames: [String] = []

        func validate() throws {
            guard (1...3650).contains(days) else { throw ValidationError("--days \(days): must be between 1 and 3650") }
            for (flag, value) in [("--namespace", namespace), ("--service", service)] where !Names.isDNSLabel(value) {
                throw ValidationError("\(flag) '\(value)': must be a DNS label (\(Names.dnsLabelRule))")
            }
        }

        func run() throws {
            let names = WebhookCertificates.serviceNames(service: service, namespace: namespace) + dnsNames
            let certificates = try WebhookCertificates.generate(dnsNames: names, days: days)
            do {
                try certificates.write(to: URL(fileURLWithPath: out))
            } catch let error as CocoaError where error.code == .fileWriteFileExists {
                throw CommandFailure.usage("error: \(error.userInfo[NSFilePathErrorKey] ?? out) already exists; choose another --out or remove the old certificates")
            }
            print("""
                Wrote \(out)/ca.crt, ca.key, tls.crt, tls.key (valid \(days) days for \(names.joined(separator: ", "))).
                Add to the Platform's spec so every cluster trusts the webhook:

                  webhook:
                    caBundle: \(certificates.caBundle)
                    namespace: \(namespace)
                    service: \(service)

                Serve with: bulkhead webhook serve <platform-dir> --cluster <name> --cert \(out)/tls.crt --key \(out)/tls.key
                """)
        }
    }
}

extension WebhookCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Answer AdmissionReviews over HTTPS with one cluster's guardrails.",
            discussion: """
            Loads the platform folder and its policies/, builds the cluster's guardrails (built-in \
            bundle and platform policies, bindings scoped to tenant namespaces) and the Namespace \
            objects of the tenants placed there, and serves:
              POST /validate  admission.k8s.io/v1 AdmissionReview; 400 for malformed
                              JSON or another kind/version, 413 above
                              --max-body-bytes; kinds no policy matches are allowed
              GET  /healthz   liveness
              GET  /readyz    readiness (the loaded policy count)
              GET  /metrics   Prometheus: decisions by policy and result, latency
            SIGHUP reloads the folder; requests in flight finish with the old policies, and a \
            folder that no longer loads leaves the old policies in force. SIGTERM stops gracefully.

            Examples:
              bulkhead webhook serve examples/acme --cluster prod-use1-1 --cert certs/tls.crt --key certs/tls.key
              bulkhead webhook serve examples/acme --cluster prod-use1-1 --cert certs/tls.crt --key certs/tls.key --port 9443
            """
        )

        @Argument(help: ArgumentHelp("The platform folder.", valueName: "platform-dir"), completion: .directory)
        var platformDirectory: String = "."

        @Option(name: .long, help: ArgumentHelp("The cluster whose guardrails to serve.", valueName: "cluster"))
        var cluster: String

        @Option(name: .long, help: ArgumentHelp("A GitOps repository whose bulkhead.lock fixes placement.", valueName: "repo-dir"), completion: .directory)
        var repo: String?

        @Option(name: .long, help: ArgumentHelp("PEM serving certificate (chain).", valueName: "file"), completion: .file())
        var cert: String

        @Option(name: .long, help: ArgumentHelp("PEM private key of the serving certificate.", valueName: "file"), completion: .file())
        var key: String

        @Option(name: .long, help: "Address to listen on.")
        var host: String = "0.0.0.0"

        @Option(name: .long, help: "Port to listen on (0 picks a free one and prints it).")
        var port: Int = 8443

        @Option(name: .customLong("max-body-bytes"), help: "Largest AdmissionReview body accepted (an UPDATE carries the object twice).")
        var maxBodyBytes: Int = 7 * 1024 * 1024

        @Flag(name: .customLong("echo-route"), help: "Also serve POST /echo, which returns the body (a baseline for benchmarks).")
        var echoRoute = false

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port \(port): must be between 0 and 65535") }
            guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes \(maxBodyBytes): must be at least 1024") }
            for (flag, path) in [("--cert", cert), ("--key", key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(flag) \(path): no readable file there (bulkhead webhook certs --out <dir> makes one)")
            }
        }

        func run() throws {
            let source = ReviewerSource(platformDirectory: platformDirectory, cluster: cluster, repo: repo)
            let store = try ReviewerStore(load: source.load)
            var logger = Logger(label: "bulkhead-webhook")
            logger.logLevel = .info
            let reviewer = store.reviewer
            let configuration = WebhookConfiguration(host: host, port: port, certificateFile: cert, privateKeyFile: key,
                                                     maxBodyBytes: maxBodyBytes, echoRoute: echoRoute)
            let cluster = cluster, host = host
            do {
                try AsyncBridge.wait { [logger] in
                    try await WebhookServer.serve(configuration: configuration, store: store, metrics: WebhookMetrics(), logger: logger) { port in
                        let line = "bulkhead webhook: cluster \(cluster), \(reviewer.engine.policies.count) policies, \(reviewer.namespaces.count) tenant namespaces; listening on https://\(host):\(port)\n"
                        FileHandle.standardOutput.write(Data(line.utf8))
                    }
                }
            } catch {
                throw CommandFailure.problems("error: the webhook stopped: \(error)")
            }
        }
    }
}

/// Loads one cluster's reviewer from the platform folder; called at start and on every SIGHUP.
struct ReviewerSource: Sendable {
    let platformDirectory: String
    let cluster: String
    let repo: String?

    func load() throws -> AdmissionReviewer {
        let pipeline = Pipeline(options: try PlatformOptions.parse([platformDirectory]))
        let (guardrails, namespaces) = try pipeline.clusterGuardrails(named: cluster, repo: repo)
        return AdmissionReviewer(engine: PolicyEngine(policies: guardrails.policies, bindings: guardrails.bindings), namespaces: namespaces)
    }
}
