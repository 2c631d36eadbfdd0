import Foundation

/// The result of running a program to completion.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs `executable` (looked up on PATH through /usr/bin/env) with `arguments`, and waits.
/// Standard output and error are read on their own threads so a chatty child cannot block.
public func runProcess(_ executable: String, _ arguments: [String]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let (out, err) = (Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = LockedData(), errData = LockedData()
    let group = DispatchGroup()
    for (pipe, box) in [(out, outData), (err, errData)] {
        DispatchQueue.global().async(group: group) { box.set(pipe.fileHandleForReading.readDataToEndOfFile()) }
    }
    process.waitUntilExit()
    group.wait()
    return ProcessOutput(status: process.terminationStatus,
                         standardOutput: String(decoding: outData.get(), as: UTF8.self),
                         standardError: String(decoding: errData.get(), as: UTF8.self))
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Compresses `path` with the system gzip into `path + ".gz"` (keeping the original).
public func gzipFile(_ path: String) throws -> String {
    let result = try runProcess("gzip", ["-k", "-f", "-n", path])
    guard result.status == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "gzip \(path): \(result.standardError)"])
    }
    return path + ".gz"
}
