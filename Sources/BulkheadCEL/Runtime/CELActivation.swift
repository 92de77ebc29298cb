/// The variables an evaluation reads, by name. A few names at most (`object`, `request`,
/// `variables`...), so they are kept in order and found by comparing names, which costs less
/// than hashing one; setting a name in a copy copies one small array.
public struct CELActivation: Sendable {
    private var names: [String] = []
    private var values: [CELValue] = []

    public init() {}

    /// The variables of a dictionary (in name order, so that the same dictionary gives the same
    /// activation).
    public init(_ variables: [String: CELValue]) {
        for name in variables.keys.sorted() {
            names.append(name)
            values.append(variables[name]!)
        }
    }

    /// The value of `name`, or nil when it is not set; setting nil removes it.
    public subscript(name: String) -> CELValue? {
        get {
            names.withUnsafeBufferPointer { names in
                for position in names.indices where sameCodePoints(names[position], name) { return values[position] }
                return nil
            }
        }
        set {
            let position = names.firstIndex { sameCodePoints($0, name) }
            switch (position, newValue) {
            case (let position?, let value?): values[position] = value
            case (let position?, nil): names.remove(at: position); values.remove(at: position)
            case (nil, let value?): names.append(name); values.append(value)
            case (nil, nil): break
            }
        }
    }
}
