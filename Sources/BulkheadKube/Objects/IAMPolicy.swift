/// An IAM policy document (trust or permissions), encoded with the capitalized keys IAM uses.
public struct IAMPolicyDocument: Encodable, Sendable, Hashable {
    public struct Statement: Encodable, Sendable, Hashable {
        public var sid: String
        public var effect: String
        public var principal: [String: String]?
        public var action: [String]
        public var resource: [String]?
        public var condition: [String: [String: String]]?

        public init(sid: String, principal: [String: String]? = nil, action: [String], resource: [String]? = nil, condition: [String: [String: String]]? = nil) {
            self.sid = sid
            self.effect = "Allow"
            self.principal = principal
            self.action = action
            self.resource = resource
            self.condition = condition
        }

        enum CodingKeys: String, CodingKey {
            case sid = "Sid", effect = "Effect", principal = "Principal", action = "Action"
            case resource = "Resource", condition = "Condition"
        }
    }
    public var version = "2012-10-17"
    public var statement: [Statement]

    public init(statement: [Statement]) { self.statement = statement }

    enum CodingKeys: String, CodingKey {
        case version = "Version", statement = "Statement"
    }
}
