// swift-tools-version: 6.1
// Timings for benchmarks/accuracy: augmentation throughput and single-image latency of trained
// models. Links the Numeral library from the repository root (its package identity is the
// root directory's name, hence the lookup), like benchmarks/NumeralBench.
import Foundation
import PackageDescription

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "AccuracyBench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: root.path)],
    targets: [
        .executableTarget(
            name: "accuracy-bench",
            dependencies: [.product(name: "Numeral", package: root.lastPathComponent)]),
    ]
)
