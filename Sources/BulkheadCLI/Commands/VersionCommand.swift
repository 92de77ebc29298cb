import ArgumentParser
import BulkheadModel

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Bulkhead's version and what it renders for.")

    func run() throws {
        let range = KubernetesVersion.supported
        print("bulkhead \(BulkheadCommand.version)")
        print("declaration: \(declarationAPIVersion)")
        print("kubernetes: \(range.lowerBound) to \(range.upperBound)")
        print("karpenter: \(AddonSupport.karpenterMinimum) or newer (reserved capacity from \(AddonSupport.karpenterReservedCapacity))")
        print("keda: \(AddonSupport.kedaMinimum) or newer")
    }
}
