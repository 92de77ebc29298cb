/// A set of integers that are nearly always in 0..<64 (a policy's variable positions, the ids of
/// shared variables): a bit mask for those, so that building, testing and hashing one allocates
/// nothing, and a sorted array for any others.
struct SmallIntegerSet: Hashable {
    private var mask: UInt64 = 0
    private var others: [Int] = []

    init() {}

    func contains(_ member: Int) -> Bool {
        if (0..<64).contains(member) { return mask & (1 << UInt64(member)) != 0 }
        return others.contains(member)
    }

    mutating func insert(_ member: Int) {
        if (0..<64).contains(member) {
            mask |= 1 << UInt64(member)
        } else if !others.contains(member) {
            others.append(member)
            others.sort()
        }
    }
}
