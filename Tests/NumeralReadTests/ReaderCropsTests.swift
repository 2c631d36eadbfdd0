import Foundation
import Numeral
import NumeralCore
import NumeralData
import NumeralNN
import NumeralSynth
import NumeralTraining
import TestSupport
import Testing

@Suite("ReaderCrops")
struct ReaderCropsTests {
    /// Two digits side by side, 40x60 each, 10 px apart, then a comma.
    let marks: [(digit: Int?, box: Box)] = [
        (3, Box(x: 0, y: 0, width: 40, height: 60)),
        (8, Box(x: 50, y: 0, width: 40, height: 60)),
        (nil, Box(x: 95, y: 50, width: 6, height: 12)),
    ]

    /// `n` pixels inked by mark `m` each.
    func ink(_ counts: [(mark: Int, pixels: Int)]) -> [Int] { counts.flatMap { [Int](repeating: $0.mark, count: $0.pixels) } }

    @Test func aWholeDigitIsThatDigit() {
        #expect(ReaderCrops.label(candidate: Box(x: 0, y: 0, width: 40, height: 60), owners: ink([(0, 500)]), marks: marks) == 3)
        // A little tighter than the drawn box (binarisation eats the faint edge), with a few
        // pixels of rule and of the neighbour.
        #expect(ReaderCrops.label(candidate: Box(x: 52, y: 1, width: 37, height: 58),
                                  owners: ink([(1, 480), (-1, 40), (0, 20)]), marks: marks) == 8)
        // Overlapping digits: the 8's cut-out piece lies partly in the 3's box, but its ink is the 8's.
        #expect(ReaderCrops.label(candidate: Box(x: 36, y: 0, width: 54, height: 60), owners: ink([(1, 500)]), marks: marks) == 8)
    }

    @Test func wrongCutsAreNotDigits() {
        // Half of the 3, the two digits as one, the comma alone, empty paper.
        for (box, owners) in [(Box(x: 0, y: 0, width: 18, height: 60), ink([(0, 200)])),
                              (Box(x: 0, y: 0, width: 90, height: 60), ink([(0, 500), (1, 500)])),
                              (Box(x: 95, y: 50, width: 6, height: 12), ink([(2, 30)])),
                              (Box(x: 200, y: 0, width: 30, height: 60), ink([(-1, 100)]))] {
            #expect(ReaderCrops.label(candidate: box, owners: owners, marks: marks) == ReaderCrops.notADigit, "\(box)")
        }
        // The 3 with half of the 8 (whose box it covers less than half).
        #expect(ReaderCrops.label(candidate: Box(x: 0, y: 0, width: 68, height: 60),
                                  owners: ink([(0, 500), (1, 400)]), marks: marks) == ReaderCrops.notADigit)
    }

    @Test func inBetweenIsLeftOut() {
        // Three quarters of the 3 (a cut slightly off): neither a clean digit nor a clear miss.
        #expect(ReaderCrops.label(candidate: Box(x: 0, y: 0, width: 30, height: 60), owners: ink([(0, 400)]), marks: marks) == nil)
        // The 3 with a sliver of the 8.
        #expect(ReaderCrops.label(candidate: Box(x: 0, y: 0, width: 56, height: 60),
                                  owners: ink([(0, 500), (1, 100)]), marks: marks) == nil)
        // Mostly ink no mark drew (a ruled line through the digit's box).
        #expect(ReaderCrops.label(candidate: Box(x: 0, y: 0, width: 40, height: 60),
                                  owners: ink([(0, 100), (-1, 400)]), marks: marks) == nil)
    }

    @Test func limitingNotDigitsKeepsEveryDigit() {
        let labels = [1, 10, 10, 2, 10, 10, 10, 3]
        let crops = Dataset(pixels: [Float](repeating: 0, count: labels.count * 784), labels: labels)
        var rng = SplitMix64(seed: 1)
        let limited = ReaderCrops.limitingNotDigits(crops, perDigit: 1, using: &rng)
        #expect(limited.labels.filter { $0 != 10 } == [1, 2, 3])
        #expect(limited.labels.filter { $0 == 10 }.count == 3)
    }

    /// Crops cut from synthetic numbers of the first 100 MNIST test digits (the fixture; a
    /// real run uses the training set): right cuts are labelled with the digits drawn, every
    /// image gives some, and a round trip through the IDX files keeps them.
    @Test func cropsFromSyntheticNumbers() throws {
        var configuration = SynthConfiguration()
        configuration.digitHeight = 20...40
        let digits = try MNIST.loadTest(from: TestLocations.fixture("mnist-t10k-100").path)
        let synthesizer = try Synthesizer(digits: digits, configuration: configuration)
        let (crops, summary) = try ReaderCrops.make(count: 12, seed: 3, synthesizer: synthesizer)
        #expect(summary.images == 12)
        #expect(summary.digits > 12 && summary.notDigits > 0, "\(summary)")
        #expect(crops.count == summary.digits + summary.notDigits)
        #expect(crops.labels.allSatisfy { (0...10).contains($0) })
        // What the shipped model reads in the crops labelled as digits: mostly those digits
        // (about three quarters: these are the thickened, blurred, cut-out digits it is
        // fine-tuned on; chance would be a tenth).
        let positives = crops.labels.indices.filter { crops.labels[$0] != 10 }
        let p = Fixture.shared.reader.model.probabilities(crops.subset(positives).batch(0..<positives.count).images)
        let agree = positives.indices.filter { k in argmaxRows(p)[k] == crops.labels[positives[k]] }.count
        #expect(agree * 10 >= positives.count * 6, "the model agrees with \(agree) of \(positives.count) digit labels")

        let directory = try TestLocations.temporaryDirectory("crops").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ReaderCrops.write(crops, to: directory)
        let loaded = try ReaderCrops.load(from: directory)
        #expect(loaded.labels == crops.labels)
        #expect(zip(loaded.pixels, crops.pixels).allSatisfy { abs($0 - $1) <= 0.5 / 255 + 1e-6 })
    }

    /// Training with not-digits (label 10, a uniform target) teaches a network to be unsure
    /// of them while it still learns the digits: 2,000 MNIST digits and 500 noise images.
    @Test func notDigitsTrainTowardsUncertainty() throws {
        let mnist = try MNIST.loadTraining(from: TestLocations.mnistDirectory).prefix(2000)
        var rng = SplitMix64(seed: 5)
        let noise = Dataset(pixels: (0..<(500 * 784)).map { _ in Float.random(in: 0...1, using: &rng) < 0.15 ? 1 : 0 },
                            labels: [Int](repeating: ReaderCrops.notADigit, count: 500))
        var network = Sequential(Zoo.architecture(named: "mlp")!, using: &rng)
        var optimizer = OptimizerConfiguration(kind: .adam, learningRate: 1e-3).makeOptimizer()
        var progress = TrainingProgress(rng: rng)
        _ = train(&network, optimizer: &optimizer, on: mnist.appending(noise), validation: nil, epochs: 4,
                  batchSize: 32, progress: &progress)
        let model = Model(network: network)
        let test = try MNIST.loadTest(from: TestLocations.mnistDirectory).prefix(500)
        #expect(evaluate(model, on: test).accuracy > 0.85)
        var fresh = SplitMix64(seed: 6)
        let unseen = Tensor(shape: [100, 1, 28, 28], scalars: (0..<(100 * 784)).map { _ in Float.random(in: 0...1, using: &fresh) < 0.15 ? 1 : 0 })
        let p = model.probabilities(unseen)
        let confident = (0..<100).filter { n in p.scalars[(n * 10)..<(n * 10 + 10)].max()! > 0.5 }.count
        #expect(confident <= 5, "\(confident) of 100 noise images read with confidence over 0.5")
    }
}
