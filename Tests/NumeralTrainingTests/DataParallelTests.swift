import NumeralCore
import NumeralNN
import NumeralTraining
import Testing

/// `forwardBackward` cut into pieces (each on its own copy of the model) against the whole
/// batch in one pass: same loss, logits and parameter gradients up to float rounding.
@Suite struct DataParallelTests {
    @Test(arguments: [2, 3, 7])
    func piecesGiveTheWholeBatchGradients(parts: Int) {
        var rng = SplitMix64(seed: 21)
        let model = Sequential(Zoo.lenet, using: &rng)
        // 7 samples: 3 pieces are uneven (2, 2, 3) and 7 pieces one sample each.
        let images = Tensor.uniform(shape: [7, 1, 28, 28], in: 0...1, using: &rng)
        let labels = [3, 1, 4, 1, 5, 9, 2]
        var whole = model, split = model
        var wholeRNG = rng, splitRNG = rng
        let a = forwardBackward(&whole, images: images, labels: labels, using: &wholeRNG, parts: 1)
        let b = forwardBackward(&split, images: images, labels: labels, using: &splitRNG, parts: parts)
        #expect(abs(a.loss - b.loss) < 1e-5, "loss \(a.loss) whole, \(b.loss) in \(parts) pieces")
        #expect(a.logits.shape == b.logits.shape)
        #expect(zip(a.logits.scalars, b.logits.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        var wholeGradients: [[Float]] = [], splitGradients: [[Float]] = []
        whole.visitParameters { wholeGradients.append($0.gradient) }
        split.visitParameters { splitGradients.append($0.gradient) }
        #expect(wholeGradients.count == splitGradients.count && wholeGradients.count == 10)
        for (w, s) in zip(wholeGradients, splitGradients) {
            let scale = w.map(abs).max() ?? 0
            #expect(scale > 0, "a gradient of LeNet is all zeros")
            let worst = zip(w, s).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * max(scale, 1), "gradients differ by \(worst) (largest \(scale))")
        }
    }

    /// The gradients are added to what the parameters already hold, as a whole-batch pass does.
    @Test func piecesAddToExistingGradients() {
        var rng = SplitMix64(seed: 22)
        var model = Sequential(Zoo.lenet, using: &rng)
        model.visitParameters { p in for i in p.gradient.indices { p.gradient[i] = 1 } }
        var once = model
        let images = Tensor.uniform(shape: [4, 1, 28, 28], in: 0...1, using: &rng)
        _ = forwardBackward(&model, images: images, labels: [0, 1, 2, 3], using: &rng, parts: 2)
        once.visitParameters { p in for i in p.gradient.indices { p.gradient[i] = 0 } }
        _ = forwardBackward(&once, images: images, labels: [0, 1, 2, 3], using: &rng, parts: 2)
        var added: [[Float]] = [], fresh: [[Float]] = []
        model.visitParameters { added.append($0.gradient) }
        once.visitParameters { fresh.append($0.gradient) }
        for (a, f) in zip(added, fresh) { #expect(zip(a, f).allSatisfy { abs($0 - ($1 + 1)) < 1e-5 }) }
    }

    @Test func onlyModelsThatTreatSamplesAloneAndCarryEnoughWorkAreSplit() {
        var rng = SplitMix64(seed: 23)
        let lenet = Sequential(Zoo.lenet, using: &rng)
        #expect(lenet.treatsSamplesAlone)
        #expect(dataParallelParts(lenet, batch: 64) == (Kernels.threadCount > 1 ? min(Kernels.threadCount, 64) : 1))
        // Batch norm averages over the batch, dropout draws: never split.
        let withNorm = Sequential(Zoo.cnnBN, using: &rng), withDropout = Sequential(Zoo.cnn, using: &rng)
        #expect(!withNorm.treatsSamplesAlone && !withDropout.treatsSamplesAlone)
        #expect(dataParallelParts(withNorm, batch: 256) == 1 && dataParallelParts(withDropout, batch: 256) == 1)
        // The MLP's 84 kFLOP a sample: 16 samples a piece are too little work to hand over.
        #expect(dataParallelParts(Sequential(Zoo.mlp, using: &rng), batch: 32) == 1)
        #expect(dataParallelParts(lenet, batch: 1) == 1)
    }
}
