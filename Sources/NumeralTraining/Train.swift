public import NumeralCore
public import NumeralNN
public import NumeralData
import Foundation

/// Where a run stands: enough to stop after any batch and continue bit-for-bit.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// Epochs fully done.
    public var epoch = 0
    /// Batches done in the current epoch.
    public var batch = 0
    /// Generator state when the current epoch began (its shuffle is re-derived from it).
    public var epochStartRNG: SplitMix64
    /// Generator state now.
    public var rng: SplitMix64
    public var lossSum = 0.0, correct = 0, seen = 0
    /// Of `seen`, the samples with a digit label: the running accuracy is over these.
    /// Not-a-digit crops (label 10, trained towards the uniform distribution) count in the
    /// loss only. Nil in checkpoints written before it existed; then all of `seen`.
    public var digitsSeen: Int? = 0
    public var secondsThisEpoch = 0.0
    public var history: [EpochRecord] = []
    public var stepCount = 0

    public init(rng: SplitMix64) {
        epochStartRNG = rng
        self.rng = rng
    }

    /// Share of this epoch's digit-labelled samples answered right so far.
    var runningAccuracy: Double { Double(correct) / Double(max(digitsSeen ?? seen, 1)) }
}

/// What the progress callback sees after each batch.
public struct BatchReport: Sendable {
    public var epoch: Int, epochs: Int, batch: Int, batches: Int
    public var samplesPerSecond: Double
    public var loss: Double, accuracy: Double
    public var elapsed: Double
}

public enum TrainingOutcome: Sendable {
    case finished
    /// Stopped on request after a batch; the progress holds where.
    case interrupted
}

/// Trains `model` with mini-batch gradient descent.
///
/// One plain loop: shuffle, forward, softmax cross-entropy, backward (`forwardBackward`), optimizer step. After
/// each batch `shouldStop` is asked (Ctrl-C); after each epoch the validation set, if any, is
/// evaluated and `onEpoch` gets the Keras-style summary. `progress` carries every bit of
/// state, so a run stopped and resumed gives the same model as one that was not.
///
/// `augment`, if given, distorts each training batch before the forward pass (drawing from
/// the run's generator, so a resumed run sees the same distortions). `stopAfterEpoch` is
/// asked after each epoch's summary; returning true ends training early (`.finished` with
/// `progress.epoch < epochs`), which is how early stopping plugs in.
public func train(_ model: inout Sequential, optimizer: inout some Optimizer,
                  on data: Dataset, validation: Dataset?, epochs: Int, batchSize: Int,
                  progress: inout TrainingProgress,
                  augment: ((Tensor, inout SplitMix64) -> Tensor)? = nil,
                  stopAfterEpoch: (EpochRecord, Sequential) -> Bool = { _, _ in false },
                  shouldStop: () -> Bool = { false },
                  onBatch: (BatchReport) -> Void = { _ in },
                  onEpoch: (EpochRecord) -> Void = { _ in }) -> TrainingOutcome {
    precondition(batchSize >= 1 && data.count >= 1, "batch size \(batchSize) over \(data.count) samples")
    let batches = (data.count + batchSize - 1) / batchSize
    optimizer.stepCount = progress.stepCount
    while progress.epoch < epochs {
        // Re-derive this epoch's order from the generator state at its start.
        var rng = progress.epochStartRNG
        let order = Array(0..<data.count).shuffled(using: &rng)
        if progress.batch > 0 { rng = progress.rng }
        let started = Date()
        let secondsBefore = progress.secondsThisEpoch
        while progress.batch < batches {
            let range = (progress.batch * batchSize)..<min((progress.batch + 1) * batchSize, data.count)
            var (images, labels) = data.batch(order[range])
            if let augment { images = augment(images, &rng) }
            let (loss, logits) = forwardBackward(&model, images: images, labels: labels, using: &rng)
            // The schedule sees the progress at the start of this step (0 for the first).
            let done = Double(progress.epoch) + Double(progress.batch) / Double(batches)
            optimizer.step(&model, progress: done / Double(epochs))
            progress.lossSum += Double(loss) * Double(labels.count)
            progress.correct += zip(argmaxRows(logits), labels).filter { $0 == $1 }.count
            progress.digitsSeen = (progress.digitsSeen ?? progress.seen) + labels.count { $0 < logits.shape[1] }
            progress.seen += labels.count
            progress.batch += 1
            progress.rng = rng
            progress.stepCount = optimizer.stepCount
            let elapsed = secondsBefore + Date().timeIntervalSince(started)
            progress.secondsThisEpoch = elapsed
            onBatch(BatchReport(epoch: progress.epoch + 1, epochs: epochs, batch: progress.batch, batches: batches,
                                samplesPerSecond: Double(progress.seen) / max(elapsed, 1e-9),
                                loss: progress.lossSum / Double(progress.seen),
                                accuracy: progress.runningAccuracy, elapsed: elapsed))
            if progress.batch < batches && shouldStop() { return .interrupted }
        }
        var record = EpochRecord(epoch: progress.epoch + 1, loss: progress.lossSum / Double(progress.seen),
                                 accuracy: progress.runningAccuracy,
                                 seconds: progress.secondsThisEpoch)
        if let validation, validation.count > 0 {
            let result = evaluate(model, on: validation)
            record.validationLoss = result.loss
            record.validationAccuracy = result.accuracy
        }
        progress.history.append(record)
        progress.epoch += 1
        progress.batch = 0
        progress.epochStartRNG = rng
        progress.rng = rng
        progress.lossSum = 0; progress.correct = 0; progress.seen = 0; progress.digitsSeen = 0; progress.secondsThisEpoch = 0
        onEpoch(record)
        if stopAfterEpoch(record, model) { return .finished }
        if progress.epoch < epochs && shouldStop() { return .interrupted }
    }
    return .finished
}

/// Index of the largest value in each row of a `[batch, classes]` tensor.
public func argmaxRows(_ t: Tensor) -> [Int] {
    let classes = t.shape[1]
    return (0..<t.shape[0]).map { n in
        var best = 0
        for j in 1..<classes where t.scalars[n * classes + j] > t.scalars[n * classes + best] { best = j }
        return best
    }
}
