import Foundation

/// cel-go's encoders extension: `base64.encode(bytes)` and `base64.decode(string)`.
extension Library {
    mutating func addEncoders() {
        global("base64.encode", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .bytes(let bytes) = arguments[0] else { throw EvalError.noOverload("base64.encode", arguments) }
            return .string(Data(bytes).base64EncodedString())
        }
        global("base64.decode", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .string(var text) = arguments[0] else { throw EvalError.noOverload("base64.decode", arguments) }
            if text.utf8.count % 4 != 0 { text += String(repeating: "=", count: 4 - text.utf8.count % 4) }
            guard let data = Data(base64Encoded: text) else { throw EvalError("invalid base64 input") }
            return .bytes(Array(data))
        }
    }
}
