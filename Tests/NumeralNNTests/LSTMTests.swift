import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// The LSTM's backpropagation through time against central differences, and its shapes.
@Suite struct LSTMTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var batch: Int, steps: Int, inputSize: Int, hiddenSize: Int
        var testDescription: String { "batch \(batch), \(steps) steps × \(inputSize) → \(hiddenSize)" }
    }

    @Test(arguments: [
        Case(batch: 2, steps: 4, inputSize: 3, hiddenSize: 5),
        Case(batch: 1, steps: 1, inputSize: 2, hiddenSize: 3),
        Case(batch: 3, steps: 6, inputSize: 1, hiddenSize: 2),
    ])
    func gradientsThroughTime(_ c: Case) {
        var rng = SplitMix64(seed: 7)
        var layer = LSTM(inputSize: c.inputSize, hiddenSize: c.hiddenSize, using: &rng)
        randomizeParameters(&layer, in: -0.8...0.8, using: &rng)
        let input = Tensor.uniform(shape: [c.batch, c.steps, c.inputSize], in: -1...1, using: &rng)
        checkGradients(of: layer, input: input, seed: 7)
    }

    @Test func readsAnImageRowByRow() {
        var rng = SplitMix64(seed: 1)
        let layer = LSTM(inputSize: 28, hiddenSize: 16, using: &rng)
        let image = Tensor.uniform(shape: [2, 1, 28, 28], in: 0...1, using: &rng)
        let y = layer(image)
        #expect(y.shape == [2, 16])
        // The same pixels as [batch, steps, in] give the same output.
        #expect(layer(image.reshaped([2, 28, 28])) == y)
        #expect(LayerSpec.lstm(inputSize: 28, hiddenSize: 128).outputShape(for: [1, 28, 28]) == [128])
        #expect(Zoo.lstm.outputShape == [10])
    }

    @Test func trainingAndInferenceForwardAgree() {
        var rng = SplitMix64(seed: 3)
        var layer = LSTM(inputSize: 4, hiddenSize: 6, using: &rng)
        let x = Tensor.uniform(shape: [3, 5, 4], in: -1...1, using: &rng)
        let inference = layer(x)
        #expect(layer.forward(x, using: &rng) == inference)
    }

    @Test func samplesAreIndependent() {
        // Row n of a batch equals the same sample run alone (no mixing across the batch).
        var rng = SplitMix64(seed: 4)
        let layer = LSTM(inputSize: 3, hiddenSize: 4, using: &rng)
        let x = Tensor.uniform(shape: [3, 5, 3], in: -1...1, using: &rng)
        let batch = layer(x)
        for n in 0..<3 {
            expectClose(layer(x.slice(n..<(n + 1))).scalars, Array(batch.scalars[(n * 4)..<(n * 4 + 4)]),
                        tolerance: 1e-5, "sample \(n)")
        }
    }
}
