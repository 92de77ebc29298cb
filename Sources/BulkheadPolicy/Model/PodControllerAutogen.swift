/// A workload kind whose pod template Kyverno's auto-generation validates with a pod policy.
public enum PodController: String, Sendable, Hashable, CaseIterable, Codable {
    case deployments, statefulsets, daemonsets, replicasets, replicationcontrollers, jobs, cronjobs

    public var group: String {
        switch self {
        case .deployments, .statefulsets, .daemonsets, .replicasets: return "apps"
        case .jobs, .cronjobs: return "batch"
        case .replicationcontrollers: return ""
        }
    }

    public var version: String { "v1" }

    public var kind: String {
        switch self {
        case .deployments: return "Deployment"
        case .statefulsets: return "StatefulSet"
        case .daemonsets: return "DaemonSet"
        case .replicasets: return "ReplicaSet"
        case .replicationcontrollers: return "ReplicationController"
        case .jobs: return "Job"
        case .cronjobs: return "CronJob"
        }
    }

    /// The path from the object to its pod template (`spec.template`, or for CronJobs
    /// `spec.jobTemplate.spec.template`).
    public var templatePath: [String] {
        self == .cronjobs ? ["spec", "jobTemplate", "spec", "template"] : ["spec", "template"]
    }

    /// Accepts a kind (`Deployment`) or plural resource (`deployments`), in any case.
    public init?(name: String) {
        let lowered = name.lowercased()
        if let plural = PodController(rawValue: lowered) {
            self = plural
        } else if let match = PodController.allCases.first(where: { $0.kind.lowercased() == lowered }) {
            self = match
        } else {
            return nil
        }
    }
}

/// Kyverno's auto-generation for one policy: the pod controllers it also applies to.
public struct PodControllerAutogen: Sendable, Hashable {
    /// Empty when auto-generation is off.
    public var controllers: [PodController]
    /// Why it is off, for explanations (`matchConstraints select more than pods`...).
    public var disabledReason: String?

    public init(controllers: [PodController], disabledReason: String? = nil) {
        self.controllers = controllers
        self.disabledReason = disabledReason
    }

    public static let off = PodControllerAutogen(controllers: [], disabledReason: "not a Kyverno policy")

    /// The default set when `spec.autogen.podControllers.controllers` is unset.
    ///
    /// Kyverno's ValidatingPolicy generates rules for Deployments, StatefulSets, DaemonSets,
    /// ReplicaSets, Jobs and CronJobs; ReplicationControllers share the same template layout and
    /// are included here as well (as Kyverno's ClusterPolicy auto-generation does).
    public static let defaultControllers: [PodController] = PodController.allCases
}
