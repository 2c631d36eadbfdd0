public import Foundation
import Crypto
import NumeralCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The four MNIST files, where to get them and how to know they are intact.
///
/// Checksums are SHA-256 of the *decompressed* IDX bytes, so a copy that was re-compressed
/// (or stored uncompressed) still verifies; the published MD5s only cover one particular
/// gzip encoding.
public enum MNISTFiles {
    public struct File: Sendable {
        public var name: String
        public var sha256: String
        public var bytes: Int
    }

    public static let files: [File] = [
        File(name: "train-images-idx3-ubyte", sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", bytes: 47_040_016),
        File(name: "train-labels-idx1-ubyte", sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", bytes: 60_008),
        File(name: "t10k-images-idx3-ubyte", sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", bytes: 7_840_016),
        File(name: "t10k-labels-idx1-ubyte", sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", bytes: 10_008),
    ]

    /// Public mirrors, tried in order (PyTorch's and TensorFlow's).
    public static let mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case checksumMismatch(path: String, expected: String, found: String)
        case download(name: String, reasons: [String])
        case file(IDXError)

        public var description: String {
            switch self {
            case let .checksumMismatch(path, expected, found):
                "\(path) does not match the MNIST checksum (sha256 of its contents \(found.prefix(12))…, expected \(expected.prefix(12))…); delete it and download again"
            case let .download(name, reasons): "could not download \(name): \(reasons.joined(separator: "; "))"
            case let .file(error): error.description
            }
        }
    }

    /// Checks one downloaded or local file (raw or .gz) against its checksum.
    public static func verify(_ data: Data, as file: File, path: String) throws(Problem) {
        let raw: [UInt8]
        do {
            raw = data.starts(with: [0x1f, 0x8b]) ? try gunzip(data, path: path) : [UInt8](data)
        } catch { throw .file(error) }
        let digest = SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
        guard digest == file.sha256 else { throw .checksumMismatch(path: path, expected: file.sha256, found: digest) }
    }

    /// Verifies the four files in `directory`; returns the paths checked.
    @discardableResult
    public static func verify(directory: String) throws(Problem) -> [String] {
        var checked: [String] = []
        for file in files {
            let path = MNIST.path(file.name, in: directory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .file(.unreadable(path: path, reason: "no such file"))
            }
            try verify(data, as: file, path: path)
            checked.append(path)
        }
        return checked
    }

    /// Downloads the missing or damaged files into `directory`, verifying each before it is
    /// written (atomically) under its `.gz` name.
    public static func download(to directory: String, log: (String) -> Void) async throws(Problem) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files {
            let target = directory + "/" + file.name + ".gz"
            if let existing = FileManager.default.contents(atPath: MNIST.path(file.name, in: directory)),
               (try? verify(existing, as: file, path: target)) != nil {
                log("\(file.name): already present and intact")
                continue
            }
            var reasons: [String] = []
            var done = false
            for mirror in mirrors where !done {
                let url = mirror + file.name + ".gz"
                do {
                    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
                    if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                        reasons.append("\(url): HTTP \(http.statusCode)"); continue
                    }
                    try verify(data, as: file, path: url)
                    do { try writeAtomically(data, to: target) } catch { throw Problem.download(name: file.name, reasons: ["\(error)"]) }
                    log("\(file.name): downloaded from \(mirror) and verified")
                    done = true
                } catch let problem as Problem {
                    reasons.append("\(problem)")
                } catch {
                    reasons.append("\(url): \(error.localizedDescription)")
                }
            }
            if !done { throw .download(name: file.name, reasons: reasons) }
        }
    }
}
