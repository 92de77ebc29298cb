import ArgumentParser

/// How data is printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// The platform folder argument shared by every command that reads a declaration.
struct PlatformOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The platform folder: every *.yaml and *.yml file below it is read.", valueName: "platform-dir"),
              completion: .directory)
    var platformDirectory: String = "."

    @Option(name: .shortAndLong, help: "Output format: table for people, json for programs.")
    var output: OutputFormat = .table
}

/// The GitOps repository option.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The GitOps repository folder (created with git init when missing).", valueName: "repo-dir"),
            completion: .directory)
    var repo: String
}
