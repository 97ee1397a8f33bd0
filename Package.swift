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
        .library(name: "Brook", targets: ["Brook"]),
        .library(name: "BrookCodegen", targets: ["BrookCodegen"]),
        .executable(name: "brook-codegen", targets: ["brook-codegen"]),
        .plugin(name: "BrookCodegenPlugin", targets: ["BrookCodegenPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Sans-IO classic consumer-group coordinator; standard library only (its own domain types).
        .target(name: "GroupCoordinator"),
        // Schema cores, over one JSON document model (jansson parsing, Swift writing).
        .target(name: "JSON", dependencies: ["CJansson"]),
        .target(name: "Avro", dependencies: ["CAvro", "JSON"]),
        .target(name: "JSONSchema", dependencies: ["JSON"]),
        // Sans-IO schema registry core: `_schemas` record codec and the replicated state machine.
        .target(name: "SchemaRegistry", dependencies: ["Avro", "JSONSchema"]),
        // HTTP client for Confluent-compatible registries (plain SwiftNIO HTTP/1.1) and its caching layer.
        .target(
            name: "SchemaRegistryClient",
            dependencies: [
                "JSON", "SchemaRegistry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        // The running registry: `_schemas` through KafkaClient, the Confluent REST API on Hummingbird.
        .target(
            name: "SchemaRegistryServer",
            dependencies: [
                "SchemaRegistry", "SchemaRegistryClient", "KafkaClient", "KafkaProtocol", "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),

        // The typed layer for users: serializers over the registry, Producer<Key, Value> and
        // Consumer<Key, Value>. Works against any Kafka-compatible cluster, so it does not link the broker.
        .target(
            name: "Brook",
            dependencies: [
                "KafkaClient", "KafkaProtocol", "Avro", "JSON", "JSONSchema", "SchemaRegistry", "SchemaRegistryClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),

        // Examples/: runnable against `brook serve` (see the README's Examples section).
        .executableTarget(
            name: "payments-example", dependencies: ["Brook", "KafkaClient", "SchemaRegistryClient"], path: "Examples/Payments"),
        // Orders: types generated by the plugin from schemas/orders (linked into Schemas/), the typed
        // producer and group consumer; the executable wraps them in commands.
        .target(
            name: "OrdersExample", dependencies: ["Brook", "Avro", "KafkaClient", "SchemaRegistryClient"],
            path: "Examples/Orders/OrdersExample", plugins: ["BrookCodegenPlugin"]),
        .executableTarget(
            name: "orders-example",
            dependencies: [
                "OrdersExample", "Brook", "Avro", "KafkaClient", "SchemaRegistryClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Examples/Orders/orders-example"),
        // EmbeddedCluster for tests: broker + registry in process. Separate from Brook so user
        // programs do not link the broker.
        .target(
            name: "BrookEmbedded",
            dependencies: ["Brook", "Broker", "KafkaClient", "SchemaRegistryClient", "SchemaRegistryServer"]),

        // Schema files → Swift types (`brook codegen`, the plugin). No NIO: plugin builds stay small.
        .target(name: "BrookCodegen", dependencies: ["Avro", "JSONSchema", "JSON"]),
        .executableTarget(name: "brook-codegen", dependencies: ["BrookCodegen"]),
        .plugin(name: "BrookCodegenPlugin", capability: .buildTool(), dependencies: ["brook-codegen"]),

        // The `brook` command line.
        .executableTarget(
            name: "brook",
            dependencies: [
                "Broker", "KafkaClient", "KafkaProtocol", "LogStorage", "Avro", "JSONSchema", "CAvro",
                "SchemaRegistry", "SchemaRegistryClient", "SchemaRegistryServer", "BrookCodegen",
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
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(name: "AvroTests", dependencies: ["Avro", "CAvro", "JSON"]),
        .testTarget(
            name: "BrookCLITests",
            dependencies: [
                "brook", "Avro", "JSONSchema", "BrookEmbedded",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(
            name: "BrookCodegenTests",
            dependencies: ["BrookCodegen", "Avro", "JSONSchema", "JSON", "CAvro"],
            plugins: ["BrookCodegenPlugin"]),
        .testTarget(name: "SchemaRegistryTests", dependencies: ["SchemaRegistry", "JSONSchema"]),
        .testTarget(
            name: "SchemaRegistryClientTests",
            dependencies: [
                "SchemaRegistryClient", "SchemaRegistry", "JSON", "Brook", "BrookEmbedded",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "BrookTests",
            dependencies: [
                "Brook", "BrookEmbedded", "KafkaClient", "KafkaProtocol", "Avro", "JSON", "SchemaRegistryClient",
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "SchemaRegistryServerTests",
            dependencies: [
                "SchemaRegistryServer", "SchemaRegistry", "SchemaRegistryClient", "Broker", "KafkaClient", "JSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(name: "GroupCoordinatorTests", dependencies: ["GroupCoordinator"], exclude: ["testdata"]),
        .testTarget(
            name: "OrdersExampleTests",
            dependencies: [
                "OrdersExample", "Brook", "BrookEmbedded", "Avro", "KafkaClient", "SchemaRegistryClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Examples/Orders/Tests"),
    ],
    swiftLanguageModes: [.v6]
)
