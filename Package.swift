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
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Typed Kubernetes and CRD objects, quantities, names, deterministic YAML/JSON (pure).
        .target(
            name: "BulkheadKube",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        // The declaration: types, loading with source positions, validation (pure but for the
        // parse cache kept between runs).
        .target(
            name: "BulkheadModel",
            dependencies: ["BulkheadKube", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
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
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
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
            dependencies: ["BulkheadCEL", "BulkheadKube", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The admission webhook: Hummingbird over TLS, certificates, Prometheus metrics, reload.
        .target(
            name: "BulkheadWebhook",
            dependencies: [
                "BulkheadPolicy", "BulkheadCEL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The self-service API server, and its operational memory: API tokens and roles, and the
        // hash-chained audit trail, kept in SQLite through GRDB or in PostgreSQL through postgres-nio.
        .target(
            name: "BulkheadService",
            dependencies: [
                "BulkheadModel", "BulkheadRender", "BulkheadGitOps", "BulkheadKube", "BulkheadCEL", "BulkheadPolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        // The isolation verifier: a rendered repository checked against the multi-tenancy benchmark (pure).
        .target(
            name: "BulkheadVerify",
            dependencies: ["BulkheadPolicy", "BulkheadCEL"],
            swiftSettings: swiftSettings
        ),
        // swift-argument-parser commands.
        .target(
            name: "BulkheadCLI",
            dependencies: [
                "BulkheadModel", "BulkheadRender", "BulkheadGitOps", "BulkheadKube", "BulkheadPolicy", "BulkheadCEL",
                "BulkheadWebhook", "BulkheadVerify", "BulkheadService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
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
        // The CEL throughput benchmark's Bulkhead half (scripts/bench-guardrails.sh).
        .executableTarget(
            name: "BulkheadBench",
            dependencies: ["BulkheadCEL", "BulkheadPolicy"],
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
            name: "BulkheadWebhookTests",
            dependencies: ["BulkheadWebhook", "BulkheadPolicy", "BulkheadCEL"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadServiceTests",
            dependencies: ["BulkheadService", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BulkheadCLITests",
            dependencies: ["BulkheadCLI", "BulkheadGitOps", "BulkheadRender", "BulkheadVerify", "BulkheadPolicy", "BulkheadCEL"],
            swiftSettings: swiftSettings
        ),
    ]
)
