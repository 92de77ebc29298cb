// BulkheadBench: Bulkhead's half of the CEL throughput benchmark (scripts/bench-guardrails.sh).
// Compiles every expression of benchmarks/cel/expressions.json once, with `object` declared as
// map(string, dyn) as the other runtimes are given it, converts benchmarks/cel/pod.json once,
// checks every expression is true, then evaluates all of them over the pod for --seconds and
// prints one JSON line in the format of scripts/bench-cel.py.
import BulkheadCEL
import BulkheadPolicy
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BulkheadBench: \(message)\n".utf8))
    exit(2)
}

/// With `--rounds N`, every timed loop runs exactly N rounds instead of for a time: for counting
/// instructions under `valgrind --tool=callgrind`, where the same work gives the same count on a
/// busy machine (run with N and with 0 and subtract).
nonisolated(unsafe) var fixedRounds: Int?

/// Runs `round` (which does `perRound` operations) until `seconds` have passed (or
/// `fixedRounds` times): the operations done and the seconds taken.
func repeatFor(seconds: Double, perRound: Int, _ round: () -> Void) -> (operations: Int, seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
    var operations = 0
    while fixedRounds.map({ operations < $0 * perRound }) ?? (clock.now < deadline) {
        round()
        operations += perRound
    }
    let elapsed = start.duration(to: clock.now)
    return (operations, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// One JSON line with the rate and the time per operation.
func report(_ fields: String, operations: Int, seconds: Double, noun: String) {
    print(#"{\#(fields), "\#(noun)_per_second": \#(String(format: "%.0f", Double(operations) / seconds)), "microseconds_each": \#(String(format: "%.1f", seconds * 1e6 / Double(operations)))}"#)
}

var seconds = 3.0
var folder = "benchmarks/cel"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--seconds":
        guard let value = arguments.next().flatMap(Double.init) else { fail("--seconds needs a number") }
        seconds = value
    case "--rounds":
        guard let value = arguments.next().flatMap(Int.init), value >= 0 else { fail("--rounds needs a whole number") }
        fixedRounds = value
    case "--data":
        guard let value = arguments.next() else { fail("--data needs a folder") }
        folder = value
    case "--parse":
        // Times parsing one JSON file into CEL values (the webhook's first step per request).
        guard let path = arguments.next(), let data = FileManager.default.contents(atPath: path) else { fail("--parse needs a JSON file") }
        let bytes = Array(data)
        guard (try? CELValue(jsonBytes: bytes)) != nil else { fail("\(path) is not valid JSON") }
        let (parsed, elapsed) = repeatFor(seconds: 2, perRound: 100) {
            for _ in 0..<100 { _ = try? CELValue(jsonBytes: bytes) }
        }
        report(#""parse": "\#(path)", "bytes": \#(bytes.count)"#, operations: parsed, seconds: elapsed, noun: "parses")
        exit(0)
    case "--review", "--review-parse", "--review-whole":
        // Times answering one AdmissionReview (with --review-parse, only its parse under the
        // policies' projection; with --review-whole, parsing the whole body instead) with the policies of a rendered cluster folder
        // (clusters/<c>/platform/policies) and a Namespace object (JSON), without the network.
        guard let policyFolder = arguments.next(), let namespacePath = arguments.next(), let reviewPath = arguments.next(),
              let namespaceData = FileManager.default.contents(atPath: namespacePath),
              let body = FileManager.default.contents(atPath: reviewPath) else { fail("--review needs POLICY_DIR NAMESPACE.json REVIEW.json") }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: policyFolder)) ?? []).filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }
        let loaded = PolicyLoader().load(files: files.sorted().map { "\(policyFolder)/\($0)" })
        guard loaded.errors.isEmpty else { fail("\(loaded.errors.map(\.description))") }
        guard let namespace = try? CELValue(jsonData: namespaceData), case .map(let root) = namespace,
              case .map(let metadata)? = root["metadata"], case .string(let name)? = metadata["name"] else { fail("the namespace file is not a Namespace") }
        let reviewer = AdmissionReviewer(engine: PolicyEngine(policies: loaded.policies, bindings: loaded.bindings), namespaces: [name: namespace])
        let bytes = Array(body)
        guard let (_, results) = try? reviewer.review(body: bytes) else { fail("\(reviewPath) is not an AdmissionReview") }
        // What the timed reviews decide, on standard error: an error result would time a failure path.
        for result in results {
            FileHandle.standardError.write(Data("\(result.policy): \(result.outcome.rawValue) \(result.message)\n".utf8))
        }
        if argument == "--review-parse" {
            let (parses, elapsed) = repeatFor(seconds: 2, perRound: 100) {
                for _ in 0..<100 { _ = try? AdmissionReview.request(fromJSON: bytes, projection: reviewer.bodyProjection) }
            }
            report(#""projected parse": "\#(reviewPath)""#, operations: parses, seconds: elapsed, noun: "parses")
            exit(0)
        }
        let whole = argument == "--review-whole"
        let (reviews, elapsed) = repeatFor(seconds: 2, perRound: 100) {
            for _ in 0..<100 {
                if whole {
                    if let request = try? AdmissionReview.request(fromJSON: bytes) { _ = reviewer.review(request) }
                } else {
                    _ = try? reviewer.review(body: bytes)
                }
            }
        }
        report(#""\#(whole ? "review, whole parse" : "review")": "\#(reviewPath)", "policies": \#(loaded.policies.count)"#,
               operations: reviews, seconds: elapsed, noun: "reviews")
        exit(0)
    case "--help", "-h":
        print("usage: BulkheadBench [--seconds S | --rounds N] [--data benchmarks/cel | --parse REVIEW.json | --review[-parse|-whole] POLICY_DIR NAMESPACE.json REVIEW.json]")
        exit(0)
    default: fail("unknown argument \(argument)")
    }
}

struct Entry: Decodable {
    var name: String
    var expression: String
}

guard let expressionData = FileManager.default.contents(atPath: "\(folder)/expressions.json"),
      let podData = FileManager.default.contents(atPath: "\(folder)/pod.json") else {
    fail("cannot read \(folder)/expressions.json and pod.json")
}
guard let entries = try? JSONDecoder().decode([Entry].self, from: expressionData) else { fail("expressions.json is not a list of {name, expression}") }
let options = CELOptions(variables: ["object": .map(.string, .dyn)])
var programs: [CELProgram] = []
for entry in entries {
    do {
        programs.append(try CELProgram(source: entry.expression, options: options))
    } catch {
        fail("\(entry.name): \(error)")
    }
}
let pod: CELValue
do { pod = try CELValue(jsonData: podData) } catch { fail("pod.json: \(error)") }
let activation = ["object": pod]
for (entry, program) in zip(entries, programs) {
    guard (try? program.evaluate(activation)) == .bool(true) else { fail("\(entry.name) is not true on the pod") }
}

var falseResults = 0
let (evaluations, elapsedSeconds) = repeatFor(seconds: seconds, perRound: 100 * programs.count) {
    for _ in 0..<100 {
        for program in programs where (try? program.evaluate(activation)) != .bool(true) { falseResults += 1 }
    }
}
if falseResults > 0 { fail("\(falseResults) evaluations were not true") }
print(#"{"runtime": "bulkhead", "version": "swift", "expressions": \#(programs.count), "evaluations": \#(evaluations), "seconds": \#(String(format: "%.3f", elapsedSeconds)), "evaluations_per_second": \#(String(format: "%.1f", Double(evaluations) / elapsedSeconds))}"#)
