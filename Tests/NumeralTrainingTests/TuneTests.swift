import Foundation
@testable import NumeralTraining
import Numeral
import Testing

/// Hyper-parameter search: the space, the trials, and that the test set is never read.
@Suite struct TuneTests {
    @Test func parsesTheIssueSpace() throws {
        let space = try SearchSpace(parsing: "lr=1e-4..1e-2 log, batch-size=32|64|128, dropout=0..0.5")
        #expect(space.dimensions.map(\.name) == ["lr", "batch-size", "dropout"])
        #expect(space.dimensions[0].dimension == .range(lower: 1e-4, upper: 1e-2, log: true))
        #expect(space.dimensions[1].dimension == .choices([32, 64, 128]))
        #expect(space.dimensions[2].dimension == .range(lower: 0, upper: 0.5, log: false))
    }

    @Test(arguments: ["", "lr", "speed=1..2", "lr=0..1 log", "dropout=0..1.5", "batch-size=0|32", "lr=3..1", "lr=1,lr=2"])
    func rejectsBadSpaces(_ text: String) {
        #expect(throws: SearchSpaceError.self) { try SearchSpace(parsing: text) }
    }

    @Test func randomTrialsStayInsideAndAreSeeded() throws {
        let space = try SearchSpace(parsing: "lr=1e-4..1e-2 log, batch-size=32|64|128, dropout=0..0.5")
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1)
        let trials = space.randomTrials(50, using: &a)
        #expect(trials == space.randomTrials(50, using: &b))
        for t in trials {
            #expect((1e-4...1e-2).contains(t["lr"]!))
            #expect([32, 64, 128].contains(t["batch-size"]!))
            #expect((0...0.5).contains(t["dropout"]!))
        }
    }

    @Test func gridCoversEveryCombination() throws {
        let space = try SearchSpace(parsing: "lr=1e-3..1e-1 log, batch-size=32|64")
        let grid = space.gridTrials(pointsPerRange: 3)
        #expect(grid.count == 6)
        let rates = Set(grid.map { ($0["lr"]! * 1e6).rounded() / 1e6 })
        #expect(rates == [1e-3, 1e-2, 1e-1])
        #expect(space.gridTrials(pointsPerRange: 3, limit: 4).count == 4)
    }

    /// Writes MNIST-named *training* files only into a fresh directory.
    static func trainingOnlyDirectory(count: Int, seed: UInt64) throws -> URL {
        var rng = SplitMix64(seed: seed)
        let labels = (0..<count).map { _ in UInt8.random(in: 0...1, using: &rng) }
        // Class 0: ink on the left half; class 1: on the right half; easy to learn.
        var pixels = [UInt8](repeating: 0, count: count * 784)
        for n in 0..<count { for y in 4..<24 { for x in 0..<14 {
            let column = labels[n] == 0 ? x : x + 14
            pixels[n * 784 + y * 28 + column] = UInt8.random(in: 100...255, using: &rng)
        } } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numeral-tune-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try IDXFile(dimensions: [count, 28, 28], bytes: pixels).encoded()
            .write(to: directory.appendingPathComponent(MNIST.fileNames.trainImages))
        try IDXFile(dimensions: [count], bytes: labels).encoded()
            .write(to: directory.appendingPathComponent(MNIST.fileNames.trainLabels))
        return directory
    }

    @Test func neverReadsTheTestSet() throws {
        // A data directory with no test files at all: tuning must still run, so it cannot
        // have opened them; the best model is judged on the validation split alone.
        let directory = try Self.trainingOnlyDirectory(count: 200, seed: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: IDXError.self) { try MNIST.loadTest(from: directory.path) }
        let base = TuningBase(architecture: Zoo.mlp, optimizer: OptimizerConfiguration(kind: .adam, learningRate: 1e-3),
                              epochs: 3, batchSize: 16, patience: 1, seed: 0)
        let space = try SearchSpace(parsing: "lr=1e-3|1e-2, dropout=0|0.2")
        let (results, best) = try tune(base, trials: space.gridTrials(), dataDirectory: directory.path,
                                       validationFraction: 0.25)
        #expect(results.count == 4)
        #expect(results.map(\.validationAccuracy) == results.map(\.validationAccuracy).sorted(by: >), "sorted best first")
        #expect(results[0].validationAccuracy > 0.9)
        let model = try #require(best)
        #expect(model.testMetrics == nil, "tune does not measure on a test set")
        #expect(model.history.last?.validationAccuracy == results[0].validationAccuracy)
    }

    @Test func earlyStoppingKeepsTheBestEpoch() {
        var stopper = EarlyStopping(patience: 2)
        var rng = SplitMix64(seed: 0)
        let networks = (0..<5).map { _ in Sequential(Zoo.mlp, using: &rng) }
        let accuracies = [0.90, 0.95, 0.94, 0.95, 0.93]
        var stoppedAt: Int?
        for (k, accuracy) in accuracies.enumerated() {
            let record = EpochRecord(epoch: k + 1, loss: 0, accuracy: 0, validationLoss: 0, validationAccuracy: accuracy, seconds: 0)
            if stopper.observe(record, network: networks[k]) { stoppedAt = k + 1; break }
        }
        #expect(stoppedAt == 4, "two epochs without beating 0.95")
        #expect(stopper.best?.epoch == 2)
        let x = Tensor(zeros: [1, 1, 28, 28])
        #expect(stopper.best.map { $0.network(x) } == networks[1](x))
    }

    @Test func dropoutIsAddedToAnMLPAndReplacedElsewhere() {
        let base = TuningBase(architecture: Zoo.mlp, optimizer: OptimizerConfiguration(kind: .adam, learningRate: 1e-3),
                              epochs: 1, batchSize: 1, patience: 1, seed: 0)
        let mlp = base.architecture(dropout: 0.3)
        #expect(mlp.layers.filter { $0 == .dropout(rate: 0.3) }.count == 2)
        #expect(mlp.outputShape == [10])
        var cnnBase = base
        cnnBase.architecture = Zoo.cnn
        #expect(cnnBase.architecture(dropout: 0.1).layers.filter { $0 == .dropout(rate: 0.1) }.count == 2)
    }
}
