import Foundation
import NumeralCore
import NumeralNN
import Testing
import TestSupport

/// CTC against its definition: the sum over every path of a few frames, enumerated.
@Suite struct CTCTests {
    /// p(label) summed over all classes^frames paths that read `label`.
    func bruteForce(_ p: [Float], frames: Int, classes: Int, label: [Int], blank: Int) -> Double {
        var total = 0.0
        var path = [Int](repeating: 0, count: frames)
        func read(_ path: [Int]) -> [Int] {
            var out: [Int] = [], previous = -1
            for k in path { if k != previous && k != blank { out.append(k) }; previous = k }
            return out
        }
        func visit(_ t: Int) {
            if t == frames {
                if read(path) == label {
                    total += path.enumerated().reduce(1.0) { $0 * Double(p[$1.offset * classes + $1.element]) }
                }
                return
            }
            for k in 0..<classes { path[t] = k; visit(t + 1) }
        }
        visit(0)
        return total
    }

    @Test(arguments: [[1], [1, 2], [2, 2], [1, 2, 1], [], [2, 1, 1]])
    func lossIsMinusLogOfThePathSum(label: [Int]) {
        let (frames, classes, blank) = (5, 3, 0)
        var rng = SplitMix64(seed: 7)
        let logits = Tensor.uniform(shape: [frames, classes], in: -2...2, using: &rng)
        let p = softmax(logits).scalars
        let expected = -log(bruteForce(p, frames: frames, classes: classes, label: label, blank: blank))
        let (loss, _, fitted) = CTC.loss(logits: logits, frames: frames, labels: [label], blank: blank)
        #expect(fitted == 1)
        #expect(abs(Double(loss) - expected) < 1e-4, "loss \(loss), enumerated \(expected)")
    }

    @Test func gradientMatchesCentralDifferences() {
        let (frames, classes, blank) = (6, 4, 3)
        let labels = [[0, 1, 1], [2], [1, 0]]
        var rng = SplitMix64(seed: 3)
        let logits = Tensor.uniform(shape: [labels.count * frames, classes], in: -1.5...1.5, using: &rng)
        let (_, gradient, fitted) = CTC.loss(logits: logits, frames: frames, labels: labels, blank: blank)
        #expect(fitted == 3)
        let epsilon: Float = 1e-2
        var worst = 0.0
        for i in logits.scalars.indices {
            var up = logits, down = logits
            up.scalars[i] += epsilon; down.scalars[i] -= epsilon
            let numeric = Double(CTC.loss(logits: up, frames: frames, labels: labels, blank: blank).loss
                - CTC.loss(logits: down, frames: frames, labels: labels, blank: blank).loss) / Double(2 * epsilon)
            worst = max(worst, abs(numeric - Double(gradient.scalars[i])))
        }
        #expect(worst < 2e-3, "largest gradient difference \(worst)")
    }

    @Test func aLabelTooLongForTheFramesIsLeftOut() {
        // "11" needs three frames (a blank between the repeats); two frames cannot hold it.
        let logits = Tensor(zeros: [4, 3])
        let (loss, gradient, fitted) = CTC.loss(logits: logits, frames: 2, labels: [[1, 1], [2]], blank: 0)
        #expect(fitted == 1)
        #expect(gradient.scalars[0..<6].allSatisfy { $0 == 0 })
        let second = Array(softmax(logits).scalars.suffix(6))
        let expected = -log(bruteForce(second, frames: 2, classes: 3, label: [2], blank: 0))
        #expect(abs(Double(loss) - expected) < 1e-5)
    }

    @Test func greedyDecodingMergesRepeatsAndDropsBlanks() {
        // Frames' best classes: 1 1 0 1 2 2 0 0 (blank 0) → "1", "1", "2".
        let best = [1, 1, 0, 1, 2, 2, 0, 0]
        var p = [Float](repeating: 0.1, count: best.count * 3)
        for (t, k) in best.enumerated() { p[t * 3 + k] = t == 5 ? 0.9 : 0.8 }
        let symbols = CTC.greedy(p, classes: 3, blank: 0)
        #expect(symbols == [CTC.Symbol(symbol: 1, frames: 0..<2, peak: 0), CTC.Symbol(symbol: 1, frames: 3..<4, peak: 3),
                            CTC.Symbol(symbol: 2, frames: 4..<6, peak: 5)])
    }

    @Test func columnsIsATransposeAndItsBackwardTheInverse() {
        var rng = SplitMix64(seed: 4)
        let x = Tensor.uniform(shape: [2, 3, 4, 5], in: -1...1, using: &rng)
        var layer = Columns()
        let y = layer.forward(x, using: &rng)
        #expect(y.shape == [10, 12])
        // Row n·W + w, feature c·H + h holds x[n, c, h, w].
        let row = 1 * 5 + 3, feature = 2 * 4 + 1, source = ((1 * 3 + 2) * 4 + 1) * 5 + 3
        #expect(y.scalars[row * 12 + feature] == x.scalars[source])
        #expect(layer.backward(y).scalars == x.scalars)
        checkGradients(of: Columns(), input: x, seed: 4)
    }
}
