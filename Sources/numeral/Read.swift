import ArgumentParser
import Foundation
import Numeral

struct Read: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the handwritten numbers in photos and scans (PNG or JPEG).",
        discussion: """
            Prints one line per image: the path, a tab, the number (uncertain digits as ?, \
            several numbers separated by spaces). A directory reads every PNG and JPEG below \
            it (one with none is an error).
            """)

    @Argument(help: "Image files or directories.") var images: [String]
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var readerOptions: ReaderOptions
    @Flag(help: "Print one JSON object per image per line.") var json = false
    @Option(help: "Digits with a lower confidence are uncertain (0...1).") var threshold = ReadOptions().threshold
    @Option(help: "Reject images with more pixels, before decoding them.") var maxPixels = 40_000_000
    @Option(help: "Write, per image, a PNG showing the boxes, the digits read and the 28x28 crops into this directory.")
    var debug: String?
    @Option(help: "Images read at the same time (default: all cores).") var threads: Int?

    func validate() throws {
        if !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be positive") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let model = try DefaultModel.load(modelOptions.model)
        let reader = try readerOptions.reader(model: model, options: ReadOptions(threshold: threshold, maxPixels: maxPixels))
        if let debug {
            do { try FileManager.default.createDirectory(atPath: debug, withIntermediateDirectories: true) } catch {
                throw ValidationError("cannot create --debug directory \(debug): \(error.localizedDescription)")
            }
        }
        var failed = false
        var files: [String] = []
        for path in images {
            switch ImageFiles.expand(path) {
            case .success(let found): files += found
            case .failure(let failure): printError(failure.message); failed = true
            }
        }
        let workers = min(threads ?? ProcessInfo.processInfo.activeProcessorCount, max(files.count, 1))
        // Parallel over images; the kernels then run single-threaded so the two levels
        // of parallelism do not compete for the same cores.
        if workers > 1 { Kernels.setThreadCount(1) }
        let outcomes = ParallelMap.run(files, workers: workers) { path in
            readOne(path, reader: reader)
        }
        for outcome in outcomes {
            switch outcome {
            case .success(let line): print(line)
            case .failure(let failure): printError(failure.message); failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    func readOne(_ path: String, reader: NumberReader) -> Result<String, ReadFailure> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ReadFailure(message: "cannot read \(path): no such file or not readable"))
        }
        do {
            let (result, details) = try reader.readWithDetails(imageData: data, name: path)
            if let debug {
                let picture = DebugImage.render(result: result, details: details)
                let name = (path as NSString).lastPathComponent + ".debug.png"
                do { try writeAtomically(PNG.encode(picture), to: (debug as NSString).appendingPathComponent(name)) } catch {
                    return .failure(ReadFailure(message: error.description))
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let data = (try? encoder.encode(result)) ?? Data()
                return .success(String(decoding: data, as: UTF8.self))
            }
            return .success("\(path)\t\(result.text.replacingOccurrences(of: "\n", with: " "))")
        } catch {
            return .failure(ReadFailure(message: error.description))
        }
    }
}

struct ReadFailure: Error { var message: String }

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("numeral: " + message + "\n").utf8))
}

enum ImageFiles {
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// A file as itself; a directory (or a link to one) as every PNG/JPEG below it, sorted;
    /// a directory without any is an error.
    static func expand(_ path: String) -> Result<[String], ReadFailure> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadFailure(message: "cannot read \(path): no such file or directory"))
        }
        guard isDirectory.boolValue else { return .success([path]) }
        // The enumerator lists nothing in a symbolic link to a directory: list its target.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: target) else {
            return .failure(ReadFailure(message: "cannot list directory \(path)"))
        }
        var found: [String] = []
        for case let relative as String in enumerator
        where extensions.contains((relative as NSString).pathExtension.lowercased()) {
            found.append((path as NSString).appendingPathComponent(relative))
        }
        guard !found.isEmpty else { return .failure(ReadFailure(message: "no PNG or JPEG images in \(path)")) }
        return .success(found.sorted())
    }
}


enum ParallelMap {
    /// `transform` over `items` on `workers` threads, results in input order.
    static func run<T: Sendable, R: Sendable>(_ items: [T], workers: Int, _ transform: @Sendable @escaping (T) -> R) -> [R] {
        let results = ResultSlots<R>(count: items.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
            while true {
                let i = next.take()
                if i >= items.count { break }
                results.set(i, transform(items[i]))
            }
        }
        return results.values()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}

final class ResultSlots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [R?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: R) { lock.lock(); slots[i] = value; lock.unlock() }
    func values() -> [R] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
