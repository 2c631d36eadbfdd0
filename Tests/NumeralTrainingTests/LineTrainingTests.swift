import Foundation
import NumeralCore
import NumeralNN
import NumeralTraining
import Testing

@Suite struct LineTrainingTests {
    /// A line of bars ("1", symbol 1) and rings ("0", symbol 0), 12 columns each.
    func drawn(_ label: [Int]) -> (pixels: [Float], width: Int) {
        let width = ((label.count * 12 + 8 + 3) / 4) * 4
        var pixels = [Float](repeating: 0, count: LineModel.height * width)
        for (i, symbol) in label.enumerated() {
            let x0 = 4 + i * 12
            for y in 6..<26 {
                for x in (x0 + 2)..<(x0 + 10) {
                    let ring = y < 8 || y >= 24 || x < x0 + 4 || x >= x0 + 8
                    let bar = x >= x0 + 5 && x < x0 + 7
                    if symbol == 0 ? ring : bar { pixels[y * width + x] = 1 }
                }
            }
        }
        return (pixels, width)
    }

    /// `count` drawn lines of 1 to 4 random "0"s and "1"s.
    func drawnSet(_ count: Int, using rng: inout SplitMix64) -> LineSet {
        var set = LineSet()
        for _ in 0..<count {
            let label = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 0...1, using: &rng) }
            let (pixels, width) = drawn(label)
            set.append(pixels, width: width, label: label)
        }
        return set
    }

    @Test func filesRoundTripAndMalformedLabelsAreRefused() throws {
        var set = LineSet()
        for label in [[1, 0], [0, 10, 1, 12]] {
            let (pixels, width) = drawn(label)
            set.append(pixels, width: width, label: label)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try set.write(to: directory)
        #expect(try LineSet.load(from: directory) == set)
        #expect(LineSet.symbols("-12.5,0") == [12, 1, 2, 10, 5, 11, 0])
        #expect(LineSet.symbols("12a") == nil)
        try Data("offset,width,text\n0,30,12\n".utf8).write(to: URL(fileURLWithPath: directory + "/" + LineSet.fileNames.labels))
        #expect(throws: LineSetError.self) { try LineSet.load(from: directory) }
    }

    @Test("A line model of an earlier architecture grown to the present one reads the same, and its new units learn",
          arguments: [0, 1, 2])
    func growth(stage: Int) throws {
        var rng = SplitMix64(seed: 8)
        let set = drawnSet(16, using: &rng)
        // Trained a little, so the batch norms' running statistics are not the defaults.
        var small = Sequential(LineModel.architecture(stage: stage), using: &rng)
        var optimizer = Adam(OptimizerConfiguration(kind: .adam, learningRate: 2e-3))
        trainLines(&small, optimizer: &optimizer, on: set, training: Array(0..<set.count), validation: [],
                   epochs: 2, batchSize: 8, using: &rng)
        var grown = try #require(LineModel.grown(small, using: &rng))
        #expect(grown.architecture == LineModel.architecture())
        #expect(LineModel.grown(grown, using: &rng) == nil)
        for label in [[1, 0, 1], [0, 0]] {
            let (pixels, width) = drawn(label)
            let before = LineModel(network: small).probabilities(line: pixels, width: width)
            let after = LineModel(network: grown).probabilities(line: pixels, width: width)
            #expect(zip(before, after).map { abs($0 - $1) }.max()! < 1e-5)
        }
        // The class scores' weights from the units the small model did not have.
        let smallWidth = LineModel.stages[stage].denseWidth
        let scores = "\(LineModel.architecture().layers.count - 1).weight"
        func newOutgoing(_ network: Sequential) -> [Float] {
            var copy = network, weights: [Float] = []
            copy.visitNamedParameters { name, p in if name == scores { weights = p.value.scalars } }
            let wide = weights.count / LineModel.classes
            return (0..<LineModel.classes).flatMap { k in weights[(k * wide + smallWidth)..<((k + 1) * wide)] }
        }
        #expect(newOutgoing(grown).count == LineModel.classes * (LineModel.stages.last!.denseWidth - smallWidth))
        #expect(newOutgoing(grown).allSatisfy { $0 == 0 })
        optimizer = Adam(OptimizerConfiguration(kind: .adam, learningRate: 2e-3))
        trainLines(&grown, optimizer: &optimizer, on: set, training: Array(0..<set.count), validation: [],
                   epochs: 1, batchSize: 8, using: &rng)
        #expect(newOutgoing(grown).contains { $0 != 0 })
    }

    @Test func ctcTrainingLearnsToReadDrawnLines() {
        var rng = SplitMix64(seed: 3)
        let set = drawnSet(48, using: &rng)
        var network = Sequential(LineModel.architecture(), using: &rng)
        var optimizer = Adam(OptimizerConfiguration(kind: .adam, learningRate: 2e-3))
        var losses: [Double] = []
        trainLines(&network, optimizer: &optimizer, on: set, training: Array(0..<set.count), validation: [],
                   epochs: 20, batchSize: 16, using: &rng, onEpoch: { report, _, _ in losses.append(report.loss) })
        #expect(losses.last! < losses.first! / 4, "losses \(losses)")
        #expect(lineAccuracy(LineModel(network: network), on: set, indices: Array(0..<set.count)) >= 0.9)
    }
}
