import BulkheadCEL
import Foundation

/// One case of the cel-spec conformance suite (format: shared/conformance/README.md).
struct ConformanceCase {
    enum Expectation {
        case value(CELValue?)
        case error
    }

    var file: String
    var section: String
    var name: String
    var expression: String
    var container: String
    var disableMacros: Bool
    var disableCheck: Bool
    var checkOnly: Bool
    var variables: [String: CELType]
    var functions: [CELFunctionDeclaration]
    var bindings: [String: CELValue]
    var expectation: Expectation
    var expectedType: CELType?
    /// Why the case cannot run here (it needs protobuf message types), or nil.
    var skipReason: String?

    var label: String { "\(file) \(section)/\(name)" }

    static let protobufFiles: Set<String> = ["dynamic", "proto2", "proto2_ext", "proto3", "wrappers", "enums"]

    init(file: String, section: String, json: [String: Any]) {
        self.file = file
        self.section = section
        name = json["name"] as? String ?? "?"
        expression = json["expr"] as? String ?? ""
        container = json["container"] as? String ?? ""
        disableMacros = json["disableMacros"] as? Bool ?? false
        disableCheck = json["disableCheck"] as? Bool ?? false
        checkOnly = json["checkOnly"] as? Bool ?? false
        variables = [:]
        functions = []
        bindings = [:]
        expectation = .error
        skipReason = Self.skipReason(file: file, json: json, expression: expression, container: container)
        guard skipReason == nil else { return }
        do {
            for declaration in json["typeEnv"] as? [[String: Any]] ?? [] {
                let declared = declaration["name"] as? String ?? ""
                if let ident = declaration["ident"] as? [String: Any] {
                    variables[declared] = try Self.type(ident["type"] ?? [:])
                } else if let function = declaration["function"] as? [String: Any] {
                    var overloads: [CELFunctionDeclaration.Overload] = []
                    for overload in function["overloads"] as? [[String: Any]] ?? [] {
                        let parameters = try (overload["params"] as? [Any] ?? []).map(Self.type)
                        overloads.append(.init(parameters: parameters, result: try Self.type(overload["resultType"] ?? [:]),
                                               isMember: overload["isInstanceFunction"] as? Bool ?? false))
                    }
                    functions.append(CELFunctionDeclaration(name: declared, overloads: overloads))
                }
            }
            for (key, value) in json["bindings"] as? [String: Any] ?? [:] {
                guard let wrapped = value as? [String: Any] else { throw ConformanceFormatError("binding \(key) is not a value") }
                bindings[key] = try Self.value(wrapped["value"] ?? wrapped)
            }
            let expect = json["expect"] as? [String: Any] ?? [:]
            if let value = expect["value"] {
                if let tagged = value as? [String: Any], tagged["unset"] != nil {
                    expectation = .value(nil)
                } else {
                    expectation = .value(try Self.value(value))
                }
            } else if expect["error"] != nil || expect["anyError"] != nil {
                expectation = .error
            } else {
                throw ConformanceFormatError("unsupported expectation \(expect.keys.sorted())")
            }
            if let type = expect["type"] { expectedType = try Self.type(type) }
        } catch {
            skipReason = "cannot read case: \(error)"
        }
    }

    private static func skipReason(file: String, json: [String: Any], expression: String, container: String) -> String? {
        if protobufFiles.contains(file) { return "protobuf messages: whole file \(file).json" }
        if expression.contains("TestAllTypes") { return "protobuf messages: expression names TestAllTypes" }
        if let range = expression.range(of: "google.protobuf.") {
            let rest = expression[range.upperBound...]
            if !rest.hasPrefix("Timestamp") && !rest.hasPrefix("Duration") {
                return "protobuf messages: expression names google.protobuf well-known message types"
            }
        }
        if container.contains("proto2") || container.contains("proto3") { return "protobuf messages: container \(container)" }
        if containsProtobuf(json["bindings"]) || containsProtobuf(json["expect"]) {
            return "protobuf messages: values hold an object or enum"
        }
        if let environment = json["typeEnv"], "\(environment)".contains("messageType") {
            return "protobuf messages: typeEnv declares a message type"
        }
        return nil
    }

    private static func containsProtobuf(_ json: Any?) -> Bool {
        switch json {
        case let object as [String: Any]:
            if object["object"] != nil || object["enum"] != nil { return true }
            return object.values.contains(where: containsProtobuf)
        case let array as [Any]: return array.contains(where: containsProtobuf)
        default: return false
        }
    }

    /// Decodes a tagged VALUE.
    static func value(_ json: Any) throws -> CELValue {
        guard let tagged = json as? [String: Any], let (tag, payload) = tagged.first, tagged.count == 1 else {
            throw ConformanceFormatError("untagged value \(json)")
        }
        switch tag {
        case "int":
            guard let text = payload as? String, let number = Int64(text) else { throw ConformanceFormatError("bad int") }
            return .int(number)
        case "uint":
            guard let text = payload as? String, let number = UInt64(text) else { throw ConformanceFormatError("bad uint") }
            return .uint(number)
        case "double":
            if let text = payload as? String {
                switch text {
                case "NaN": return .double(.nan)
                case "Infinity": return .double(.infinity)
                case "-Infinity": return .double(-.infinity)
                default: guard let number = Double(text) else { throw ConformanceFormatError("bad double") }; return .double(number)
                }
            }
            guard let number = payload as? NSNumber else { throw ConformanceFormatError("bad double") }
            return .double(number.doubleValue)
        case "string":
            guard let text = payload as? String else { throw ConformanceFormatError("bad string") }
            return .string(text)
        case "bytes":
            guard let text = payload as? String, let data = Data(base64Encoded: text) else { throw ConformanceFormatError("bad bytes") }
            return .bytes(Array(data))
        case "bool":
            guard let flag = payload as? Bool else { throw ConformanceFormatError("bad bool") }
            return .bool(flag)
        case "null":
            return .null
        case "list":
            return .list(try (payload as? [Any] ?? []).map(value))
        case "map":
            var entries: [(CELValue, CELValue)] = []
            for entry in payload as? [[String: Any]] ?? [] {
                guard let key = entry["key"], let mapped = entry["value"] else { throw ConformanceFormatError("bad map entry") }
                entries.append((try value(key), try value(mapped)))
            }
            return .map(CELMap(entries))
        case "type":
            guard let name = payload as? String else { throw ConformanceFormatError("bad type") }
            return .type(runtimeType(name))
        default:
            throw ConformanceFormatError("unsupported value tag \(tag)")
        }
    }

    static func runtimeType(_ name: String) -> CELType {
        switch name {
        case "bool": return .bool
        case "int": return .int
        case "uint": return .uint
        case "double": return .double
        case "string": return .string
        case "bytes": return .bytes
        case "null_type": return .null
        case "list": return .list(.dyn)
        case "map": return .map(.dyn, .dyn)
        case "type": return .type(.dyn)
        case "google.protobuf.Timestamp": return .timestamp
        case "google.protobuf.Duration": return .duration
        case "optional_type": return .optional(.dyn)
        default: return .opaque(name, [])
        }
    }

    /// Decodes a type in cel.expr.Type protobuf JSON form.
    static func type(_ json: Any) throws -> CELType {
        guard let object = json as? [String: Any], let (tag, payload) = object.first else { return .dyn }
        switch tag {
        case "primitive":
            switch payload as? String {
            case "BOOL": return .bool
            case "INT64": return .int
            case "UINT64": return .uint
            case "DOUBLE": return .double
            case "STRING": return .string
            case "BYTES": return .bytes
            default: throw ConformanceFormatError("unknown primitive \(payload)")
            }
        case "null": return .null
        case "dyn": return .dyn
        case "error": return .error
        case "listType":
            return .list(try type((payload as? [String: Any])?["elemType"] ?? [:]))
        case "mapType":
            let map = payload as? [String: Any] ?? [:]
            return .map(try type(map["keyType"] ?? [:]), try type(map["valueType"] ?? [:]))
        case "abstractType":
            let abstract = payload as? [String: Any] ?? [:]
            let name = abstract["name"] as? String ?? ""
            let parameters = try (abstract["parameterTypes"] as? [Any] ?? []).map(type)
            if name == "optional_type", parameters.count == 1 { return .optional(parameters[0]) }
            return .opaque(name, parameters)
        case "wellKnown":
            switch payload as? String {
            case "TIMESTAMP": return .timestamp
            case "DURATION": return .duration
            default: return .dyn
            }
        case "messageType": return .message(payload as? String ?? "")
        case "typeParam": return .typeParameter(payload as? String ?? "")
        case "type": return .type(try type(payload))
        default: throw ConformanceFormatError("unsupported type \(tag)")
        }
    }
}

struct ConformanceFormatError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
