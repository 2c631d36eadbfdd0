import Foundation
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

/// The LSTM against an independent NumPy implementation (Tests/Fixtures/make_golden_lstm.py).
@Suite struct LSTMGoldenTests {
    struct Golden: Decodable {
        var inputSize: Int, hiddenSize: Int, steps: Int, batch: Int, labels: [Int]
        var input: [Float], params: [String: [Float]], logits: [Float], loss: Float
        var gradients: [String: [Float]], inputGradient: [Float]
        var sgdLearningRate: Float, sgdLosses: [Float]
    }

    static func load() throws -> Golden {
        let data = try Data(contentsOf: TestLocations.fixture("golden_lstm.json"))
        return try JSONDecoder().decode(Golden.self, from: data)
    }

    static func network(_ g: Golden) -> Sequential {
        var rng = SplitMix64(seed: 0)
        var network = Sequential(Architecture(name: "golden-lstm", inputShape: [g.steps, g.inputSize], layers: [
            .lstm(inputSize: g.inputSize, hiddenSize: g.hiddenSize),
            .dense(inputSize: g.hiddenSize, outputSize: 10),
        ]), using: &rng)
        network.visitNamedParameters { name, p in p.value = Tensor(shape: p.value.shape, scalars: g.params[name]!) }
        return network
    }

    @Test func forwardLossAndEveryGradient() throws {
        let g = try Self.load()
        var network = Self.network(g)
        let x = Tensor(shape: [g.batch, g.steps, g.inputSize], scalars: g.input)
        var rng = SplitMix64(seed: 0)
        let logits = network.forward(x, using: &rng)
        expectClose(logits.scalars, g.logits, tolerance: 1e-5, "logits")
        let (loss, dLogits) = softmaxCrossEntropy(logits: logits, labels: g.labels)
        #expect(abs(loss - g.loss) < 1e-5, "loss \(loss) vs \(g.loss)")
        _ = network.backward(dLogits)
        network.visitNamedParameters { name, p in
            expectClose(p.gradient, g.gradients[name]!, tolerance: 1e-5, "gradient of \(name)")
        }
        // The input gradient, from the LSTM alone (a network's first layer skips it).
        var rng2 = SplitMix64(seed: 0)
        var lstm = LSTM(inputSize: g.inputSize, hiddenSize: g.hiddenSize, using: &rng2)
        lstm.inputWeight.value = Tensor(shape: lstm.inputWeight.value.shape, scalars: g.params["0.inputWeight"]!)
        lstm.hiddenWeight.value = Tensor(shape: lstm.hiddenWeight.value.shape, scalars: g.params["0.hiddenWeight"]!)
        lstm.bias.value = Tensor(shape: lstm.bias.value.shape, scalars: g.params["0.bias"]!)
        var dense = network.layers[1] as! Dense
        dense.visitParameters { $0.zeroGradient() }
        let dHidden = dense.backward(dLogits)
        _ = lstm.forward(x, using: &rng)
        expectClose(lstm.backward(dHidden).scalars, g.inputGradient, tolerance: 1e-5, "input gradient")
    }

    @Test func firstStepsOfSGD() throws {
        let g = try Self.load()
        var network = Self.network(g)
        var configuration = OptimizerConfiguration(kind: .sgd, learningRate: g.sgdLearningRate)
        configuration.momentum = 0
        var optimizer = configuration.makeOptimizer()
        let x = Tensor(shape: [g.batch, g.steps, g.inputSize], scalars: g.input)
        var rng = SplitMix64(seed: 0)
        for (step, expected) in g.sgdLosses.enumerated() {
            let (loss, dLogits) = softmaxCrossEntropy(logits: network.forward(x, using: &rng), labels: g.labels)
            #expect(abs(loss - expected) < 1e-5, "step \(step): loss \(loss) vs \(expected)")
            _ = network.backward(dLogits)
            optimizer.step(&network, progress: 0)
        }
    }
}
