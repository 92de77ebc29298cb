public import ArgumentParser
import Foundation

/// The `bulkhead` command tree.
public struct BulkheadCommand: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "bulkhead",
        abstract: "Turn a platform declaration into isolated tenants in a GitOps repository.",
        discussion: """
        A platform is a folder of YAML documents (apiVersion: bulkhead.dev/v1alpha1; kinds Platform, \
        Cluster, Tier, Tenant). Bulkhead validates it, places every tenant on clusters, renders each \
        tenant's namespace, quota, network fences, RBAC, workload identity, buckets, queues and routes, \
        and commits the result to a git repository that Argo CD or Flux syncs.

        Examples:
          bulkhead validate examples/acme
          bulkhead plan examples/acme --repo out/gitops
          bulkhead apply examples/acme --repo out/gitops
          bulkhead apply examples/acme --repo out/gitops --replace payments
          bulkhead explain acme-health examples/acme --repo out/gitops
          bulkhead gate examples/acme --tenant web --manifests out/helm/
          bulkhead verify out/gitops
          bulkhead audit examples/acme --cluster prod-euw1-1 --objects live.yaml
          bulkhead webhook serve examples/acme --cluster prod-euw1-1 --cert tls.crt --key tls.key
          bulkhead token create --repo out/gitops --name alice --role platform-admin
          bulkhead serve --platform out/platform --repo out/gitops
          bulkhead audit-log verify --repo out/gitops

        Exit status: 0 success, 1 the declaration or placement has problems, 2 usage errors.
        """,
        version: version,
        subcommands: [ValidateCommand.self, PlanCommand.self, ApplyCommand.self, ExplainCommand.self, GateCommand.self, AuditCommand.self, VerifyCommand.self, PolicyCommand.self, WebhookCommand.self, ServeCommand.self, TokenCommand.self, AuditLogCommand.self, VersionCommand.self]
    )

    public init() {}

    /// Parses the arguments, runs the command and returns the process exit status. Usage errors
    /// exit 2 (argument-parser's own convention would be 64).
    public static func run(arguments: [String]) -> Int32 {
        _ = Terminal.started
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let failure as CommandFailure {
            Terminal.error(failure.message)
            return failure.status
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            Terminal.error(message)
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

/// A failure reported to the user with a given exit status (1 for problems, 2 for usage).
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: Int32
    var description: String { message }
    static func problems(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 1) }
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 2) }
}
