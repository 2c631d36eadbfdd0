import NumeralCore
import Testing
import TestSupport

/// `Kernels.gemm` (oneDNN's sgemm, split across workers when large) against `gemmReference`.
@Suite struct GEMMTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var m: Int, n: Int, k: Int
        var testDescription: String { "m=\(m) n=\(n) k=\(k)" }
    }

    /// Sizes 1, 7, 8, 9, 28, 784 and odd batches, including the MLP's three products
    /// (forward, weight gradient, input gradient) for a batch of 33, and one product large
    /// enough to be split across workers.
    static let cases: [Case] = [
        Case(m: 1, n: 1, k: 1), Case(m: 7, n: 9, k: 8), Case(m: 8, n: 8, k: 8), Case(m: 9, n: 7, k: 28),
        Case(m: 28, n: 28, k: 28), Case(m: 1, n: 10, k: 784), Case(m: 33, n: 50, k: 784),
        Case(m: 50, n: 784, k: 33), Case(m: 33, n: 784, k: 50), Case(m: 9, n: 1, k: 28), Case(m: 1, n: 784, k: 1),
        Case(m: 129, n: 10, k: 50), Case(m: 129, n: 129, k: 507),  // 16.9 MFLOP: split
    ]

    static let transposes: [Transpose] = [.init(a: false, b: false), .init(a: true, b: false),
                                          .init(a: false, b: true), .init(a: true, b: true)]

    struct Transpose: Sendable, CustomTestStringConvertible {
        var a: Bool, b: Bool
        var testDescription: String { "op(a)=\(a ? "aᵀ" : "a") op(b)=\(b ? "bᵀ" : "b")" }
    }

    @Test(arguments: cases, transposes)
    func matchesReference(_ c: Case, _ t: Transpose) {
        var rng = SplitMix64(seed: UInt64(c.m * 1_000_000 + c.n * 1000 + c.k))
        let a = Tensor.uniform(shape: [c.m * c.k], in: -1...1, using: &rng).scalars
        let b = Tensor.uniform(shape: [c.k * c.n], in: -1...1, using: &rng).scalars
        let shape = GEMMShape(m: c.m, n: c.n, k: c.k)
        // A stale c must not leak into the result when beta = 0.
        var fast = [Float](repeating: .nan, count: c.m * c.n)
        var reference = [Float](repeating: 0, count: c.m * c.n)
        Kernels.gemm(shape, a: a, transposeA: t.a, b: b, transposeB: t.b, into: &fast)
        Kernels.gemmReference(shape, a: a, transposeA: t.a, b: b, transposeB: t.b, into: &reference)
        expectClose(fast, reference, tolerance: 1e-4, "gemm \(shape) \(t.testDescription)")
    }

    struct Scaling: Sendable, CustomTestStringConvertible {
        var alpha: Float, beta: Float
        var testDescription: String { "alpha \(alpha) beta \(beta)" }
    }

    @Test(arguments: [Scaling(alpha: 0.5, beta: 0.75), Scaling(alpha: 1, beta: 1), Scaling(alpha: -2, beta: 0.25),
                      Scaling(alpha: 0, beta: 1)],
          [Case(m: 7, n: 9, k: 8), Case(m: 33, n: 50, k: 784), Case(m: 65, n: 101, k: 333)])
    func alphaAndBeta(_ s: Scaling, _ c: Case) {
        let (alpha, beta) = (s.alpha, s.beta)
        var rng = SplitMix64(seed: 42)
        let a = Tensor.uniform(shape: [c.m * c.k], in: -1...1, using: &rng).scalars
        let b = Tensor.uniform(shape: [c.k * c.n], in: -1...1, using: &rng).scalars
        let initial = Tensor.uniform(shape: [c.m * c.n], in: -1...1, using: &rng).scalars
        let shape = GEMMShape(m: c.m, n: c.n, k: c.k)
        for t in Self.transposes {
            var fast = initial, reference = initial
            Kernels.gemm(shape, a: a, transposeA: t.a, b: b, transposeB: t.b, into: &fast, alpha: alpha, beta: beta)
            Kernels.gemmReference(shape, a: a, transposeA: t.a, b: b, transposeB: t.b, into: &reference,
                                  alpha: alpha, beta: beta)
            expectClose(fast, reference, tolerance: 1e-4, "gemm \(shape) \(t.testDescription) alpha \(alpha) beta \(beta)")
        }
    }

    /// The reference itself, on a product small enough to write out.
    @Test func referenceByHand() {
        // [[1, 2, 3], [4, 5, 6]] · [[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]]
        var c = [Float](repeating: 0, count: 4)
        Kernels.gemmReference(GEMMShape(m: 2, n: 2, k: 3), a: [1, 2, 3, 4, 5, 6], b: [1, 0, 0, 1, 1, 1], into: &c)
        #expect(c == [4, 5, 10, 11])
        // Same product with a stored transposed ([3, 2]) and b stored transposed ([2, 3]).
        var d = [Float](repeating: 0, count: 4)
        Kernels.gemmReference(GEMMShape(m: 2, n: 2, k: 3), a: [1, 4, 2, 5, 3, 6], transposeA: true,
                              b: [1, 0, 1, 0, 1, 1], transposeB: true, into: &d)
        #expect(d == [4, 5, 10, 11])
    }
}
