// swift-tools-version:6.1
import PackageDescription

// Every dependency here is one the Swift server ecosystem expects, at the version the
// build machines carry: Hummingbird for HTTP servers (it brings swift-log, swift-metrics,
// swift-nio and swift-service-lifecycle), swift-prometheus for /metrics.
let package = Package(
    name: "ecommerce-backend",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "user-service", targets: ["UserServiceMain"]),
        .executable(name: "product-service", targets: ["ProductServiceMain"]),
        .executable(name: "order-service", targets: ["OrderServiceMain"]),
        .executable(name: "gateway", targets: ["GatewayMain"]),
        .executable(name: "bench-tool", targets: ["BenchTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // bcrypt for passwords (HummingbirdBcrypt), JWT signing and verification (jwt-kit),
        // SHA-256 for refresh tokens and API keys (swift-crypto, already under jwt-kit).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Shared/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: Shared modules
        // Small value helpers every other module may use (timestamps, JSON text, hex, base64url).
        .target(name: "Primitives", path: "Shared/Primitives"),
        .target(name: "Contracts", dependencies: ["Primitives"], path: "Shared/Contracts"),
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ", "Primitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Postgres"),
        .target(
            name: "DocumentStore",
            dependencies: [
                "Contracts", "Postgres", "Primitives", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/DocumentStore"),
        .target(
            name: "Authentication",
            dependencies: [
                "ServiceKit", "HTTPClient", "Contracts", "Primitives",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Authentication"),
        .target(
            name: "HTTPClient",
            dependencies: [
                "CCurl", "Primitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/HTTPClient"),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Contracts", "Postgres", "HTTPClient", "Primitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            path: "Shared/ServiceKit"),

        // MARK: Services (library with everything testable + thin executable)
        .target(
            name: "UserService",
            dependencies: [
                "Contracts", "HTTPClient", "Postgres", "ServiceKit", "DocumentStore", "Authentication", "Primitives",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/UserService/Sources"),
        .executableTarget(name: "UserServiceMain", dependencies: ["ServiceKit", "UserService"], path: "Services/UserService/Main"),
        .target(
            name: "ProductService",
            dependencies: [
                "Contracts", "HTTPClient", "Postgres", "ServiceKit", "Authentication", "Primitives",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/ProductService/Sources"),
        .executableTarget(name: "ProductServiceMain", dependencies: ["ServiceKit", "ProductService"], path: "Services/ProductService/Main"),
        .target(
            name: "OrderService",
            dependencies: [
                "Contracts", "HTTPClient", "Postgres", "ServiceKit", "Authentication", "Primitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/OrderService/Sources"),
        .executableTarget(name: "OrderServiceMain", dependencies: ["ServiceKit", "OrderService"], path: "Services/OrderService/Main"),
        // A minimal Redis client (RESP2 over NIO): the gateway's shared rate limits.
        .target(
            name: "Redis",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Shared/Redis"),
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit", "Authentication", "Redis", "Contracts", "HTTPClient", "Postgres", "Primitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Gateway/Sources"),
        .executableTarget(name: "GatewayMain", dependencies: ["ServiceKit", "Gateway"], path: "Gateway/Main"),

        // MARK: Benchmarks (run by bench/*.sh, never by tests)
        .executableTarget(
            name: "BenchTool",
            dependencies: [
                "Postgres", "HTTPClient", "Primitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/BenchTool"),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "Authentication", "Contracts", "Postgres", "ServiceKit", "HTTPClient", "Primitives",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts", "Primitives"], path: "Tests/ContractsTests"),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "Primitives", "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Tests/PostgresTests"),
        .testTarget(
            name: "DocumentStoreTests",
            dependencies: [
                "Postgres", "DocumentStore", "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/DocumentStoreTests"),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: [
                "HTTPClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/HTTPClientTests"),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "Contracts", "Postgres", "ServiceKit", "Primitives", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ServiceKitTests"),
        .testTarget(
            name: "AuthenticationTests",
            dependencies: [
                "Contracts", "Primitives", "ServiceKit", "Authentication", "TestSupport", "HTTPClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Tests/AuthenticationTests"),
        .testTarget(
            name: "UserServiceTests",
            dependencies: [
                "Contracts", "DocumentStore", "Postgres", "ServiceKit", "UserService", "Authentication", "HTTPClient", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/UserServiceTests"),
        .testTarget(
            name: "ProductServiceTests",
            dependencies: [
                "Contracts", "HTTPClient", "ServiceKit", "ProductService", "UserService", "Postgres", "Primitives", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ProductServiceTests"),
        .testTarget(
            name: "OrderServiceTests",
            dependencies: [
                "OrderService", "ProductService", "UserService", "Authentication", "Contracts", "Postgres", "Primitives", "ServiceKit",
                "HTTPClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/OrderServiceTests"),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Contracts", "Postgres", "ServiceKit", "Gateway", "UserService", "ProductService", "OrderService", "TestSupport", "Redis", "HTTPClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/GatewayTests"),
        .testTarget(
            name: "EndToEndTests", dependencies: ["HTTPClient", "Contracts", "ServiceKit", "TestSupport"], path: "Tests/EndToEndTests"),
    ]
)
