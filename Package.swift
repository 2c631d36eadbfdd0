// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Numeral",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "numeral", targets: ["numeral"]),
        .library(name: "Numeral", targets: ["Numeral"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - Public API
        .executableTarget(
            name: "numeral",
            dependencies: [
                "Numeral",
                "NumeralServer",
                "NumeralReport",
                "NumeralSynth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Replays files through the parsers of outside input; scripts/fuzz builds it for libFuzzer.
        .executableTarget(
            name: "numeral-fuzz",
            dependencies: ["Numeral", "NumeralServer", "CFuzzer"],
            swiftSettings: swiftSettings),
        .target(
            name: "Numeral",
            dependencies: ["NumeralCore", "NumeralNN", "NumeralData", "NumeralTraining", "NumeralVision", "NumeralSynth"],
            resources: [.copy("Resources/numeral-default.safetensors"), .copy("Resources/numeral-lines.safetensors")],
            swiftSettings: swiftSettings),
        .target(
            name: "NumeralServer",
            dependencies: [
                "Numeral",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),

        .target(
            name: "NumeralReport",
            dependencies: ["NumeralNN", "NumeralData", "NumeralTraining", "NumeralVision"],
            swiftSettings: swiftSettings),

        // MARK: - Implementation details
        .target(name: "NumeralCore", dependencies: ["CDNNL", "CNumeralSIMD"], swiftSettings: swiftSettings),
        .target(name: "CNumeralSIMD"),
        .target(name: "NumeralNN", dependencies: ["NumeralCore"], swiftSettings: swiftSettings),
        .target(name: "NumeralData", dependencies: ["NumeralCore", "CNumeralZlib", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "NumeralTraining", dependencies: ["NumeralNN", "NumeralData"], swiftSettings: swiftSettings),
        .target(name: "NumeralVision", dependencies: ["NumeralCore", "CPNG", "CTurboJPEG"], swiftSettings: swiftSettings),
        .target(name: "NumeralSynth", dependencies: ["NumeralCore", "NumeralData", "NumeralVision"],
                swiftSettings: swiftSettings),
        .systemLibrary(name: "CDNNL"),
        .systemLibrary(name: "CFuzzer"),
        .systemLibrary(name: "CNumeralZlib"),
        .systemLibrary(name: "CPNG"),
        .systemLibrary(name: "CTurboJPEG"),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["NumeralCore", "NumeralNN"], path: "Tests/TestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "NumeralCoreTests", dependencies: ["NumeralCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NumeralNNTests", dependencies: ["NumeralNN", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NumeralDataTests", dependencies: ["NumeralData", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NumeralTrainingTests", dependencies: ["NumeralTraining", "Numeral", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(
            name: "NumeralServerTests",
            dependencies: [
                "NumeralServer",
                "Numeral",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                "TestSupport",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(name: "NumeralReportTests", dependencies: ["NumeralReport", "NumeralVision", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "NumeralVisionTests", dependencies: ["NumeralVision", "TestSupport", "CNumeralZlib"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "NumeralReadTests", dependencies: ["Numeral", "NumeralSynth", "NumeralTraining", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NumeralSynthTests", dependencies: ["NumeralSynth", "NumeralVision"], swiftSettings: swiftSettings),
    ]
)
