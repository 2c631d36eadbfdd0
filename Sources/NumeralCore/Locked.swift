import Foundation

/// A value shared by worker threads (`DispatchQueue.concurrentPerform`), read and changed
/// only under its lock.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    /// Runs `body` on the value with the lock held.
    public func update<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}
