public import Foundation

extension CELValue {
    /// Converts a value decoded by `JSONSerialization` (or built from Swift dictionaries, arrays,
    /// strings, numbers, booleans and `NSNull`): integral numbers become `int`, other numbers
    /// `double`, objects string-keyed maps.
    public init(json: Any) throws(CELError) {
        switch json {
        case is NSNull:
            self = .null
        case let value as CELValue:
            self = value
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            self = Self.convert(number)
        case let flag as Bool:
            self = .bool(flag)
        case let number as Int:
            self = .int(Int64(number))
        case let number as Double:
            self = number.rounded() == number && abs(number) < 9.2e18 ? .int(Int64(number)) : .double(number)
        case let array as [Any]:
            var values: [CELValue] = []
            values.reserveCapacity(array.count)
            for element in array { values.append(try CELValue(json: element)) }
            self = .list(values)
        case let object as [String: Any]:
            var map = CELMap()
            for key in object.keys.sorted() {
                try? map.insert(.string(key), try CELValue(json: object[key]!))
            }
            self = .map(map)
        default:
            throw CELError(.evaluation, "cannot convert a value of type \(Swift.type(of: json)) to CEL")
        }
    }

    /// Parses JSON text into a CEL value (see ``init(jsonBytes:)``).
    public init(jsonData: Data) throws(CELError) {
        try self.init(jsonBytes: jsonData)
    }

    private static func convert(_ number: NSNumber) -> CELValue {
        let kind = String(cString: number.objCType)
        if kind == "c" || kind == "B" {
            if number.intValue == 0 || number.intValue == 1, Swift.type(of: number) != NSNumber.self || kind == "B" {
                return .bool(number.boolValue)
            }
        }
        switch kind {
        case "f", "d":
            let value = number.doubleValue
            if value.rounded() == value, abs(value) < 9.2e18 { return .int(Int64(value)) }
            return .double(value)
        case "Q", "L", "I", "S":
            let value = number.uint64Value
            return value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
        default:
            return .int(number.int64Value)
        }
    }
}
