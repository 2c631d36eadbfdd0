import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// The bidirectional column LSTM: gradients, and that its states are the two `LSTM`s' run
/// over the columns in either order.
@Suite struct ColumnLSTMTests {
    @Test func gradientsThroughBothDirections() {
        var rng = SplitMix64(seed: 11)
        var layer = ColumnLSTM(features: 6, hiddenSize: 3, using: &rng)
        randomizeParameters(&layer, in: -0.8...0.8, using: &rng)
        let input = Tensor.uniform(shape: [2, 3, 2, 5], in: -1...1, using: &rng)
        checkGradients(of: layer, input: input, seed: 11)
    }

    @Test func passesTheFeaturesAndAppendsEachDirectionsStates() {
        var rng = SplitMix64(seed: 12)
        let layer = ColumnLSTM(features: 4, hiddenSize: 3, using: &rng)
        let (batch, width) = (2, 5)
        let input = Tensor.uniform(shape: [batch, 2, 2, width], in: -1...1, using: &rng)
        let output = layer(input)
        #expect(output.shape == [batch, 4 + 6, 1, width])
        #expect(LayerSpec.columnLSTM(features: 4, hiddenSize: 3).outputShape(for: [2, 2, width]) == [10, 1, width])
        #expect(LayerSpec.columnLSTM(features: 5, hiddenSize: 3).outputShape(for: [2, 2, width]) == nil)
        func at(_ t: Tensor, _ n: Int, _ f: Int, _ w: Int, features: Int) -> Float { t.scalars[(n * features + f) * width + w] }
        for n in 0..<batch {
            // Sample n's columns as a [1, steps, features] sequence, in reading order and reversed.
            let columns = (0..<width).map { w in (0..<4).map { f in at(input, n, f, w, features: 4) } }
            for (cell, order, first) in [(layer.leftToRight, Array(0..<width), 4), (layer.rightToLeft, Array((0..<width).reversed()), 7)] {
                for steps in 1...width {
                    // The state after `steps` columns of this direction is at the last of them.
                    let sequence = Tensor(shape: [1, steps, 4], scalars: order.prefix(steps).flatMap { columns[$0] })
                    let expected = cell(sequence).scalars
                    let column = order[steps - 1]
                    expectClose((0..<3).map { at(output, n, first + $0, column, features: 10) }, expected, tolerance: 1e-6,
                                "sample \(n), column \(column)")
                }
            }
            for f in 0..<4 { for w in 0..<width { #expect(at(output, n, f, w, features: 10) == at(input, n, f, w, features: 4)) } }
        }
    }

    @Test func trainingAndInferenceForwardAgree() {
        var rng = SplitMix64(seed: 13)
        var layer = ColumnLSTM(features: 6, hiddenSize: 4, using: &rng)
        let x = Tensor.uniform(shape: [3, 2, 3, 7], in: -1...1, using: &rng)
        let inference = layer(x)
        #expect(layer.forward(x, using: &rng) == inference)
    }

    @Test func aLineModelWithItSavesAndLoads() throws {
        var rng = SplitMix64(seed: 14)
        let model = LineModel(network: Sequential(LineModel.architecture(), using: &rng))
        #expect(model.network.layers.contains { $0 is ColumnLSTM })
        let loaded = try LineModel.decode(model.encoded(), path: "memory")
        let line = Tensor.uniform(shape: [LineModel.height * 64], in: 0...1, using: &rng).scalars
        #expect(loaded.probabilities(line: line, width: 64) == model.probabilities(line: line, width: 64))
    }
}
