public import NumeralCore
import Foundation

/// Connectionist temporal classification (Graves et al. 2006): the loss of reading a label
/// sequence from per-frame class scores without knowing which frames hold which symbol.
///
/// A path is one class per frame; it reads as a label after merging repeated classes and
/// dropping blanks ("-11-2" and "1--22" both read "12"). The loss is −log of the summed
/// probability of every path that reads the label, computed by the forward-backward
/// recursions over the label with blanks between its symbols.
public enum CTC {
    /// One decoded symbol: its class and the frames its run of that class covers.
    public struct Symbol: Sendable, Equatable {
        public var symbol: Int
        public var frames: Range<Int>
        /// The frame in `frames` where the symbol's probability is highest.
        public var peak: Int
        public init(symbol: Int, frames: Range<Int>, peak: Int) { self.symbol = symbol; self.frames = frames; self.peak = peak }
    }

    /// Mean loss over the samples and its gradient w.r.t. the logits.
    ///
    /// `logits` is `[samples·frames, classes]`, the frames of one sample consecutive (what
    /// `Columns` and the `Dense` layers after it give). `labels[n]` holds sample n's symbols
    /// (no blanks). A label that cannot fit in the frames (it needs one frame per symbol
    /// plus one between repeats) adds nothing to the loss or gradient; `fitted` counts the
    /// others, and the mean is over them.
    public static func loss(logits: Tensor, frames: Int, labels: [[Int]], blank: Int)
        -> (loss: Float, gradient: Tensor, fitted: Int) {
        precondition(logits.shape.rank == 2 && frames > 0, "CTC needs [samples·frames, classes] logits")
        let classes = logits.shape[1]
        let samples = labels.count
        precondition(logits.shape[0] == samples * frames, "\(logits.shape[0]) rows for \(samples) samples of \(frames) frames")
        precondition(blank >= 0 && blank < classes, "blank \(blank) outside 0..<\(classes)")
        let probabilities = softmax(logits)
        var gradient = [Float](repeating: 0, count: logits.shape.count)
        var total = 0.0, fitted = 0
        for n in 0..<samples {
            let label = labels[n]
            precondition(label.allSatisfy { $0 >= 0 && $0 < classes && $0 != blank }, "label \(label) holds a blank or an unknown class")
            let repeats = zip(label, label.dropFirst()).filter { $0 == $1 }.count
            guard label.count + repeats <= frames else { continue }
            let base = n * frames * classes
            let p = Array(probabilities.scalars[base..<(base + frames * classes)])
            let (logLikelihood, occupancy) = posterior(p, frames: frames, classes: classes, label: label, blank: blank)
            total -= logLikelihood
            fitted += 1
            // d(−log p(label)) / d logit = softmax − (expected occupancy of the class).
            for i in 0..<(frames * classes) { gradient[base + i] = p[i] - Float(occupancy[i]) }
        }
        let scale = 1 / Float(max(fitted, 1))
        for i in gradient.indices { gradient[i] *= scale }
        return (Float(total) * scale, Tensor(shape: logits.shape, scalars: gradient), fitted)
    }

    /// log p(label) and, per frame and class, the posterior probability that the path is in
    /// that class there, given that it reads `label`. `probabilities` is `[frames, classes]`.
    static func posterior(_ probabilities: [Float], frames: Int, classes: Int, label: [Int], blank: Int)
        -> (logLikelihood: Double, occupancy: [Double]) {
        // The label with blanks around and between its symbols.
        var extended = [blank]
        for s in label { extended.append(s); extended.append(blank) }
        let states = extended.count
        let logP = probabilities.map { log(max(Double($0), 1e-30)) }
        func emit(_ t: Int, _ s: Int) -> Double { logP[t * classes + extended[s]] }
        // A state may skip the blank before it when it is a symbol unlike the one two back.
        let skips = (0..<states).map { s in s >= 2 && extended[s] != blank && extended[s] != extended[s - 2] }
        var alpha = [Double](repeating: -.infinity, count: frames * states)
        var beta = alpha
        alpha[0] = emit(0, 0)
        if states > 1 { alpha[1] = emit(0, 1) }
        for t in 1..<max(1, frames) {
            for s in 0..<states {
                var a = alpha[(t - 1) * states + s]
                if s >= 1 { a = logAdd(a, alpha[(t - 1) * states + s - 1]) }
                if skips[s] { a = logAdd(a, alpha[(t - 1) * states + s - 2]) }
                alpha[t * states + s] = a == -.infinity ? a : a + emit(t, s)
            }
        }
        let last = (frames - 1) * states
        beta[last + states - 1] = emit(frames - 1, states - 1)
        if states > 1 { beta[last + states - 2] = emit(frames - 1, states - 2) }
        for t in stride(from: frames - 2, through: 0, by: -1) {
            for s in 0..<states {
                var b = beta[(t + 1) * states + s]
                if s + 1 < states { b = logAdd(b, beta[(t + 1) * states + s + 1]) }
                if s + 2 < states && skips[s + 2] { b = logAdd(b, beta[(t + 1) * states + s + 2]) }
                beta[t * states + s] = b == -.infinity ? b : b + emit(t, s)
            }
        }
        var logLikelihood = alpha[last + states - 1]
        if states > 1 { logLikelihood = logAdd(logLikelihood, alpha[last + states - 2]) }
        var occupancy = [Double](repeating: 0, count: frames * classes)
        for t in 0..<frames {
            for s in 0..<states {
                let g = alpha[t * states + s] + beta[t * states + s] - emit(t, s) - logLikelihood
                if g > -.infinity { occupancy[t * classes + extended[s]] += exp(g) }
            }
        }
        return (logLikelihood, occupancy)
    }

    /// log(eᵃ + eᵇ) without overflow.
    static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return max(a, b) + log1p(exp(-abs(a - b)))
    }

    /// Best-path decoding: the most probable class in each frame, repeats merged, blanks
    /// dropped. `probabilities` is `[frames, classes]`.
    public static func greedy(_ probabilities: [Float], classes: Int, blank: Int) -> [Symbol] {
        precondition(classes > 0 && probabilities.count % classes == 0, "\(probabilities.count) values for \(classes) classes")
        let frames = probabilities.count / classes
        var symbols: [Symbol] = []
        var previous = blank
        for t in 0..<frames {
            var best = 0
            for k in 1..<classes where probabilities[t * classes + k] > probabilities[t * classes + best] { best = k }
            if best != blank {
                if best == previous, var run = symbols.popLast() {
                    run.frames = run.frames.lowerBound..<(t + 1)
                    if probabilities[t * classes + best] > probabilities[run.peak * classes + best] { run.peak = t }
                    symbols.append(run)
                } else {
                    symbols.append(Symbol(symbol: best, frames: t..<(t + 1), peak: t))
                }
            }
            previous = best
        }
        return symbols
    }
}
