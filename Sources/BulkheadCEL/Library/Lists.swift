/// List functions: the Kubernetes lists library (`isSorted`, `sum`, `min`, `max`, `indexOf`,
/// `lastIndexOf`) and cel-go's lists extension (`slice`, `flatten`, `distinct`, `sort`, `lists.range`).
extension Library {
    mutating func addLists() {
        member("isSorted", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .list(let list) = arguments[0] else { throw EvalError.noOverload("isSorted", arguments) }
            for (left, right) in zip(list, list.dropFirst()) {
                guard let order = try left.celCompare(right, "isSorted") else { continue }
                if order > 0 { return .bool(false) }
            }
            return .bool(true)
        }
        member("sum", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .list(let list) = arguments[0] else { throw EvalError.noOverload("sum", arguments) }
            guard var total = list.first else { return .int(0) }
            for element in list.dropFirst() { total = try Self.add(total, element) }
            switch total {
            case .int, .uint, .double, .duration: return total
            default: throw EvalError.noOverload("sum", arguments)
            }
        }
        for (name, wanted) in [("min", -1), ("max", 1)] {
            member(name, linearCost: true) { arguments throws(EvalError) in
                guard arguments.count == 1, case .list(let list) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
                guard var best = list.first else { throw EvalError("\(name)() called on an empty list") }
                _ = try best.celCompare(best, name)
                for element in list.dropFirst() {
                    if try element.celCompare(best, name) == wanted { best = element }
                }
                return best
            }
        }
        member("slice") { arguments throws(EvalError) in
            guard arguments.count == 3, case .list(let list) = arguments[0], case .int(let start) = arguments[1],
                case .int(let end) = arguments[2]
            else { throw EvalError.noOverload("slice", arguments) }
            guard start >= 0, end >= 0 else { throw EvalError("cannot slice(\(start), \(end)), negative indexes not supported") }
            guard start <= end else { throw EvalError("cannot slice(\(start), \(end)), start index must be less than or equal to end index") }
            guard end <= list.count else { throw EvalError("cannot slice(\(start), \(end)), list is length \(list.count)") }
            return .list(Array(list[Int(start)..<Int(end)]))
        }
        member("flatten", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1 || arguments.count == 2, case .list(let list) = arguments[0] else {
                throw EvalError.noOverload("flatten", arguments)
            }
            var depth: Int64 = 1
            if arguments.count == 2 {
                guard case .int(let value) = arguments[1] else { throw EvalError.noOverload("flatten", arguments) }
                guard value >= 0 else { throw EvalError("level must be non-negative") }
                depth = value
            }
            return .list(Self.flatten(list, depth: depth))
        }
        member("distinct", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .list(let list) = arguments[0] else { throw EvalError.noOverload("distinct", arguments) }
            var result: [CELValue] = []
            for element in list where !result.contains(where: { $0.celEquals(element) }) {
                result.append(element)
            }
            return .list(result)
        }
        member("sort", linearCost: true) { arguments throws(EvalError) in
            guard arguments.count == 1, case .list(let list) = arguments[0] else { throw EvalError.noOverload("sort", arguments) }
            var failure: EvalError?
            let sorted = list.sorted { left, right in
                do throws(EvalError) {
                    return try left.celCompare(right, "sort") ?? 0 < 0
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            return .list(sorted)
        }
        global("lists.range") { arguments throws(EvalError) in
            guard arguments.count == 1, case .int(let count) = arguments[0] else { throw EvalError.noOverload("lists.range", arguments) }
            return .list((0..<max(0, count)).map(CELValue.int))
        }
    }

    static func flatten(_ list: [CELValue], depth: Int64) -> [CELValue] {
        var result: [CELValue] = []
        for element in list {
            if depth > 0, case .list(let inner) = element {
                result.append(contentsOf: flatten(inner, depth: depth - 1))
            } else {
                result.append(element)
            }
        }
        return result
    }

    /// `list.indexOf(x)` and `list.lastIndexOf(x)`.
    static func listIndexOf(_ arguments: [CELValue], last: Bool) throws(EvalError) -> CELValue {
        let name = last ? "lastIndexOf" : "indexOf"
        guard arguments.count == 2, case .list(let list) = arguments[0] else { throw EvalError.noOverload(name, arguments) }
        let found = last ? list.lastIndex(where: { $0.celEquals(arguments[1]) }) : list.firstIndex(where: { $0.celEquals(arguments[1]) })
        return .int(Int64(found ?? -1))
    }
}
