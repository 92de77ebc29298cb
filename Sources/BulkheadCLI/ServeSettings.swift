import Configuration
import Foundation
import SystemPackage

/// Where `bulkhead serve` finds its settings, first match wins: command-line flags, then
/// `BULKHEAD_<KEY>` environment variables, then the JSON file given with `--config`, then the
/// defaults. Keys: `platform`, `repo`, `database` (a SQLite path or a `postgres://` URL), `host`, `port`
/// (read through swift-configuration).
struct ServeSettings: Equatable {
    var platform: String
    var repo: String
    var database: String?
    var host: String
    var port: Int

    static let keys = ["platform", "repo", "database", "host", "port"]

    /// Resolves the settings; `flags` holds the flags that were given, by key.
    static func resolve(flags: [String: String], environment: [String: String], configFile: String?) async throws -> ServeSettings {
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags {
            let content: ConfigContent = key == "port" ? Int(value).map(ConfigContent.int) ?? .string(value) : .string(value)
            flagValues[AbsoluteConfigKey([key])] = ConfigValue(content, isSecret: false)
        }
        // Only BULKHEAD_* variables, with the prefix removed: `host` is read from BULKHEAD_HOST.
        var variables: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("BULKHEAD_") { variables[String(name.dropFirst("BULKHEAD_".count))] = value }
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "flags", values: flagValues),
                                                EnvironmentVariablesProvider(environmentVariables: variables)]
        if let configFile {
            guard FileManager.default.isReadableFile(atPath: configFile) else {
                throw CommandFailure.usage("error: --config \(configFile): no readable file there")
            }
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile)))
            } catch {
                throw CommandFailure.usage("error: --config \(configFile): not a JSON object of settings (\(error))")
            }
        }
        let reader = ConfigReader(providers: providers)
        guard let platform = reader.string(forKey: "platform") else {
            throw CommandFailure.usage("error: no platform folder: give --platform DIR, BULKHEAD_PLATFORM, or \"platform\" in the --config file")
        }
        guard let repo = reader.string(forKey: "repo") else {
            throw CommandFailure.usage("error: no GitOps repository: give --repo DIR, BULKHEAD_REPO, or \"repo\" in the --config file")
        }
        let port = reader.int(forKey: "port", default: 8080)
        guard (0...65535).contains(port) else {
            throw CommandFailure.usage("error: port \(port) must be from 0 to 65535")
        }
        return ServeSettings(platform: platform, repo: repo, database: reader.string(forKey: "database"),
                             host: reader.string(forKey: "host") ?? "127.0.0.1", port: port)
    }
}
