public import Foundation

/// Where test inputs live, computed from this file's path so `swift test` works from any
/// directory: `<repository>/Tests/TestSupport/Locations.swift`.
public enum TestLocations {
    /// The repository root (three levels above a file in `Tests/X/`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures` (golden JSON, Python scripts, small IDX files).
    public static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// A file under `Tests/Fixtures`.
    public static func fixture(_ relativePath: String) -> URL {
        fixtures.appendingPathComponent(relativePath)
    }

    /// The genuine MNIST directory: `$NUMERAL_DATA` if set, else `<repository>/../shared/data/mnist`.
    public static var mnistDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["NUMERAL_DATA"], !directory.isEmpty { return directory }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").standardized.path
    }

    /// A fresh empty directory under the system temporary directory.
    public static func temporaryDirectory(_ label: String = "numeral-tests") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
