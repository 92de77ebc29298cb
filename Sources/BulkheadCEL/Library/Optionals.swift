/// Optional values: `optional.of`, `optional.ofNonZeroValue`, `optional.none`, `hasValue`,
/// `value`, `or`, `orValue` (`?.`, `[?]` and `optMap`/`optFlatMap` are handled by the evaluator).
extension Library {
    mutating func addOptionals() {
        global("optional.of") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("optional.of", arguments) }
            return .optional(arguments[0])
        }
        global("optional.ofNonZeroValue") { arguments throws(EvalError) in
            guard arguments.count == 1 else { throw EvalError.noOverload("optional.ofNonZeroValue", arguments) }
            return .optional(arguments[0].isZeroValue ? nil : arguments[0])
        }
        global("optional.none") { arguments throws(EvalError) in
            guard arguments.isEmpty else { throw EvalError.noOverload("optional.none", arguments) }
            return .optional(nil)
        }
        member("hasValue") { arguments throws(EvalError) in
            guard arguments.count == 1, case .optional(let wrapped) = arguments[0] else { throw EvalError.noOverload("hasValue", arguments) }
            return .bool(wrapped != nil)
        }
        member("value") { arguments throws(EvalError) in
            guard arguments.count == 1, case .optional(let wrapped) = arguments[0] else { throw EvalError.noOverload("value", arguments) }
            guard let wrapped else { throw EvalError("optional.none() dereference") }
            return wrapped
        }
        member("or") { arguments throws(EvalError) in
            guard arguments.count == 2, case .optional(let wrapped) = arguments[0], case .optional = arguments[1] else {
                throw EvalError.noOverload("or", arguments)
            }
            return wrapped == nil ? arguments[1] : arguments[0]
        }
        member("orValue") { arguments throws(EvalError) in
            guard arguments.count == 2, case .optional(let wrapped) = arguments[0] else { throw EvalError.noOverload("orValue", arguments) }
            return wrapped ?? arguments[1]
        }
    }
}
