// swift-tools-version:6.0
import PackageDescription

// Layers (each depends only on those above it):
//   KafkaCompression  gzip/snappy/lz4/zstd over Debian's system libraries (C shims below)
//   KafkaProtocol     codec only: wire primitives, generated messages, frames, record batches
//   KafkaCodegenCore  spec parsing and Swift emission, in memory (used by the drift test)
//   KafkaCodegen      executable: Kafka JSON specs -> Sources/KafkaProtocol/Generated
//   KafkaRecorder     recording TCP proxy used to capture fixtures from real peers
//   kafka-admin       thin command-line tool over the libraries
//   PipelineModels    message schemas of the code-analysis pipeline (no Kafka)
//   Analyzer, Miner   the analyzer's and miner's pure logic; PipelineConfig: topics file
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "swift-kafka",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
        .library(name: "KafkaCompression", targets: ["KafkaCompression"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .executable(name: "kafka-admin", targets: ["kafka-admin"]),
        .library(name: "PipelineModels", targets: ["PipelineModels"]),
        .library(name: "Analyzer", targets: ["Analyzer"]),
        .library(name: "Miner", targets: ["Miner"]),
        .library(name: "PipelineConfig", targets: ["PipelineConfig"]),
        .library(name: "GraphWriter", targets: ["GraphWriter"]),
        .executable(name: "kafka-codegen", targets: ["KafkaCodegen"]),
        // `make bench`: our client's side of the comparison with librdkafka.
        .executable(name: "kafka-bench", targets: ["kafka-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy"),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        // CRC32C with SSE4.2 (runtime-detected) and a table fallback, for v2 record batches.
        .target(name: "CKafkaChecksum", path: "Sources/CKafkaChecksum"),
        .target(
            name: "KafkaCompression",
            dependencies: ["CZlib", "CSnappy", "CLZ4", "CZstd"],
            swiftSettings: strict
        ),
        .target(
            name: "KafkaProtocol",
            dependencies: ["KafkaCompression", "CKafkaChecksum", "CZlib"],
            swiftSettings: strict
        ),
        // The generator must not depend on KafkaProtocol: it has to run even when the
        // generated code in KafkaProtocol is stale or broken.
        .target(
            name: "KafkaCodegenCore",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "KafkaCodegen",
            dependencies: ["KafkaCodegenCore"],
            swiftSettings: strict
        ),
        .target(
            name: "KafkaClient",
            dependencies: ["KafkaProtocol"],
            swiftSettings: strict
        ),
        .target(
            name: "KafkaRecorder",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kafka-admin",
            dependencies: [
                "KafkaClient",
                "KafkaCompression",
                "KafkaProtocol",
                "KafkaRecorder",
                "PipelineConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(name: "PipelineModels", swiftSettings: strict),
        .target(name: "Analyzer", dependencies: ["PipelineModels"], swiftSettings: strict),
        .target(name: "Miner", dependencies: ["PipelineModels"], swiftSettings: strict),
        .target(name: "PipelineConfig", swiftSettings: strict),
        // The writer's graph stores (SQLite by default, Dgraph over HTTP): no Kafka here.
        .target(name: "GraphWriter", dependencies: ["PipelineModels"], swiftSettings: strict),
        // `make bench` (scripts/bench/run.py): workloads and codec micro-benchmarks, and their thin executable.
        .target(name: "KafkaBenchKit", dependencies: ["KafkaClient", "KafkaProtocol", "KafkaCompression"], swiftSettings: strict),
        .executableTarget(name: "kafka-bench", dependencies: ["KafkaBenchKit", "KafkaCompression"], swiftSettings: strict),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["PipelineModels", "Analyzer", "Miner", "PipelineConfig"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaProtocolTests",
            dependencies: ["KafkaProtocol", "KafkaCompression"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaCompressionTests",
            dependencies: ["KafkaCompression"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FixtureTests",
            dependencies: ["KafkaProtocol"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "KafkaProtocol",
                           "KafkaBenchKit", "KafkaCompression"],  // bench smoke test (BenchSmokeTests.swift)
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaAdminTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CodegenTests",
            dependencies: ["KafkaProtocol", "KafkaCodegenCore"],
            swiftSettings: strict
        ),
    ]
)
