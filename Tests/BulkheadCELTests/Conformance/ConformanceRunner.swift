import BulkheadCEL
import Foundation

/// Runs cel-spec conformance cases against ``CELProgram`` and tallies the outcome per file.
struct ConformanceRunner {
    enum Outcome {
        case passed
        case failed(String)
        case skipped(String)
    }

    struct Tally {
        var passed = 0
        var failed = 0
        var skipped = 0
    }

    /// `<repository>/../shared/conformance/cel-spec`, found by walking up from this file to the
    /// folder holding Package.swift.
    static func suiteDirectory(from filePath: String = #filePath) -> URL? {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                let suite = directory.deletingLastPathComponent().appendingPathComponent("shared/conformance/cel-spec")
                return FileManager.default.fileExists(atPath: suite.path) ? suite : nil
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    static func loadCases(in directory: URL) throws -> [String: [ConformanceCase]] {
        var result: [String: [ConformanceCase]] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        for fileName in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(fileName))
            guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let file = String(fileName.dropLast(5))
            var cases: [ConformanceCase] = []
            for section in root["sections"] as? [[String: Any]] ?? [] {
                let sectionName = section["name"] as? String ?? "?"
                for test in section["tests"] as? [[String: Any]] ?? [] {
                    cases.append(ConformanceCase(file: file, section: sectionName, json: test))
                }
            }
            result[file] = cases
        }
        return result
    }

    static func run(_ test: ConformanceCase) -> Outcome {
        if let reason = test.skipReason { return .skipped(reason) }
        let options = CELOptions(
            container: test.container, macros: !test.disableMacros,
            variables: test.disableCheck ? nil : test.variables, functions: test.functions)
        let program: CELProgram
        do {
            program = try CELProgram(source: test.expression, options: options)
        } catch {
            if case .error = test.expectation { return .passed }
            return .failed("compile error: \(error)")
        }
        if !test.disableCheck, let expected = test.expectedType {
            guard let actual = program.resultType, actual == expected else {
                return .failed("type \(program.resultType.map { "\($0)" } ?? "nil"), expected \(expected)")
            }
        }
        if test.checkOnly { return .passed }
        let result = program.evaluateReportingCost(test.bindings).result
        switch (test.expectation, result) {
        case (.error, .failure): return .passed
        case (.error, .success(let value)): return .failed("got \(describe(value)), expected an error")
        case (.value(let expected), .success(let value)):
            guard let expected else { return .passed }
            return value == expected ? .passed : .failed("got \(describe(value)), expected \(describe(expected))")
        case (.value(let expected), .failure(let error)):
            return .failed("error \(error.message), expected \(expected.map(describe) ?? "a value")")
        }
    }

    static func describe(_ value: CELValue) -> String {
        switch value {
        case .int(let number): return "int \(number)"
        case .uint(let number): return "uint \(number)"
        case .double(let number): return "double \(number)"
        case .string(let text): return "string \(text.debugDescription)"
        case .bytes(let bytes): return "bytes \(bytes)"
        case .list(let list): return "[" + list.map(describe).joined(separator: ", ") + "]"
        case .map(let map): return "{" + map.entries.map { "\(describe($0.key)): \(describe($0.value))" }.joined(separator: ", ") + "}"
        case .type(let type): return "type \(type.runtimeName)"
        default: return "\(value.celType.runtimeName) \(value)"
        }
    }
}
