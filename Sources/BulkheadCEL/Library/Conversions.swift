/// Type conversions: int(), uint(), double(), string(), bytes(), bool(), timestamp(), duration().
extension Library {
    mutating func addConversions() {
        global("int") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("int", arguments) }
            switch arguments[0] {
            case .int: return arguments[0]
            case .uint(let number):
                guard number <= UInt64(Int64.max) else { throw EvalError("range error converting \(number) to int") }
                return .int(Int64(number))
            case .double(let number): return .int(try Numeric.int(from: number))
            case .string(let text):
                guard let number = Int64(text) else { throw EvalError("cannot convert '\(text)' to int") }
                return .int(number)
            case .timestamp(let timestamp): return .int(timestamp.seconds)
            default: throw EvalError.noOverload("int", arguments)
            }
        }
        global("uint") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("uint", arguments) }
            switch arguments[0] {
            case .uint: return arguments[0]
            case .int(let number):
                guard number >= 0 else { throw EvalError("range error converting \(number) to uint") }
                return .uint(UInt64(number))
            case .double(let number): return .uint(try Numeric.uint(from: number))
            case .string(let text):
                guard let number = UInt64(text) else { throw EvalError("cannot convert '\(text)' to uint") }
                return .uint(number)
            default: throw EvalError.noOverload("uint", arguments)
            }
        }
        global("double") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("double", arguments) }
            switch arguments[0] {
            case .double: return arguments[0]
            case .int(let number): return .double(Double(number))
            case .uint(let number): return .double(Double(number))
            case .string(let text):
                guard let number = Double(text) else { throw EvalError("cannot convert '\(text)' to double") }
                return .double(number)
            default: throw EvalError.noOverload("double", arguments)
            }
        }
        global("string") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("string", arguments) }
            switch arguments[0] {
            case .string: return arguments[0]
            case .int(let number): return .string(String(number))
            case .uint(let number): return .string(String(number))
            case .double(let number): return .string(Formatting.shortestG(number))
            case .bool(let flag): return .string(flag ? "true" : "false")
            case .bytes(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw EvalError("invalid UTF-8 in bytes, cannot convert to string")
                }
                return .string(text)
            case .timestamp(let timestamp): return .string(timestamp.description)
            case .duration(let duration): return .string(duration.description)
            case .type(let type): return .string(type.runtimeName)
            case .ip(let address): return .string(address.description)
            case .cidr(let prefix): return .string(prefix.description)
            case .url(let url): return .string(url.description)
            case .quantity(let quantity): return .string(quantity.description)
            default: throw EvalError.noOverload("string", arguments)
            }
        }
        global("bytes") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("bytes", arguments) }
            switch arguments[0] {
            case .bytes: return arguments[0]
            case .string(let text): return .bytes(Array(text.utf8))
            default: throw EvalError.noOverload("bytes", arguments)
            }
        }
        global("bool") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("bool", arguments) }
            switch arguments[0] {
            case .bool: return arguments[0]
            case .string(let text):
                switch text {
                case "1", "t", "true", "TRUE", "True": return .bool(true)
                case "0", "f", "false", "FALSE", "False": return .bool(false)
                default: throw EvalError("Type conversion error: cannot convert '\(text)' to bool")
                }
            default: throw EvalError.noOverload("bool", arguments)
            }
        }
        global("timestamp") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("timestamp", arguments) }
            switch arguments[0] {
            case .timestamp: return arguments[0]
            case .string(let text):
                guard let timestamp = CELTimestamp(rfc3339: text) else {
                    throw EvalError("timestamp out of range or invalid: '\(text)'")
                }
                return .timestamp(timestamp)
            case .int(let seconds):
                guard let timestamp = CELTimestamp(secondsSince1970: seconds) else { throw EvalError("timestamp out of range") }
                return .timestamp(timestamp)
            default: throw EvalError.noOverload("timestamp", arguments)
            }
        }
        global("duration") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("duration", arguments) }
            switch arguments[0] {
            case .duration: return arguments[0]
            case .string(let text):
                guard let duration = CELDuration(parsing: text) else {
                    throw EvalError("duration out of range or invalid: '\(text)'")
                }
                return .duration(duration)
            case .int(let seconds):
                guard let duration = CELDuration(seconds: seconds) else { throw EvalError("duration out of range") }
                return .duration(duration)
            default: throw EvalError.noOverload("duration", arguments)
            }
        }
    }
}
