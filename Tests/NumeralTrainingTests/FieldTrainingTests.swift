import Foundation
import NumeralCore
import NumeralNN
import NumeralTraining
import Testing

@Suite struct FieldTrainingTests {
    /// A small field recogniser: two convolutions and the score layer, amount alphabet.
    func smallNetwork(seed: UInt64) -> Sequential {
        var rng = SplitMix64(seed: seed)
        let classes = LineModel.amountAlphabet.count + 1
        let architecture = Architecture(name: "field-test", inputShape: [1, LineModel.height, LineModel.nominalWidth], layers: [
            .conv2D(inputChannels: 1, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1), .relu, .maxPool2D(size: 2, stride: 2),
            .conv2D(inputChannels: 4, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1), .relu, .maxPool2D(size: 2, stride: 2),
            .columns, .dense(inputSize: 4 * LineModel.height / 4, outputSize: classes),
        ])
        return Sequential(architecture, using: &rng)
    }

    /// Bars ("1") 8 columns apart, 1 to 3 of them, drawn from the line's own generator.
    static let bars: @Sendable (inout SplitMix64) -> FieldSample = { rng in
        let count = Int.random(in: 1...3, using: &rng)
        let width = 8 + 12 * count
        var pixels = [Float](repeating: 0, count: LineModel.height * width)
        for k in 0..<count { for y in 6..<26 { pixels[y * width + 8 + 12 * k] = Float.random(in: 0.7...1, using: &rng) } }
        return FieldSample(pixels: pixels, width: width, label: Array(repeating: 1, count: count))
    }

    func fresh(steps: Int, seed: UInt64 = 5) -> FieldCheckpoint {
        let plan = FieldTrainingPlan(steps: steps, batchSize: 4, learningRate: 1e-3, seed: seed)
        return FieldCheckpoint(model: LineModel(network: smallNetwork(seed: seed)),
                               optimizer: Adam(OptimizerConfiguration(kind: .adam, learningRate: 1e-3, schedule: .cosine)), plan: plan, step: 0)
    }

    func weights(_ model: LineModel) -> [Float] {
        var all: [Float] = []
        var network = model.network
        network.visitParameters { all += $0.value.scalars }
        return all
    }

    @Test func resumingFromACheckpointGivesTheWeightsOfAnUninterruptedRun() throws {
        var whole = fresh(steps: 6)
        try trainFields(&whole, checkpointInterval: .infinity, sample: Self.bars, save: { _ in })

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("field-\(UUID()).checkpoint").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var interrupted = fresh(steps: 6)
        var calls = 0
        try trainFields(&interrupted, checkpointInterval: .infinity, sample: Self.bars,
                        shouldStop: { calls += 1; return calls == 3 }, save: { try $0.save(to: path) })
        #expect(interrupted.step == 3)
        var resumed = try FieldCheckpoint.load(from: path)
        #expect(resumed.step == 3 && resumed.plan == interrupted.plan)
        try trainFields(&resumed, checkpointInterval: .infinity, sample: Self.bars, save: { _ in })
        #expect(resumed.step == 6)
        #expect(weights(resumed.model) == weights(whole.model))
        #expect(weights(resumed.model) != weights(fresh(steps: 6).model))
    }

    @Test func aLossThatIsNotFiniteStopsTrainingBeforeAnythingIsSaved() {
        // A learning rate far too high: Adam moves every weight by about the rate, and the
        // next scores overflow.
        var checkpoint = fresh(steps: 4)
        checkpoint.plan.learningRate = 1e37
        checkpoint.optimizer = Adam(OptimizerConfiguration(kind: .adam, learningRate: 1e37))
        var saved = 0
        do {
            try trainFields(&checkpoint, checkpointInterval: .infinity, sample: Self.bars, save: { _ in saved += 1 })
            Issue.record("training went on to step \(checkpoint.step)")
        } catch let error as FieldTrainingError {
            guard case .nonFiniteLoss = error else { Issue.record("\(error)"); return }
        } catch { Issue.record("\(error)") }
        #expect(saved == 0)
    }

    @Test func anEmptyTextIsLearnedAsAllBlank() {
        // A blank field's label is empty: CTC's only path is the blank in every frame.
        let classes = LineModel.amountAlphabet.count + 1, frames = 5
        var rng = SplitMix64(seed: 4)
        let logits = Tensor(shape: [frames, classes], scalars: (0..<(frames * classes)).map { _ in Float.random(in: -1...1, using: &rng) })
        let (loss, gradient, fitted) = CTC.loss(logits: logits, frames: frames, labels: [[]], blank: classes - 1)
        let p = softmax(logits).scalars
        let expected = -(0..<frames).reduce(Float(0)) { $0 + log(p[$1 * classes + classes - 1]) }
        #expect(fitted == 1 && abs(loss - expected) < 1e-4)
        // The gradient pushes every frame towards the blank.
        for t in 0..<frames { #expect(gradient.scalars[t * classes + classes - 1] < 0) }
    }

    @Test func aCheckpointOfAnotherKindIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("field-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try LineModel(network: smallNetwork(seed: 1)).save(to: path)
        #expect(throws: FieldTrainingError.self) { try FieldCheckpoint.load(from: path) }
    }

    @Test func wideningToTheAmountMarksKeepsTheReadingsOfTheDigitAlphabet() {
        var rng = SplitMix64(seed: 2)
        let digits = LineModel(network: Sequential(LineModel.architecture(stage: 0), using: &rng))
        let widened = LineModel(network: LineModel.widenedToAmounts(digits.network)!)
        #expect(widened.symbols == LineModel.amountAlphabet && widened.blankClass == LineModel.amountAlphabet.count)
        #expect(LineModel.widenedToAmounts(widened.network) == nil)
        let width = 64
        let line = (0..<(LineModel.height * width)).map { _ in Float.random(in: 0...1, using: &rng) }
        let before = digits.probabilities(line: line, width: width), after = widened.probabilities(line: line, width: width)
        let (old, new) = (LineModel.classes, widened.outputClasses)
        for t in 0..<(width / LineModel.frameWidth) {
            // The same symbols and blank, as probable as before (the new marks start near 0).
            for k in 0..<LineModel.alphabet.count { #expect(abs(before[t * old + k] - after[t * new + k]) < 1e-3) }
            #expect(abs(before[t * old + old - 1] - after[t * new + new - 1]) < 1e-3)
        }
    }
}
