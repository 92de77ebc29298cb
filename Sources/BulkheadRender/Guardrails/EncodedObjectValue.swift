public import BulkheadCEL
public import BulkheadKube

extension CELValue {
    /// A rendered object's encoding as the CEL value the API server would evaluate policies on:
    /// what it decodes from the object's JSON, where a whole-number double is an int.
    public init(encoded node: TreeNode) {
        switch node {
        case .string(let text): self = .string(text)
        case .int(let number): self = .int(number)
        case .double(let number):
            if number.rounded() == number, let whole = Int64(exactly: number) { self = .int(whole) } else { self = .double(number) }
        case .bool(let value): self = .bool(value)
        case .null: self = .null
        case .map(let box): self = .map(CELMap(stringKeyed: box.entries.lazy.map { ($0.key, CELValue(encoded: $0.value)) }))
        case .list(let box): self = .list(box.items.map { CELValue(encoded: $0) })
        }
    }
}
