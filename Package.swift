// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LeaverSweep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "leaversweep", targets: ["leaversweep"]),
        .executable(name: "leaversweep-emulator", targets: ["leaversweep-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, reached through typed shims (curl_easy_setopt & co. are variadic).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // Pure core: models, TOML config parsing, planner, report model. No I/O, no clock.
        .target(name: "LeaverSweepCore"),

        // Adapters: libcurl HTTP transport, Graph client, SQLite store, the nightly run.
        .target(name: "LeaverSweepKit", dependencies: ["LeaverSweepCore", "CCurl", "CSQLite"]),

        // The Graph emulator shares no model types with the client, so it can catch the client's mistakes.
        .target(name: "GraphEmulator"),
        .executableTarget(
            name: "leaversweep-emulator",
            dependencies: ["GraphEmulator", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .executableTarget(
            name: "leaversweep",
            dependencies: [
                "LeaverSweepCore", "LeaverSweepKit", "GraphEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "TestSupport", dependencies: ["LeaverSweepCore", "LeaverSweepKit", "GraphEmulator"]),

        .testTarget(name: "LeaverSweepCoreTests", dependencies: ["LeaverSweepCore"]),
        // Fixtures are scripts run from their source location (#filePath), not bundled resources.
        .testTarget(name: "LeaverSweepKitTests", dependencies: ["LeaverSweepKit", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "GraphEmulatorTests", dependencies: ["GraphEmulator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "GraphEmulator"]),
    ]
)
