public import Foundation

/// Errors from writing files for the user.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes `data` to `path` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target, so readers see the old file or the new one, never half of one.
public func writeAtomically(_ data: Data, to path: String) throws(FileWriteError) {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw FileWriteError(path: path, reason: "directory \(directory) does not exist")
    }
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
        throw FileWriteError(path: path, reason: "cannot create a file in \(directory)")
    }
    let fd = open(temporary, O_RDONLY)
    if fd >= 0 { fsync(fd); close(fd) }
    if rename(temporary, path) != 0 {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw FileWriteError(path: path, reason: reason)
    }
}
