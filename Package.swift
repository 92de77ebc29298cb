// swift-tools-version:6.1
import PackageDescription

/// One settings list for every target (see STYLE.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "bulkhead",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bulkhead", targets: ["Bulkhead"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Typed Kubernetes and CRD objects, quantities, names, deterministic YAML/JSON (pure).
        .target(
            name: "BulkheadKube",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // The declaration: types, loading with source positions, validation (pure).
        .target(
            name: "BulkheadModel",
            dependencies: ["BulkheadKube", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Placement, tenant bundles and repository layout: declaration -> files (pure).
        .target(
            name: "BulkheadRender",
            dependencies: [
                "BulkheadPolicy", "BulkheadCEL",
                "BulkheadModel", "BulkheadKube",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The GitOps repository: diff, atomic writes, prune, one commit, crash recovery.
        .target(
            name: "BulkheadGitOps",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // Common Expression Language: parser, optional type checker, evaluator, Kubernetes libraries (pure).
        .target(
            name: "BulkheadCEL",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // Policies as data, admission evaluation and Kyverno test suites over BulkheadCEL (pure).
        .target(
            name: "BulkheadPolicy",
            dependencies: ["BulkheadCEL", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // swift-argument-parser commands.
        .target(
            name: "BulkheadCLI",
            dependencies: [
                "BulkheadModel", "BulkheadRender", "BulkheadGitOps", "BulkheadKube", "BulkheadPolicy", "BulkheadCEL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The thin `bulkhead` executable.
        .executableTarget(
            name: "Bulkhead",
            dependencies: ["BulkheadCLI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadModelTests",
            dependencies: ["BulkheadModel"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadRenderTests",
            dependencies: ["BulkheadRender", "BulkheadModel", "BulkheadKube", "BulkheadPolicy", "BulkheadCEL"],
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadGitOpsTests",
            dependencies: ["BulkheadGitOps"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadCELTests",
            dependencies: ["BulkheadCEL"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadPolicyTests",
            dependencies: ["BulkheadPolicy", "BulkheadCEL"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadCLITests",
            dependencies: ["BulkheadCLI", "BulkheadGitOps", "BulkheadRender"],
            swiftSettings: swiftSettings
        ),
    ]
)
