import NIOConcurrencyHelpers
import Numeral

/// Runs concurrent `POST /v1/classify` digits through the model together, as one batch
/// `[n, 1, 28, 28]`, and gives each request its own row of probabilities back.
///
/// There is no timer. A digit that finds the model idle runs at once. Digits that arrive
/// while the model is busy wait in a queue; when the running batch finishes, the first of
/// them runs the model on itself and the digits queued behind it (up to `maximumBatch`).
/// Each request runs at most one batch, so none waits for more than the batch ahead of it
/// and its own. On the shipped ensemble a batch of 8 costs about 0.6 of 8 single calls
/// (oneDNN's fixed cost per call and the dense layers' weight reads are shared).
///
/// Answers do not depend on the batch: oneDNN's `sgemm` (the dense layers) rounds a
/// 1-row product differently from a product of 2 to 15 rows, and a product of 16 rows or
/// more differently again, while any row of 2 to 15 comes out the same wherever it sits
/// (the convolutions give the same bits at any batch size). So every model call here has 2
/// to 15 rows: a lone digit gets a blank second row, and bigger batches are cut into chunks.
/// `ClassifyBatcherTests` checks that every row of every batch size equals the lone answer.
final class ClassifyBatcher: Sendable {
    /// Rows per model call: see above.
    static let minimumRows = 2
    static let maximumRows = 15
    /// Digits per batch: two chunks of at most `maximumRows`.
    static let maximumBatch = 2 * maximumRows

    let model: Model
    let metrics: ServerMetrics

    /// What a queued digit is woken with: its probabilities, or the model, to run the next batch.
    private enum Wakeup {
        case done([Float])
        case runNextBatch
    }

    private struct Waiter {
        var pixels: [Float]
        var continuation: CheckedContinuation<Wakeup, Never>
    }

    private struct State {
        /// Empty unless `modelBusy`.
        var queue: [Waiter] = []
        var modelBusy = false
    }

    private let state = NIOLockedValueBox(State())

    init(model: Model, metrics: ServerMetrics) {
        self.model = model
        self.metrics = metrics
    }

    /// P(class = 0…9) for one digit: 784 values in 0…1, row-major.
    func probabilities(_ pixels: [Float]) async -> [Float] {
        precondition(pixels.count == 784, "classify takes 784 pixels, got \(pixels.count)")
        if takeModelIfIdle() { return runBatch(first: pixels) }
        let wakeup = await withCheckedContinuation { (continuation: CheckedContinuation<Wakeup, Never>) in
            let idle = state.withLockedValue { state in
                if state.modelBusy {
                    state.queue.append(Waiter(pixels: pixels, continuation: continuation))
                    return false
                }
                state.modelBusy = true
                return true
            }
            if idle { continuation.resume(returning: .runNextBatch) }
        }
        switch wakeup {
        case .done(let probabilities): return probabilities
        case .runNextBatch: return runBatch(first: pixels)
        }
    }

    private func takeModelIfIdle() -> Bool {
        state.withLockedValue { state in
            if state.modelBusy { return false }
            state.modelBusy = true
            return true
        }
    }

    /// Runs `first` and the digits queued behind it as one batch (the caller holds the model),
    /// answers the queued ones, and hands the model to the next waiter or marks it idle.
    private func runBatch(first: [Float]) -> [Float] {
        let others = state.withLockedValue { state in
            let count = min(state.queue.count, Self.maximumBatch - 1)
            defer { state.queue.removeFirst(count) }
            return Array(state.queue.prefix(count))
        }
        let answers = Self.probabilities(of: [first] + others.map(\.pixels), model: model)
        metrics.classifyBatchSize.record(Double(answers.count))
        for (waiter, answer) in zip(others, answers.dropFirst()) {
            waiter.continuation.resume(returning: .done(answer))
        }
        let next = state.withLockedValue { state -> Waiter? in
            guard !state.queue.isEmpty else {
                state.modelBusy = false
                return nil
            }
            return state.queue.removeFirst()
        }
        next?.continuation.resume(returning: .runNextBatch)
        return answers[0]
    }

    /// P(class = 0…9) for each digit (784 values each, at most `maximumBatch` digits), the
    /// same bits whatever the other digits are.
    ///
    /// The digits are cut into one chunk per core (`Kernels.forEachChunk`: each chunk on one
    /// worker, its kernels single-threaded, which on the shipped ensemble costs less time per
    /// digit than splitting every layer across the cores) of 2 to 15 rows each; a lone digit
    /// gets a blank second row.
    static func probabilities(of digits: [[Float]], model: Model) -> [[Float]] {
        precondition((1...maximumBatch).contains(digits.count), "a classify batch has 1 to \(maximumBatch) digits, got \(digits.count)")
        let rows = max(digits.count, minimumRows)
        let chunks = max((rows + maximumRows - 1) / maximumRows, min(Kernels.threadCount, rows / minimumRows))
        let chunkSize = (rows + chunks - 1) / chunks
        var input = digits.flatMap { $0 }
        input += repeatElement(0, count: 784 * (rows - digits.count))
        let batch = Tensor(shape: [rows, 1, 28, 28], scalars: input)
        var output = [Float](repeating: 0, count: rows * 10)
        let lock = NIOLock()
        Kernels.forEachChunk(count: rows, chunkSize: chunkSize) { range in
            let p = model.probabilities(batch.slice(range)).scalars
            lock.withLock { output.replaceSubrange((range.lowerBound * 10)..<(range.upperBound * 10), with: p) }
        }
        return digits.indices.map { Array(output[($0 * 10)..<($0 * 10 + 10)]) }
    }
}
