/// Metadata every rendered object carries. `nil` fields are omitted from the output.
public struct ObjectMeta: Encodable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(name: String, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// A Kubernetes object Bulkhead renders: a typed, encodable value with its group/version/kind.
public protocol KubeObject: Encodable, Sendable {
    var apiVersion: String { get }
    var kind: String { get }
    var metadata: ObjectMeta { get }
}

extension KubeObject {
    /// "Kind/namespace/name" (or "Kind/name" for cluster-scoped objects), for listings.
    public var reference: String {
        if let namespace = metadata.namespace { return "\(kind)/\(namespace)/\(metadata.name)" }
        return "\(kind)/\(metadata.name)"
    }
}

/// An object made of the usual envelope and a typed `spec`, which covers most custom resources.
public struct SpecObject<Spec: Encodable & Sendable>: KubeObject {
    public let apiVersion: String
    public let kind: String
    public var metadata: ObjectMeta
    public var spec: Spec

    public init(apiVersion: String, kind: String, metadata: ObjectMeta, spec: Spec) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }
}

/// A value that is either an integer or a string, as Kubernetes' `IntOrString`.
public enum IntOrString: Encodable, Sendable, Hashable {
    case int(Int)
    case string(String)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

/// A label selector with `matchLabels` only, the form Bulkhead renders.
public struct LabelSelector: Encodable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public init(matchLabels: [String: String]? = nil) { self.matchLabels = matchLabels }

    /// Encodes as `{}` when there is nothing to match, which selects everything.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(matchLabels, forKey: .matchLabels)
    }
    private enum CodingKeys: String, CodingKey { case matchLabels }
}
