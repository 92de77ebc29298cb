import BulkheadCLI
import Foundation

// The executable stays tiny: all behaviour lives in BulkheadCLI, which tests call the same way.
AllocatorTuning.restartWithTunedAllocator()
exit(BulkheadCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
