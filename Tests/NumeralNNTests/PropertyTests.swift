import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// Seeded property sweeps: each names the seed it failed for.
@Suite struct PropertyTests {
    static func randomLogits(_ rng: inout SplitMix64) -> Tensor {
        let batch = Int.random(in: 1...9, using: &rng), classes = Int.random(in: 2...12, using: &rng)
        let spread = Float.random(in: 0.1...60, using: &rng)
        return .uniform(shape: [batch, classes], in: -spread...spread, using: &rng)
    }

    @Test func softmaxRowsSumToOneAndIgnoreAConstant() {
        withEvery("seed", in: 0..<50 as Range<UInt64>) { seed in
            var rng = SplitMix64(seed: seed)
            let logits = Self.randomLogits(&rng)
            let (batch, classes) = (logits.shape[0], logits.shape[1])
            let p = softmax(logits)
            try check(p.scalars.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite }, "probabilities outside [0, 1]")
            for n in 0..<batch {
                let sum = p.scalars[(n * classes)..<((n + 1) * classes)].reduce(0, +)
                try check(abs(sum - 1) < 1e-5, "row \(n) sums to \(sum)")
            }
            // Adding a constant to a row (even a large one) changes nothing.
            var shifted = logits
            let constant = Float.random(in: -500...500, using: &rng)
            for i in shifted.scalars.indices { shifted.scalars[i] += constant }
            let q = softmax(shifted)
            let (difference, index) = maxDifference(q.scalars, p.scalars)
            try check(difference < 1e-4, "shift by \(constant) moved p[\(index)] by \(difference)")
        }
    }

    @Test func crossEntropyIsNonNegativeAndItsGradientRowsSumToZero() {
        withEvery("seed", in: 0..<50 as Range<UInt64>) { seed in
            var rng = SplitMix64(seed: seed)
            let logits = Self.randomLogits(&rng)
            let (batch, classes) = (logits.shape[0], logits.shape[1])
            let labels = (0..<batch).map { _ in Int.random(in: 0..<classes, using: &rng) }
            let (loss, gradient) = softmaxCrossEntropy(logits: logits, labels: labels)
            try check(loss >= 0 && loss.isFinite, "loss \(loss)")
            for n in 0..<batch {
                let sum = gradient.scalars[(n * classes)..<((n + 1) * classes)].reduce(0, +)
                try check(abs(sum) < 1e-5, "gradient row \(n) sums to \(sum)")
            }
        }
        // Certain and right: loss near 0; certain and wrong: large but finite.
        let confident = Tensor(shape: [1, 3], scalars: [100, 0, 0])
        #expect(softmaxCrossEntropy(logits: confident, labels: [0]).loss < 1e-6)
        let wrong = softmaxCrossEntropy(logits: confident, labels: [1]).loss
        #expect(wrong > 50 && wrong.isFinite)
    }

    /// (The cnn's 1.2M weights take seconds to draw in a debug build; mlp and lenet suffice.)
    @Test(arguments: [Zoo.mlp, Zoo.lenet])
    func sameSeedSameModel(_ architecture: Architecture) {
        func parameters(seed: UInt64) -> [Float] {
            var rng = SplitMix64(seed: seed)
            var network = Sequential(architecture, using: &rng)
            var values: [Float] = []
            network.visitParameters { values += $0.value.scalars }
            return values
        }
        let a = parameters(seed: 42)
        #expect(a == parameters(seed: 42), "\(architecture.name): the same seed gave different weights")
        #expect(a != parameters(seed: 43), "\(architecture.name): different seeds gave the same weights")
    }

    @Test func heInitialisationHasTheRightScale() {
        var rng = SplitMix64(seed: 5)
        let dense = Dense(inputSize: 784, outputSize: 200, using: &rng)
        let w = dense.weight.value.scalars
        let mean = w.reduce(0, +) / Float(w.count)
        let variance = w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)
        #expect(abs(mean) < 0.005)
        #expect(abs(variance / (2.0 / 784) - 1) < 0.05, "variance \(variance), He wants \(2.0 / 784)")
        #expect(dense.bias.value.scalars.allSatisfy { $0 == 0 })
    }

    @Test func glorotInitialisationIsUniformInItsBound() {
        var rng = SplitMix64(seed: 5)
        let conv = Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 3, initialization: .glorot, using: &rng)
        let w = conv.weight.value.scalars
        let bound = (6 / Float(8 * 9 + 16 * 9)).squareRoot()
        #expect(w.allSatisfy { abs($0) <= bound })
        // Uniform on ±b has variance b²/3; He's normal would have 2/72, 2.6 times more.
        let variance = w.map { $0 * $0 }.reduce(0, +) / Float(w.count)
        #expect(abs(variance / (bound * bound / 3) - 1) < 0.1, "variance \(variance)")
        #expect(w.max()! > 0.9 * bound && w.min()! < -0.9 * bound)
    }

    @Test func sequentialDrawsEveryLayerWithTheChosenInitialisation() {
        var rng = SplitMix64(seed: 2)
        let glorot = Sequential(Zoo.lenet, initialization: .glorot, using: &rng)
        rng = SplitMix64(seed: 2)
        let he = Sequential(Zoo.lenet, using: &rng)
        let dense = { (net: Sequential) in net.layers.compactMap { $0 as? Dense } }
        for (g, h) in zip(dense(glorot), dense(he)) {
            let fanIn = Float(g.weight.value.shape[1]), fanOut = Float(g.weight.value.shape[0])
            let bound = (6 / (fanIn + fanOut)).squareRoot()
            #expect(g.weight.value.scalars.allSatisfy { abs($0) <= bound })
            // The same layer with He weights reaches past Glorot's bound (a normal with a larger spread).
            #expect(h.weight.value.scalars.contains { abs($0) > bound })
        }
        #expect(dense(glorot).count == 3)
    }

    @Test(arguments: Zoo.all)
    func architecturesChainToTenClasses(_ architecture: Architecture) {
        #expect(architecture.outputShape == [10])
        var rng = SplitMix64(seed: 1)
        let network = Sequential(architecture, using: &rng)
        #expect(network(Tensor(zeros: [2, 1, 28, 28])).shape == [2, 10])
        #expect(Zoo.architecture(named: architecture.name) == architecture)
    }

    @Test func parameterCounts() {
        var rng = SplitMix64(seed: 1)
        // mlp: 784·50+50 + 50·50+50 + 50·10+10; lenet: the classic 61,706.
        #expect(Sequential(Zoo.mlp, using: &rng).parameterCount == 42_310)
        #expect(Sequential(Zoo.lenet, using: &rng).parameterCount == 61_706)
        // cnn3-small: conv 1→16 and 16→32 (3×3, each with batch norm), dense 1568→128 with batch
        // norm, dense 128→10: 160+32 + 4,640+64 + 200,832+256 + 1,290 (a norm learns γ and β).
        #expect(Sequential(Zoo.cnn3Small, using: &rng).parameterCount == 207_274)
    }

    /// Inference and training forward agree for layers without training-only behaviour.
    @Test(arguments: [Zoo.mlp, Zoo.lenet])
    func inferenceMatchesTrainingForward(_ architecture: Architecture) {
        var rng = SplitMix64(seed: 8)
        var network = Sequential(architecture, using: &rng)
        let input = Tensor.uniform(shape: [3, 1, 28, 28], in: 0...1, using: &rng)
        #expect(network(input) == network.forward(input, using: &rng))
    }
}
