/// The stored form of a tenants-only declaration file: each tenant with the positions the parser
/// recorded (its name's, and every field's, for cross-reference errors) and its document's place
/// in the text. What else the parser records for such a file (the declared names, the tenants'
/// references) follows from the tenants and is rebuilt, not stored.
///
/// A compact binary form written by hand: decoding the same tenants through `Codable` and
/// `JSONDecoder` took as long as parsing the YAML again, and no listed package has a faster
/// format. Numbers are LEB128 varints, strings a length and UTF-8 bytes, optionals a 0/1 flag.
enum TenantFileCoding {
    private static let magic: [UInt8] = Array("BHTF".utf8)

    /// The stored bytes, or nil when `documents` are not only problem-free tenants or would not
    /// be rebuilt exactly as they are.
    static func encode(_ documents: DocumentSet, file: String, text: String) -> [UInt8]? {
        guard documents.problems.isEmpty, !documents.tenants.isEmpty, documents.platforms.isEmpty, documents.clusters.isEmpty,
              documents.tiers.isEmpty, documents.invalidClusterRegions.isEmpty, documents.invalidClusterOwners.isEmpty,
              documents.declarations.count == documents.tenants.count, documents.tenantReferences.count == documents.tenants.count,
              documents.tenantSources.count <= documents.tenants.count else { return nil }
        var out = Writer()
        out.bytes(magic)
        out.string(file)
        out.number(documents.tenants.count)
        let utf8 = text.utf8
        for (index, tenant) in documents.tenants.enumerated() {
            let declared = documents.declarations[index]
            let references = documents.tenantReferences[index]
            let expected = Self.references(of: tenant)
            guard tenant.origin.location.file == file, tenant.origin.fields.values.allSatisfy({ $0.file == file }),
                  declared.kind == "Tenant", declared.name == tenant.name, declared.location == tenant.origin.location,
                  references.name == expected.name, references.tier == expected.tier, references.origin == expected.origin,
                  references.regions.map(\.index) == expected.regions.map(\.index),
                  references.regions.map(\.name) == expected.regions.map(\.name) else { return nil }
            out.string(tenant.name)
            out.string(tenant.tier)
            out.strings(tenant.owners)
            out.string(tenant.team)
            out.string(tenant.costCenter)
            out.strings(tenant.environments.map(\.rawValue))
            out.flag(tenant.regions != nil)
            if let regions = tenant.regions { out.strings(regions) }
            out.string(tenant.dataClassification.rawValue)
            out.number(tenant.quota.count)
            for (key, value) in tenant.quota.sorted(by: { $0.key < $1.key }) {
                out.string(key)
                out.string(value)
            }
            out.number(tenant.apps.count)
            for app in tenant.apps {
                out.string(app.name)
                out.flag(app.port != nil)
                if let port = app.port { out.number(port) }
                out.flag(app.queue != nil)
                if let queue = app.queue {
                    out.number(queue.targetLength)
                    out.number(queue.maxReplicas)
                }
            }
            out.strings(tenant.buckets)
            out.number(tenant.origin.location.line)
            out.number(tenant.origin.location.column)
            out.number(tenant.origin.fields.count)
            for (path, location) in tenant.origin.fields.sorted(by: { $0.key < $1.key }) {
                out.string(path)
                out.number(location.line)
                out.number(location.column)
            }
            let source = documents.tenantSources[tenant.origin.location]
            out.flag(source != nil)
            if let source {
                out.number(source.line)
                out.number(utf8.distance(from: utf8.startIndex, to: source.text.startIndex))
                out.number(utf8.distance(from: utf8.startIndex, to: source.text.endIndex))
            }
        }
        let locations = Set(documents.tenants.map(\.origin.location))
        guard documents.tenantSources.keys.allSatisfy(locations.contains) else { return nil }
        return out.data
    }

    /// The documents as the parser makes them from `text`, or nil when `data` is not a stored
    /// file of `file` that fits `text`.
    static func decode(_ data: [UInt8], file: String, text: String) -> DocumentSet? {
        data.withUnsafeBufferPointer { buffer in
            var input = Reader(buffer)
            return try? decode(&input, file: file, text: text)
        }
    }

    private static func decode(_ input: inout Reader, file: String, text: String) throws(Reader.Malformed) -> DocumentSet? {
        guard try input.bytes(magic.count) == magic, try input.string() == file else { return nil }
        let utf8 = text.utf8
        let length = utf8.count
        var documents = DocumentSet()
        let count = try input.count()
        documents.tenants.reserveCapacity(count)
        for _ in 0..<count {
            let name = try input.string()
            let tier = try input.string()
            let owners = try input.strings()
            let team = try input.string()
            let costCenter = try input.string()
            var environments: [Environment] = []
            for raw in try input.strings() {
                guard let environment = Environment(rawValue: raw) else { return nil }
                environments.append(environment)
            }
            let regions = try input.flag() ? try input.strings() : nil
            guard let classification = DataClassification(rawValue: try input.string()) else { return nil }
            var quota: [String: String] = [:]
            for _ in 0..<(try input.count()) {
                let key = try input.string()
                quota[key] = try input.string()
            }
            var apps: [App] = []
            for _ in 0..<(try input.count()) {
                let appName = try input.string()
                let port = try input.flag() ? try input.number() : nil
                let queue = try input.flag() ? App.Queue(targetLength: try input.number(), maxReplicas: try input.number()) : nil
                apps.append(App(name: appName, port: port, queue: queue))
            }
            let buckets = try input.strings()
            let location = SourceLocation(file: file, line: try input.number(), column: try input.number())
            var fields: [String: SourceLocation] = [:]
            let fieldCount = try input.count()
            fields.reserveCapacity(fieldCount)
            for _ in 0..<fieldCount {
                let path = try input.string()
                fields[path] = SourceLocation(file: file, line: try input.number(), column: try input.number())
            }
            let tenant = Tenant(name: name, tier: tier, owners: owners, team: team, costCenter: costCenter, environments: environments,
                                regions: regions, dataClassification: classification, quota: quota, apps: apps, buckets: buckets,
                                origin: Origin(location: location, fields: fields))
            documents.tenants.append(tenant)
            documents.declarations.append(DeclaredName(kind: "Tenant", name: name, location: location))
            documents.tenantReferences.append(references(of: tenant))
            if try input.flag() {
                let line = try input.number()
                let start = try input.number()
                let end = try input.number()
                guard start <= end, end <= length else { return nil }
                documents.tenantSources[location] = TenantSource(
                    line: line, text: text[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)])
            }
        }
        return input.isAtEnd ? documents : nil
    }

    /// What a tenant read without problems refers to, as `TenantDecoder` records it.
    private static func references(of tenant: Tenant) -> TenantReferences {
        TenantReferences(name: tenant.name, tier: tenant.tier, regions: (tenant.regions ?? []).enumerated().map { ($0.offset, $0.element) },
                         origin: tenant.origin)
    }
}

private struct Writer {
    var data: [UInt8] = []

    mutating func bytes(_ bytes: [UInt8]) { data += bytes }

    mutating func number(_ value: Int) {
        var rest = UInt64(bitPattern: Int64(value))
        while rest >= 0x80 {
            data.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        data.append(UInt8(rest))
    }

    mutating func flag(_ value: Bool) { data.append(value ? 1 : 0) }

    mutating func string(_ value: String) {
        number(value.utf8.count)
        data += value.utf8
    }

    mutating func strings(_ values: [String]) {
        number(values.count)
        for value in values { string(value) }
    }
}

private struct Reader {
    struct Malformed: Error {}

    private let buffer: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    var isAtEnd: Bool { position == buffer.count }

    mutating func bytes(_ count: Int) throws(Malformed) -> [UInt8] {
        guard count <= buffer.count - position else { throw Malformed() }
        defer { position += count }
        return Array(buffer[position..<(position + count)])
    }

    /// A varint, which must fit an `Int` and not be negative (no stored number is).
    mutating func number() throws(Malformed) -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < buffer.count, shift < 64 else { throw Malformed() }
            let byte = buffer[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard value <= UInt64(Int.max) else { throw Malformed() }
        return Int(value)
    }

    mutating func flag() throws(Malformed) -> Bool {
        guard position < buffer.count, buffer[position] <= 1 else { throw Malformed() }
        defer { position += 1 }
        return buffer[position] == 1
    }

    mutating func string() throws(Malformed) -> String {
        let count = try number()
        guard count <= buffer.count - position else { throw Malformed() }
        defer { position += count }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[position..<(position + count)]), as: UTF8.self)
    }

    /// The number of items that follow. Each takes at least a byte, so a count beyond what is
    /// left is malformed (and never reserves room for it).
    mutating func count() throws(Malformed) -> Int {
        let count = try number()
        guard count <= buffer.count - position else { throw Malformed() }
        return count
    }

    mutating func strings() throws(Malformed) -> [String] {
        let count = try count()
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try string()) }
        return values
    }
}
