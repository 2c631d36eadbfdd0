import Foundation

extension Kernels {
    /// `[body(0), body(1), …, body(count − 1)]` concatenated, each `body(i)` exactly
    /// `chunkSize` scalars, with the items spread over `threadCount` workers.
    ///
    /// For per-sample work outside the math kernels (augmenting a batch of images): each
    /// worker writes only its own items' ranges of the output. `body` must not depend on
    /// the order items run in (give each item its own generator, seeded up front).
    public static func parallelConcatenate(count: Int, chunkSize: Int, _ body: (Int) -> [Float]) -> [Float] {
        precondition(count >= 0 && chunkSize >= 0, "parallelConcatenate count \(count), chunk \(chunkSize)")
        var output = [Float](repeating: 0, count: count * chunkSize)
        let workers = min(threadCount, max(count, 1))
        output.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress
            parallelFor(workers) { worker in
                for i in split(count, into: workers, part: worker) {
                    let chunk = body(i)
                    precondition(chunk.count == chunkSize, "item \(i) gave \(chunk.count) scalars, expected \(chunkSize)")
                    chunk.withUnsafeBufferPointer { src in
                        (base! + i * chunkSize).update(from: src.baseAddress!, count: chunkSize)
                    }
                }
            }
        }
        return output
    }
}
