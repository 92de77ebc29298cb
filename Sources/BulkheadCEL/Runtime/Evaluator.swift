/// Walks a compiled ``Node`` tree for one activation, counting cost.
struct Evaluator {
    let activation: CELActivation
    var locals: [Result<CELValue, EvalError>]
    var cost = 0
    let costLimit: Int?

    init(activation: CELActivation, slots: Int, costLimit: Int?) {
        self.activation = activation
        // No allocation for the many programs without comprehensions or bindings.
        self.locals = slots == 0 ? [] : Array(repeating: .success(.null), count: slots)
        self.costLimit = costLimit
    }

    @inline(__always)
    mutating func charge(_ amount: Int) throws(EvalError) {
        cost += amount
        if let costLimit, cost > costLimit {
            throw EvalError("operation cancelled: actual cost limit exceeded (limit \(costLimit))", isCostLimit: true)
        }
    }

    mutating func evaluate(_ node: Node) throws(EvalError) -> CELValue {
        if case .positioned(let inner, let position) = node {
            do throws(EvalError) {
                return try evaluate(inner)
            } catch {
                var positioned = error
                if positioned.position == nil { positioned.position = position }
                throw positioned
            }
        }
        try charge(1)
        switch node {
        case .constant(let value):
            return value
        case .variable(let name):
            guard let value = activation[name] else { throw EvalError("undeclared reference to '\(name)'") }
            return value
        case .qualified(let candidates, let display):
            for candidate in candidates {
                guard var value = activation[candidate.name] else { continue }
                for field in candidate.fields {
                    value = try Self.select(value, field, optional: false)
                }
                return value
            }
            throw EvalError("undeclared reference to '\(display)'")
        case .local(let slot):
            return try locals[slot].get()
        case .select(let operand, let field, let optional):
            return try Self.select(try evaluate(operand), field, optional: optional)
        case .presence(let operand, let field):
            return try Self.presence(try evaluate(operand), field)
        case .index(let operand, let index, let optional):
            let container = try evaluate(operand)
            return try Self.index(container, try evaluate(index), optional: optional)
        case .call(let function, let argumentNodes):
            var arguments: [CELValue] = []
            arguments.reserveCapacity(argumentNodes.count)
            for argument in argumentNodes {
                arguments.append(try evaluate(argument))
            }
            if function.linearCost {
                var size = 0
                for argument in arguments { size += Self.size(of: argument) }
                try charge(size / 8)
            }
            return try function.implementation(arguments)
        case .and(let left, let right):
            return try logical(left, right, decisive: false)
        case .or(let left, let right):
            return try logical(left, right, decisive: true)
        case .not(let operand):
            let value = try evaluate(operand)
            guard case .bool(let flag) = value else { throw EvalError.noOverload("!_", [value]) }
            return .bool(!flag)
        case .conditional(let condition, let whenTrue, let whenFalse):
            let value = try evaluate(condition)
            guard case .bool(let flag) = value else { throw EvalError.noOverload("_?_:_", [value]) }
            return try evaluate(flag ? whenTrue : whenFalse)
        case .list(let elements):
            var values: [CELValue] = []
            values.reserveCapacity(elements.count)
            for (element, optional) in elements {
                let value = try evaluate(element)
                if optional {
                    guard case .optional(let wrapped) = value else {
                        throw EvalError("optional list element must be an optional value, got \(value.celType.runtimeName)")
                    }
                    if let wrapped { values.append(wrapped) }
                } else {
                    values.append(value)
                }
            }
            return .list(values)
        case .map(let entries):
            var map = CELMap()
            for entry in entries {
                let key = try evaluate(entry.key)
                var value = try evaluate(entry.value)
                if entry.optional {
                    guard case .optional(let wrapped) = value else {
                        throw EvalError("optional map entry must be an optional value, got \(value.celType.runtimeName)")
                    }
                    guard let wrapped else { continue }
                    value = wrapped
                }
                try map.insert(key, value)
            }
            return .map(map)
        case .comprehension(let comprehension):
            return try evaluate(comprehension)
        case .bind(let slot, let value, let body):
            locals[slot] = capture(value)
            return try evaluate(body)
        case .block(let firstSlot, let bindings, let result):
            for (offset, binding) in bindings.enumerated() {
                locals[firstSlot + offset] = capture(binding)
            }
            return try evaluate(result)
        case .failure(let message):
            throw EvalError(message)
        case .positioned(let inner, _):
            return try evaluate(inner)
        }
    }

    private mutating func capture(_ node: Node) -> Result<CELValue, EvalError> {
        do throws(EvalError) {
            return .success(try evaluate(node))
        } catch {
            return .failure(error)
        }
    }

    /// `&&` (decisive value false) and `||` (decisive value true), commutative over errors.
    private mutating func logical(_ left: Node, _ right: Node, decisive: Bool) throws(EvalError) -> CELValue {
        let function = decisive ? "_||_" : "_&&_"
        var pending: EvalError?
        do throws(EvalError) {
            let value = try evaluate(left)
            guard case .bool(let flag) = value else { throw EvalError.noOverload(function, [value]) }
            if flag == decisive { return .bool(decisive) }
        } catch {
            if error.isCostLimit { throw error }
            pending = error
        }
        let value = try evaluate(right)
        guard case .bool(let flag) = value else {
            throw pending ?? EvalError.noOverload(function, [value])
        }
        if flag == decisive { return .bool(decisive) }
        if let pending { throw pending }
        return .bool(!decisive)
    }

    static func size(of value: CELValue) -> Int {
        switch value {
        case .string(let text): return text.utf8.count
        case .bytes(let bytes): return bytes.count
        case .list(let list): return list.count
        case .map(let map): return map.count
        default: return 1
        }
    }

    // MARK: Field selection and indexing

    static func select(_ value: CELValue, _ field: String, optional: Bool) throws(EvalError) -> CELValue {
        switch value {
        case .map(let map):
            if let found = map[field] { return optional ? .optional(found) : found }
            if optional { return .optional(nil) }
            throw EvalError.noSuchKey(.string(field))
        case .optional(let wrapped):
            guard let wrapped else { return .optional(nil) }
            return try select(wrapped, field, optional: true)
        default:
            throw EvalError("type '\(value.celType.runtimeName)' does not support field selection")
        }
    }

    static func presence(_ value: CELValue, _ field: String) throws(EvalError) -> CELValue {
        switch value {
        case .map(let map): return .bool(map[field] != nil)
        case .optional(let wrapped):
            guard let wrapped else { return .bool(false) }
            return try presence(wrapped, field)
        default:
            throw EvalError("type '\(value.celType.runtimeName)' does not support field selection")
        }
    }

    static func index(_ container: CELValue, _ index: CELValue, optional: Bool) throws(EvalError) -> CELValue {
        switch container {
        case .list(let list):
            let position: Int
            switch index {
            case .int(let number): position = Int(clamping: number)
            case .uint(let number): position = Int(clamping: number)
            case .double(let number):
                guard number.rounded(.towardZero) == number, abs(number) < 1e18 else {
                    throw EvalError("invalid_argument: unsupported index value \(number)")
                }
                position = Int(number)
            default:
                throw EvalError("invalid_argument: unsupported index type '\(index.celType.runtimeName)'")
            }
            guard position >= 0, position < list.count else {
                if optional { return .optional(nil) }
                throw EvalError("invalid_argument: index out of range: \(position)")
            }
            return optional ? .optional(list[position]) : list[position]
        case .map(let map):
            if let found = map[index] { return optional ? .optional(found) : found }
            if optional { return .optional(nil) }
            throw EvalError.noSuchKey(index)
        case .optional(let wrapped):
            guard let wrapped else { return .optional(nil) }
            return try Self.index(wrapped, index, optional: true)
        default:
            throw EvalError.noOverload(optional ? "_[?_]" : "_[_]", [container, index])
        }
    }

    // MARK: Comprehensions

    private mutating func evaluate(_ comprehension: CompiledComprehension) throws(EvalError) -> CELValue {
        let range = try evaluate(comprehension.range)
        if case .optionalMap(let flat) = comprehension.operation {
            guard case .optional(let wrapped) = range else {
                throw EvalError.noOverload(flat ? "optFlatMap" : "optMap", [range])
            }
            guard let wrapped else { return .optional(nil) }
            locals[comprehension.slot] = .success(wrapped)
            let result = try evaluate(comprehension.body)
            if flat {
                guard case .optional = result else { throw EvalError("optFlatMap() function must return an optional value") }
                return result
            }
            return .optional(result)
        }
        let items = try ComprehensionRange(range, pairs: comprehension.secondSlot != nil)
        let slot = comprehension.slot
        let secondSlot = comprehension.secondSlot
        switch comprehension.operation {
        case .all, .exists:
            let decisive: Bool
            if case .exists = comprehension.operation { decisive = true } else { decisive = false }
            var pending: EvalError?
            for position in 0..<items.count {
                try charge(1)
                let item = items[position]
                bind(item, slot, secondSlot)
                do throws(EvalError) {
                    let value = try evaluate(comprehension.body)
                    guard case .bool(let flag) = value else {
                        throw EvalError.noOverload(decisive ? "_||_" : "_&&_", [value])
                    }
                    if flag == decisive { return .bool(decisive) }
                } catch {
                    if error.isCostLimit { throw error }
                    pending = pending ?? error
                }
            }
            if let pending { throw pending }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for position in 0..<items.count {
                try charge(1)
                let item = items[position]
                bind(item, slot, secondSlot)
                let value = try evaluate(comprehension.body)
                guard case .bool(let flag) = value else { throw EvalError.noOverload("exists_one", [value]) }
                if flag { count += 1 }
            }
            return .bool(count == 1)
        case .filter:
            var result: [CELValue] = []
            for position in 0..<items.count {
                try charge(1)
                let item = items[position]
                bind(item, slot, secondSlot)
                let value = try evaluate(comprehension.body)
                guard case .bool(let flag) = value else { throw EvalError.noOverload("filter", [value]) }
                if flag { result.append(item.0) }
            }
            return .list(result)
        case .map(let filter):
            var result: [CELValue] = []
            result.reserveCapacity(items.count)
            for position in 0..<items.count {
                try charge(1)
                let item = items[position]
                bind(item, slot, secondSlot)
                if let filter {
                    let keep = try evaluate(filter)
                    guard case .bool(let flag) = keep else { throw EvalError.noOverload("map", [keep]) }
                    if !flag { continue }
                }
                result.append(try evaluate(comprehension.body))
            }
            return .list(result)
        case .transformMap(let filter):
            var result = CELMap()
            for position in 0..<items.count {
                try charge(1)
                let item = items[position]
                bind(item, slot, secondSlot)
                if let filter {
                    let keep = try evaluate(filter)
                    guard case .bool(let flag) = keep else { throw EvalError.noOverload("transformMap", [keep]) }
                    if !flag { continue }
                }
                let key: CELValue = item.0
                try result.insert(key, try evaluate(comprehension.body), replacing: true)
            }
            return .map(result)
        case .optionalMap:
            return range
        }
    }

    /// What a comprehension iterates over, read in place: a list's elements (with their
    /// positions when the macro names two variables) or a map's keys and values.
    private struct ComprehensionRange {
        private let list: [CELValue]
        private let map: CELMap?
        private let pairs: Bool

        init(_ range: CELValue, pairs: Bool) throws(EvalError) {
            switch range {
            case .list(let list):
                self.list = list
                self.map = nil
            case .map(let map):
                self.list = []
                self.map = map
            default:
                throw EvalError("expression of type '\(range.celType.runtimeName)' cannot be the range of a comprehension (must be list or map)")
            }
            self.pairs = pairs
        }

        var count: Int { map?.count ?? list.count }

        /// The (first variable, second variable) pair at `position`.
        subscript(position: Int) -> (CELValue, CELValue) {
            if let map { return map.entries[position] }
            return pairs ? (.int(Int64(position)), list[position]) : (list[position], .null)
        }
    }

    @inline(__always)
    private mutating func bind(_ item: (CELValue, CELValue), _ slot: Int, _ secondSlot: Int?) {
        locals[slot] = .success(item.0)
        if let secondSlot { locals[secondSlot] = .success(item.1) }
    }
}
