import BulkheadKube

/// Kubernetes' ordering rule for a LimitRange: for each resource, defaultRequest <= default <= max.
/// The API server rejects a LimitRange that breaks it, so no tenant of such a tier could be applied.
enum LimitRangeOrder {
    static let rule = "Kubernetes requires defaultRequest <= default <= max"

    /// The pairs of `spec.limitRange` fields that must be in order, lower field first.
    static let pairs = [("defaultRequest", "default"), ("default", "max"), ("defaultRequest", "max")]

    /// Reports every pair of a tier's limitRange values that is out of order, at the lower field.
    /// Values that are not quantities were reported when read and are left out.
    static func check(_ limits: LimitRangeSettings, reader: inout DocumentReader) {
        let lists = ["defaultRequest": limits.defaultRequest, "default": limits.default, "max": limits.max]
        for resource in ["cpu", "memory", "ephemeral-storage"] {
            for (lowerField, upperField) in pairs {
                guard let lower = lists[lowerField]?[resource], let upper = lists[upperField]?[resource],
                      let lowerValue = Quantity(lower), let upperValue = Quantity(upper), lowerValue > upperValue else { continue }
                let path = DocumentReader.join(DocumentReader.join("spec.limitRange", lowerField), resource)
                reader.problems.append(Problem("limit-range-order", "\(lowerField) \(resource) \(lower) is above \(upperField) \(upper); \(rule)",
                                               at: reader.fieldLocations[path], path: path, found: "'\(lower)'", allowed: "at most \(upper)"))
            }
        }
    }
}
