/// Timestamp and duration accessors (`getFullYear`, `getHours`...), with optional time zone.
extension Library {
    mutating func addTime() {
        let accessors: [(String, @Sendable (CivilTime, Int64) -> Int64)] = [
            ("getFullYear", { fields, _ in Int64(fields.year) }),
            ("getMonth", { fields, _ in Int64(fields.month - 1) }),
            ("getDate", { fields, _ in Int64(fields.day) }),
            ("getDayOfMonth", { fields, _ in Int64(fields.day - 1) }),
            ("getDayOfYear", { fields, _ in Int64(fields.dayOfYear) }),
            ("getDayOfWeek", { fields, _ in Int64(fields.dayOfWeek) }),
            ("getHours", { fields, _ in Int64(fields.hour) }),
            ("getMinutes", { fields, _ in Int64(fields.minute) }),
            ("getSeconds", { fields, _ in Int64(fields.second) }),
            ("getMilliseconds", { _, nanos in nanos / 1_000_000 }),
        ]
        for (name, accessor) in accessors {
            member(name) { arguments throws(EvalError) in
                switch (arguments.first, arguments.count) {
                case (.timestamp(let timestamp), 1):
                    return .int(accessor(CivilTime(seconds: timestamp.seconds), timestamp.subsecondNanos))
                case (.timestamp(let timestamp), 2):
                    guard case .string(let zone) = arguments[1] else { throw EvalError.noOverload(name, arguments) }
                    let offset = try CivilTime.offset(timeZone: zone, at: timestamp.seconds)
                    return .int(accessor(CivilTime(seconds: timestamp.seconds + offset), timestamp.subsecondNanos))
                case (.duration(let duration), 1):
                    let nanos = duration.nanoseconds
                    switch name {
                    case "getHours": return .int(Int64(nanos / 3_600_000_000_000))
                    case "getMinutes": return .int(Int64(nanos / 60_000_000_000))
                    case "getSeconds": return .int(Int64(nanos / 1_000_000_000))
                    case "getMilliseconds": return .int(Int64(nanos % 1_000_000_000 / 1_000_000))
                    default: throw EvalError.noOverload(name, arguments)
                    }
                default:
                    throw EvalError.noOverload(name, arguments)
                }
            }
        }
    }
}
