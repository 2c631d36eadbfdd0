import NumeralCore
import NumeralData
import NumeralNN
import NumeralTraining
import Testing

/// Not-a-digit crops (label 10) train towards the uniform distribution; the running training
/// accuracy must be over the digit-labelled samples only, or a set that is half crops reports
/// at most 50%.
@Suite struct RunningAccuracyTests {
    @Test func notADigitCropsDoNotCountInTheAccuracy() throws {
        let digits = try MNISTSlices.training.get().prefix(200)
        let crops = Dataset(pixels: digits.pixels, labels: [Int](repeating: 10, count: digits.count))
        var rng = SplitMix64(seed: 3)
        var network = Sequential(Zoo.mlp, using: &rng)
        // Learning rate 0: the network does not change, so the running accuracy over the epoch
        // is exactly the untrained network's accuracy on the digits (the MLP has no dropout).
        let expected = evaluate(network, on: digits).accuracy
        #expect(expected > 0.02, "an untrained network should get some digits right")
        var optimizer = SGD(OptimizerConfiguration(kind: .sgd, learningRate: 0))
        var progress = TrainingProgress(rng: rng)
        var records: [EpochRecord] = []
        var reports: [BatchReport] = []
        _ = NumeralTraining.train(&network, optimizer: &optimizer, on: digits.appending(crops), validation: nil,
                                  epochs: 1, batchSize: 50, progress: &progress,
                                  onBatch: { reports.append($0) }, onEpoch: { records.append($0) })
        #expect(abs(records[0].accuracy - expected) < 1e-9, "\(records[0].accuracy) vs \(expected)")
        #expect(abs(reports.last!.accuracy - expected) < 1e-9)
    }
}
