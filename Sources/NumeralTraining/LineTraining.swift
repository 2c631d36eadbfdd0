public import NumeralCore
public import NumeralNN
import Foundation

/// Batches of lines of similar width: each batch is padded only to its widest line.
///
/// The order is shuffled, cut into pools of `16 · batchSize`, each pool sorted by width and
/// cut into batches, and the batches shuffled.
public func lineBatches(_ lines: LineSet, indices: [Int], batchSize: Int, using rng: inout SplitMix64) -> [[Int]] {
    precondition(batchSize >= 1, "batch size \(batchSize)")
    let order = indices.shuffled(using: &rng)
    var batches: [[Int]] = []
    let pool = 16 * batchSize
    for start in stride(from: 0, to: order.count, by: pool) {
        let sorted = order[start..<min(order.count, start + pool)].sorted { lines.widths[$0] < lines.widths[$1] }
        for b in stride(from: 0, to: sorted.count, by: batchSize) {
            batches.append(Array(sorted[b..<min(sorted.count, b + batchSize)]))
        }
    }
    return batches.shuffled(using: &rng)
}

/// One batch `[n, 1, height, width]` padded to its widest line, and the labels.
public func lineBatch(_ lines: LineSet, _ batch: [Int]) -> (images: Tensor, width: Int, labels: [[Int]]) {
    let width = batch.map { lines.widths[$0] }.max() ?? LineModel.frameWidth
    let scalars = batch.flatMap { lines.line($0, width: width) }
    return (Tensor(shape: [batch.count, 1, LineModel.height, width], scalars: scalars), width, batch.map { lines.labels[$0] })
}

/// What the line trainer reports after each batch and epoch.
public struct LineTrainingReport: Sendable {
    public var epoch: Int, batch: Int, batches: Int
    /// Running means over the epoch so far.
    public var loss: Double
    /// Share of lines whose best path reads exactly their label.
    public var accuracy: Double
    public var seconds: Double
    public var linesPerSecond: Double
}

/// Trains a line recogniser with CTC: shuffled batches of similar width, forward, CTC loss,
/// backward, optimizer step. `onEpoch` gets each epoch's report, the validation accuracy
/// (nil without validation lines) and the network.
public func trainLines(_ network: inout Sequential, optimizer: inout some Optimizer, on lines: LineSet,
                       training: [Int], validation: [Int], epochs: Int, batchSize: Int,
                       using rng: inout SplitMix64,
                       onBatch: (LineTrainingReport) -> Void = { _ in },
                       onEpoch: (LineTrainingReport, Double?, Sequential) -> Void = { _, _, _ in }) {
    precondition(!training.isEmpty && epochs >= 1, "nothing to train on")
    for epoch in 0..<epochs {
        let batches = lineBatches(lines, indices: training, batchSize: batchSize, using: &rng)
        let started = Date()
        var lossSum = 0.0, right = 0, seen = 0
        var report = LineTrainingReport(epoch: epoch + 1, batch: 0, batches: batches.count, loss: 0, accuracy: 0, seconds: 0, linesPerSecond: 0)
        for (b, batch) in batches.enumerated() {
            let (images, width, labels) = lineBatch(lines, batch)
            let frames = width / LineModel.frameWidth
            let logits = network.forward(images, using: &rng)
            let (loss, gradient, fitted) = CTC.loss(logits: logits, frames: frames, labels: labels, blank: LineModel.blank)
            _ = network.backward(gradient)
            optimizer.step(&network, progress: (Double(epoch) + Double(b) / Double(batches.count)) / Double(epochs))
            lossSum += Double(loss) * Double(fitted)
            seen += labels.count
            right += zip(decode(logits, frames: frames), labels).filter { $0 == $1 }.count
            let seconds = Date().timeIntervalSince(started)
            report = LineTrainingReport(epoch: epoch + 1, batch: b + 1, batches: batches.count, loss: lossSum / Double(max(seen, 1)),
                                        accuracy: Double(right) / Double(max(seen, 1)), seconds: seconds,
                                        linesPerSecond: Double(seen) / max(seconds, 1e-9))
            onBatch(report)
        }
        onEpoch(report, validation.isEmpty ? nil : lineAccuracy(LineModel(network: network), on: lines, indices: validation), network)
    }
}

/// Best-path texts (symbol indices) of a batch's logits `[n·frames, classes]`.
func decode(_ logits: Tensor, frames: Int, blank: Int = LineModel.blank) -> [[Int]] {
    let classes = logits.shape[1]
    let n = logits.shape[0] / frames
    return (0..<n).map { i in
        // The best path needs only each frame's argmax: no softmax.
        let rows = Array(logits.scalars[(i * frames * classes)..<((i + 1) * frames * classes)])
        return CTC.greedy(rows, classes: classes, blank: blank).map(\.symbol)
    }
}

/// Share of the lines `indices` that the model reads exactly (best path), one line at a time.
public func lineAccuracy(_ model: LineModel, on lines: LineSet, indices: [Int]) -> Double {
    guard !indices.isEmpty else { return 0 }
    let right = Locked(0)
    Kernels.forEachChunk(count: indices.count, chunkSize: 16) { range in
        var local = 0
        for i in indices[range] {
            let p = model.probabilities(line: lines.line(i, width: lines.widths[i]), width: lines.widths[i])
            if CTC.greedy(p, classes: LineModel.classes, blank: LineModel.blank).map(\.symbol) == lines.labels[i] { local += 1 }
        }
        right.update { $0 += local }
    }
    return Double(right.update { $0 }) / Double(indices.count)
}
