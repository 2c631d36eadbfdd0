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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - Public API
        .executableTarget(
            name: "numeral",
            dependencies: [
                "Numeral",
                "NumeralReport",
                "NumeralSynth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Numeral",
            dependencies: ["NumeralCore", "NumeralNN", "NumeralData", "NumeralTraining", "NumeralVision"],
            resources: [.copy("Resources/numeral-default.safetensors")],
            swiftSettings: swiftSettings),

        .target(
            name: "NumeralReport",
            dependencies: ["NumeralNN", "NumeralData", "NumeralTraining", "NumeralVision"],
            swiftSettings: swiftSettings),

        // MARK: - Implementation details
        .target(name: "NumeralCore", dependencies: ["CDNNL"], swiftSettings: swiftSettings),
        .target(name: "NumeralNN", dependencies: ["NumeralCore"], swiftSettings: swiftSettings),
        .target(name: "NumeralData", dependencies: ["NumeralCore", "CNumeralZlib", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "NumeralTraining", dependencies: ["NumeralNN", "NumeralData"], swiftSettings: swiftSettings),
        .target(name: "NumeralVision", dependencies: ["NumeralCore", "CPNG", "CTurboJPEG"], swiftSettings: swiftSettings),
        .target(name: "NumeralSynth", dependencies: ["NumeralCore", "NumeralData", "NumeralVision", "CTurboJPEG"],
                swiftSettings: swiftSettings),
        .systemLibrary(name: "CDNNL"),
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
        .testTarget(name: "NumeralReportTests", dependencies: ["NumeralReport", "NumeralVision", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "NumeralVisionTests", dependencies: ["NumeralVision", "TestSupport", "CNumeralZlib"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "NumeralReadTests", dependencies: ["Numeral", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NumeralSynthTests", dependencies: ["NumeralSynth", "NumeralVision"], swiftSettings: swiftSettings),
    ]
)
