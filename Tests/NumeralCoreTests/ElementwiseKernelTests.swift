import NumeralCore
import Testing
import TestSupport

/// The element-wise kernels against their plain `map`/`zip` references, on sizes below and
/// above the threshold where they split across workers.
@Suite struct ElementwiseKernelTests {
    static let counts = [0, 1, 7, 9, 784, 65_537, 200_003]

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        // Some exact zeros, which ReLU's mask must treat as "not active".
        return Tensor.uniform(shape: [count], in: -1...1, using: &rng).scalars.map { $0 < -0.9 ? 0 : $0 }
    }

    @Test(arguments: counts)
    func reluMatchesReference(_ count: Int) {
        let x = Self.values(count, seed: 1)
        #expect(Kernels.relu(x) == Kernels.reluReference(x), "relu over \(count)")
        let y = Kernels.relu(x), dy = Self.values(count, seed: 2)
        #expect(Kernels.reluBackward(outputGradient: dy, output: y)
                == Kernels.reluBackwardReference(outputGradient: dy, output: y), "reluBackward over \(count)")
    }

    @Test(arguments: counts)
    func dropoutMatchesReference(_ count: Int) {
        let x = Self.values(count, seed: 3)
        let threshold = UInt64(Double(0.75) * 0x1p64)
        let fast = Kernels.dropoutForward(x, seed: 42, threshold: threshold, scale: 1 / 0.75)
        let reference = Kernels.dropoutForwardReference(x, seed: 42, threshold: threshold, scale: 1 / 0.75)
        #expect(fast.output == reference.output && fast.mask == reference.mask, "dropout over \(count)")
        #expect(Kernels.multiply(x, fast.mask) == zip(x, fast.mask).map(*), "multiply over \(count)")
    }
}
