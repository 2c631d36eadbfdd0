import NumeralCore
import Testing
import TestSupport

/// The Adam kernel (eight lanes and a scalar tail) against its plain-loop reference.
@Suite struct OptimizerMathTests {
    @Test(arguments: [1, 7, 8, 9, 784, 1001], [false, true])
    func adamMatchesReference(_ count: Int, decoupled: Bool) {
        var rng = SplitMix64(seed: UInt64(count))
        var fastWeights = Tensor.uniform(shape: [count], in: -1...1, using: &rng).scalars
        var referenceWeights = fastWeights
        var fastMoments = [Float](repeating: 0, count: 2 * count), referenceMoments = fastMoments
        for step in 1...3 {
            let gradients = Tensor.uniform(shape: [count], in: -1...1, using: &rng).scalars
            let s = AdamStep(learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: step,
                             l2: decoupled ? 0 : 1e-2, decoupledDecay: decoupled ? 1e-2 : 0)
            Kernels.adamUpdate(weights: &fastWeights, gradients: gradients, moments: &fastMoments, s)
            Kernels.adamUpdateReference(weights: &referenceWeights, gradients: gradients, moments: &referenceMoments, s)
        }
        expectClose(fastWeights, referenceWeights, tolerance: 1e-5, "adam weights, \(count) parameters")
        expectClose(fastMoments, referenceMoments, tolerance: 1e-5, "adam moments, \(count) parameters")
    }
}
