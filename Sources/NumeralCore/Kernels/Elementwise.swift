import Foundation

// Element-wise passes of the training step (ReLU, its gradient mask, dropout). Each is one
// pass over memory, so they are plain pointer loops the compiler vectorises, split across
// workers when the tensor is large (a conv layer's activations are megabytes per batch).

extension Kernels {
    /// Tensors smaller than this run on one thread.
    static let parallelElementwiseThreshold = 1 << 16

    /// Runs `body` on contiguous ranges of `0..<count`, split across workers when `count` is large.
    static func forEachElementRange(_ count: Int, _ body: (Range<Int>) -> Void) {
        let workers = count >= parallelElementwiseThreshold ? threadCount : 1
        if workers == 1 { body(0..<count); return }
        parallelFor(workers) { body(split(count, into: workers, part: $0)) }
    }

    /// max(x, 0) element by element.
    public static func relu(_ x: [Float]) -> [Float] {
        let n = x.count
        var y = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { y in
            guard let (x, y) = pointers(x, y) else { return }
            forEachElementRange(n) { r in
                var i = r.lowerBound
                while i + 8 <= r.upperBound {
                    let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(y + i).storeBytes(of: xv.replacing(with: 0, where: .!(xv .> 0)),
                                                              as: SIMD8<Float>.self)
                    i += 8
                }
                while i < r.upperBound { y[i] = x[i] > 0 ? x[i] : 0; i += 1 }
            }
        } }
        return y
    }

    /// ReLU's backward from its output: dx = dy where y > 0, else 0.
    public static func reluBackward(outputGradient dy: [Float], output y: [Float]) -> [Float] {
        let n = y.count
        precondition(dy.count == n, "reluBackward: \(dy.count) gradients for \(n) outputs")
        var dx = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
        dy.withUnsafeBufferPointer { dy in y.withUnsafeBufferPointer { y in dx.withUnsafeMutableBufferPointer { dx in
            guard let (dy, y) = pointers(dy, y), let dx = dx.baseAddress else { return }
            forEachElementRange(n) { r in
                // Eight lanes at a time (SSE on a generic x86-64 build), then the tail.
                var i = r.lowerBound
                while i + 8 <= r.upperBound {
                    let yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
                    let gv = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(dx + i).storeBytes(of: gv.replacing(with: 0, where: .!(yv .> 0)),
                                                               as: SIMD8<Float>.self)
                    i += 8
                }
                while i < r.upperBound { dx[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
            }
        } } }
        return dx
    }

    /// Inverted dropout's forward: element i is kept (and scaled by `scale`) when the i-th
    /// draw of `SplitMix64(seed:)` is below `threshold`. Returns the output and the mask
    /// (scale or 0 per element), which backward multiplies by.
    public static func dropoutForward(_ x: [Float], seed: UInt64, threshold: UInt64, scale: Float)
        -> (output: [Float], mask: [Float]) {
        let n = x.count
        var y = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
        var mask = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { y in mask.withUnsafeMutableBufferPointer { m in
            guard let x = x.baseAddress, let y = y.baseAddress, let m = m.baseAddress else { return }
            forEachElementRange(n) { r in
                // SplitMix64's k-th draw depends only on seed + k·γ, so a worker starting at
                // element s jumps there directly: the same draws as one sequential stream.
                var rng = SplitMix64(seed: seed &+ UInt64(r.lowerBound) &* 0x9E37_79B9_7F4A_7C15)
                for i in r {
                    let keep: Float = rng.next() < threshold ? scale : 0
                    m[i] = keep
                    y[i] = x[i] * keep
                }
            }
        } } }
        return (y, mask)
    }

    /// a · b element by element (dropout's backward: gradient times mask).
    public static func multiply(_ a: [Float], _ b: [Float]) -> [Float] {
        let n = a.count
        precondition(b.count == n, "multiply: \(a.count) vs \(b.count) elements")
        var c = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            guard let (a, b) = pointers(a, b), let c = c.baseAddress else { return }
            forEachElementRange(n) { r in
                for i in r { c[i] = a[i] * b[i] }
            }
        } } }
        return c
    }

    private static func pointers(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>)
        -> (UnsafePointer<Float>, UnsafePointer<Float>)? {
        guard let a = a.baseAddress, let b = b.baseAddress else { return nil }
        return (a, b)
    }
    private static func pointers(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeMutableBufferPointer<Float>)
        -> (UnsafePointer<Float>, UnsafeMutablePointer<Float>)? {
        guard let a = a.baseAddress, let b = b.baseAddress else { return nil }
        return (a, b)
    }

    // MARK: - References

    public static func reluReference(_ x: [Float]) -> [Float] { x.map { max($0, 0) } }

    public static func reluBackwardReference(outputGradient dy: [Float], output y: [Float]) -> [Float] {
        zip(dy, y).map { $1 > 0 ? $0 : 0 }
    }

    public static func dropoutForwardReference(_ x: [Float], seed: UInt64, threshold: UInt64, scale: Float)
        -> (output: [Float], mask: [Float]) {
        var rng = SplitMix64(seed: seed)
        let mask = x.map { _ in rng.next() < threshold ? scale : Float(0) }
        return (zip(x, mask).map(*), mask)
    }
}
