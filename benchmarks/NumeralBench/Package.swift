// swift-tools-version: 6.1
// Inference timing for benchmarks/bench.py: links the Numeral library from the repository root,
// whose package identity is its directory name (worktree or clone), hence the lookup.
import Foundation
import PackageDescription

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "NumeralBench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: root.path)],
    targets: [
        .executableTarget(
            name: "numeral-bench",
            dependencies: [.product(name: "Numeral", package: root.lastPathComponent)]),
    ]
)
