// swift-tools-version:6.0
//
// Brook: a Kafka-compatible, schema-aware event streaming platform.
// Layers and their allowed dependencies are described in ARCHITECTURE (see README);
// dependencies point downward only.
import PackageDescription

let package = Package(
    name: "Brook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "brook", targets: ["brook"]),
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
        .library(name: "LogStorage", targets: ["LogStorage"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .library(name: "Avro", targets: ["Avro"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .library(name: "BrookCodegen", targets: ["BrookCodegen"]),
        .executable(name: "brook-codegen", targets: ["brook-codegen"]),
        .plugin(name: "BrookCodegenPlugin", targets: ["BrookCodegenPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C helpers and system libraries.
        .target(name: "CCRC32C"),
        .target(name: "CBrookSystem"),
        .systemLibrary(
            name: "CCodecs", path: "Sources/CCodecs",
            providers: [.apt(["zlib1g-dev", "libsnappy-dev", "liblz4-dev", "libzstd-dev"])]),
        .systemLibrary(
            name: "CAvro", path: "Sources/CAvro", pkgConfig: "avro-c",
            providers: [.apt(["libavro-dev"])]),
        .systemLibrary(
            name: "CJansson", path: "Sources/CJansson", pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]),

        // Sans-IO Kafka wire protocol: primitives, generated messages, record batches, codecs.
        .target(
            name: "KafkaProtocol",
            dependencies: [
                "CCRC32C", "CCodecs",
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // Partition logs on disk.
        .target(
            name: "LogStorage",
            dependencies: [
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),
        // The Kafka broker server.
        .target(
            name: "Broker",
            dependencies: [
                "KafkaProtocol", "LogStorage", "GroupCoordinator", "CBrookSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // Swift Kafka client (connections, metadata, produce, fetch, admin).
        .target(
            name: "KafkaClient",
            dependencies: [
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // Sans-IO classic consumer-group coordinator; standard library only (its own domain types).
        .target(name: "GroupCoordinator"),
        // Schema cores, over one JSON document model (jansson parsing, Swift writing).
        .target(name: "JSON", dependencies: ["CJansson"]),
        .target(name: "Avro", dependencies: ["CAvro", "JSON"]),
        .target(name: "JSONSchema", dependencies: ["JSON"]),
        // Sans-IO schema registry core: `_schemas` record codec and the replicated state machine.
        .target(name: "SchemaRegistry", dependencies: ["Avro", "JSONSchema"]),
        // Schema files → Swift types (`brook codegen`, the plugin). No NIO: plugin builds stay small.
        .target(name: "BrookCodegen", dependencies: ["Avro", "JSONSchema", "JSON"]),
        .executableTarget(name: "brook-codegen", dependencies: ["BrookCodegen"]),
        .plugin(name: "BrookCodegenPlugin", capability: .buildTool(), dependencies: ["brook-codegen"]),

        // The `brook` command line.
        .executableTarget(
            name: "brook",
            dependencies: [
                "Broker", "KafkaClient", "KafkaProtocol", "LogStorage", "Avro", "JSONSchema", "CAvro", "BrookCodegen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // BenchSchemas/*.avsc → types for `brook bench schemas`.
            plugins: ["BrookCodegenPlugin"]),

        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol"]),
        .testTarget(
            name: "LogStorageTests",
            dependencies: ["LogStorage", "KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "BrokerTests",
            dependencies: ["Broker", "KafkaClient", "KafkaProtocol", "LogStorage"]),
        .testTarget(
            name: "KafkaClientTests",
            dependencies: [
                "KafkaClient", "KafkaProtocol", "brook", "Broker", "Avro",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "AvroTests", dependencies: ["Avro", "CAvro", "JSON"]),
        .testTarget(
            name: "BrookCLITests",
            dependencies: ["brook", "Avro", "JSONSchema", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["Fixtures"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(
            name: "BrookCodegenTests",
            dependencies: ["BrookCodegen", "Avro", "JSONSchema", "JSON", "CAvro"],
            plugins: ["BrookCodegenPlugin"]),
        .testTarget(name: "SchemaRegistryTests", dependencies: ["SchemaRegistry", "JSONSchema"]),
        .testTarget(name: "GroupCoordinatorTests", dependencies: ["GroupCoordinator"], exclude: ["testdata"]),
    ],
    swiftLanguageModes: [.v6]
)
