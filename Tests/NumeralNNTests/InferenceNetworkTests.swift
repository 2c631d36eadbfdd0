import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// Folding batch norms (and the ReLUs behind them) for inference changes nothing but rounding.
@Suite struct InferenceNetworkTests {
    /// A network with every parameter random, batch-norm running statistics included
    /// (a fresh batch norm is the identity, which would hide a wrong fold).
    /// Full-size networks keep their He-initialised weights (random ±0.5 weights over a
    /// 3136-input layer give activations in the hundreds, whose rounding is no test of the fold).
    static func randomNetwork(_ architecture: Architecture, seed: UInt64) -> Sequential {
        var rng = SplitMix64(seed: seed)
        var network = Sequential(architecture, using: &rng)
        let small = network.parameterCount < 10_000
        if small { randomizeParameters(&network, in: -0.5...0.5, using: &rng) }
        network.visitParameters { p in
            switch p.name {
            case "bias", "shift": p.value = .uniform(shape: p.value.shape, in: -0.5...0.5, using: &rng)
            case "runningMean": p.value = .uniform(shape: p.value.shape, in: -1...1, using: &rng)
            case "runningVariance": p.value = .uniform(shape: p.value.shape, in: 0.05...3, using: &rng)
            case "scale": p.value = .uniform(shape: p.value.shape, in: 0.2...2, using: &rng)
            default: break
            }
        }
        return network
    }

    static let convNorm = Architecture(name: "conv-bn", inputShape: [2, 9, 8], layers: [
        .conv2D(inputChannels: 2, outputChannels: 5, kernelSize: 3, stride: 1, padding: 1), .batchNorm(features: 5), .relu,
        .maxPool2D(size: 2, stride: 2),
        .conv2D(inputChannels: 5, outputChannels: 16, kernelSize: 3, stride: 1, padding: 1), .batchNorm(features: 16),
        .flatten,
        .dense(inputSize: 16 * 4 * 4, outputSize: 7), .batchNorm(features: 7), .relu, .dropout(rate: 0.3),
        .dense(inputSize: 7, outputSize: 3),
    ])

    static let denseNorm = Architecture(name: "dense-bn", inputShape: [13], layers: [
        .dense(inputSize: 13, outputSize: 9), .batchNorm(features: 9), .relu,
        .dense(inputSize: 9, outputSize: 6), .batchNorm(features: 6), .tanh,
        .dense(inputSize: 6, outputSize: 4), .batchNorm(features: 4),
    ])

    /// A batch norm that follows a ReLU, not a weighted layer, stays as it is.
    static let unfoldable = Architecture(name: "relu-bn", inputShape: [1, 6, 6], layers: [
        .conv2D(inputChannels: 1, outputChannels: 4, kernelSize: 3, stride: 1, padding: 0), .relu,
        .batchNorm(features: 4), .flatten, .dense(inputSize: 4 * 4 * 4, outputSize: 2),
    ])

    @Test(arguments: [(convNorm, 7), (denseNorm, 5), (unfoldable, 4), (Zoo.cnn3, 8), (Zoo.cnnFast, 6)]
          as [(Architecture, Int)])
    func foldedOutputsEqualUnfolded(_ architecture: Architecture, foldedLayerCount: Int) throws {
        let network = Self.randomNetwork(architecture, seed: 21)
        let folded = InferenceNetwork(network)
        #expect(folded.layers.count == foldedLayerCount, "\(architecture.name): \(folded.layers.map(\.spec))")
        for batch in [1, 3, 17] {
            var rng = SplitMix64(seed: UInt64(batch))
            let input = Tensor.uniform(shape: Shape([batch] + architecture.inputShape), in: 0...1, using: &rng)
            let expected = network(input), actual = folded(input)
            #expect(actual.shape == expected.shape)
            // The full networks sum 3136 products in the dense layer: rounding reaches ~1e-5 there.
            let tolerance = network.parameterCount < 10_000 ? 1e-5 : 3e-5
            expectClose(actual.scalars, expected.scalars, tolerance: tolerance, "\(architecture.name) batch \(batch)")
        }
    }

    @Test func modelProbabilitiesUseTheFoldedNetworks() {
        let members = [Self.randomNetwork(Zoo.cnn3, seed: 5), Self.randomNetwork(Zoo.cnn3, seed: 6)]
        var model = Model(ensemble: members, combination: .mean)
        var rng = SplitMix64(seed: 7)
        let input = Tensor.uniform(shape: [2, 1, 28, 28], in: 0...1, using: &rng)
        func unfolded(_ networks: [Sequential]) -> [Float] {
            let p = networks.map { softmax($0(input)).scalars }
            return p[0].indices.map { i in p.reduce(0) { $0 + $1[i] / Float(p.count) } }
        }
        expectClose(model.probabilities(input).scalars, unfolded(members), tolerance: 1e-5, "ensemble")
        // Replacing the networks re-derives the folded ones.
        let other = Self.randomNetwork(Zoo.cnn3, seed: 8)
        model.networks = [other]
        expectClose(model.probabilities(input).scalars, unfolded([other]), tolerance: 1e-5, "after replacing")
    }
}
