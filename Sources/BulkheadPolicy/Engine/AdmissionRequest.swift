public import BulkheadCEL

/// What an admission webhook is asked about: the fields of a Kubernetes `AdmissionRequest` the
/// policies can see, with the objects already converted to CEL values (convert once per request).
public struct AdmissionRequest: Sendable {
    public struct GroupVersionKind: Sendable, Hashable {
        public var group: String
        public var version: String
        public var kind: String

        public init(group: String, version: String, kind: String) {
            self.group = group
            self.version = version
            self.kind = kind
        }

        /// `apps/v1`, or `v1` for the core group.
        public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    }

    public struct GroupVersionResource: Sendable, Hashable {
        public var group: String
        public var version: String
        public var resource: String

        public init(group: String, version: String, resource: String) {
            self.group = group
            self.version = version
            self.resource = resource
        }
    }

    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case create = "CREATE"
        case update = "UPDATE"
        case delete = "DELETE"
        case connect = "CONNECT"
    }

    public struct UserInfo: Sendable, Hashable {
        public var username: String
        public var uid: String
        public var groups: [String]
        public var extra: [String: [String]]

        public init(username: String = "", uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
            self.username = username
            self.uid = uid
            self.groups = groups
            self.extra = extra
        }
    }

    public var uid: String
    public var kind: GroupVersionKind
    public var resource: GroupVersionResource
    public var subResource: String
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String
    public var operation: Operation
    /// The new object; null for DELETE.
    public var object: CELValue
    /// The previous object; null for CREATE.
    public var oldObject: CELValue
    public var userInfo: UserInfo
    public var dryRun: Bool

    public init(uid: String = "", kind: GroupVersionKind, resource: GroupVersionResource, subResource: String = "",
                namespace: String = "", name: String = "", operation: Operation, object: CELValue = .null,
                oldObject: CELValue = .null, userInfo: UserInfo = UserInfo(), dryRun: Bool = false) {
        self.uid = uid
        self.kind = kind
        self.resource = resource
        self.subResource = subResource
        self.namespace = namespace
        self.name = name
        self.operation = operation
        self.object = object
        self.oldObject = oldObject
        self.userInfo = userInfo
        self.dryRun = dryRun
    }

    /// The `request` variable as policies see it (the admission request's fields, without the
    /// objects, which are `object` and `oldObject`).
    public var celValue: CELValue {
        // Keys in name order, as a map built from a dictionary has them.
        let gvk = CELValue.map(CELMap(stringKeyed: [("group", .string(kind.group)), ("kind", .string(kind.kind)),
                                                     ("version", .string(kind.version))]))
        let gvr = CELValue.map(CELMap(stringKeyed: [("group", .string(resource.group)), ("resource", .string(resource.resource)),
                                                     ("version", .string(resource.version))]))
        var extra: [String: CELValue] = [:]
        for (key, values) in userInfo.extra { extra[key] = .list(values.map(CELValue.string)) }
        let user = CELValue.map(CELMap(stringKeyed: [
            ("extra", .map(CELMap(extra))), ("groups", .list(userInfo.groups.map(CELValue.string))),
            ("uid", .string(userInfo.uid)), ("username", .string(userInfo.username)),
        ]))
        var fields: [(String, CELValue)] = [
            ("dryRun", .bool(dryRun)), ("kind", gvk), ("name", .string(name)), ("namespace", .string(namespace)),
            ("operation", .string(operation.rawValue)), ("requestKind", gvk), ("requestResource", gvr),
        ]
        if !subResource.isEmpty { fields.append(("requestSubResource", .string(subResource))) }
        fields.append(("resource", gvr))
        if !subResource.isEmpty { fields.append(("subResource", .string(subResource))) }
        fields += [("uid", .string(uid)), ("userInfo", user)]
        return .map(CELMap(stringKeyed: fields))
    }

    /// The object the request is about: `object`, or `oldObject` for a DELETE.
    var subject: CELValue {
        if case .null = object { return oldObject }
        return object
    }
}
