import Foundation
import NumeralCore
import NumeralData
import NumeralNN
import NumeralTraining
import Testing
import TestSupport

/// A run stopped after any batch, saved, loaded and resumed ends bit-for-bit where an
/// uninterrupted run ends (the guarantee behind Ctrl-C and `numeral train --resume`).
@Suite final class CheckpointTests {
    let directory: URL
    init() throws { directory = try TestLocations.temporaryDirectory("numeral-checkpoints") }
    deinit { try? FileManager.default.removeItem(at: directory) }

    static let recipe = TrainingRecipe(model: "mlp", optimizer: OptimizerConfiguration(kind: .adam, learningRate: 1e-3),
                                       epochs: 2, batchSize: 32, seed: 11, validationSplit: 0)

    struct Run {
        var network: Sequential
        var optimizer: any Optimizer
        var progress: TrainingProgress
        var parameters: [Float] {
            var copy = network, values: [Float] = []
            copy.visitParameters { values += $0.value.scalars }
            return values
        }
    }

    static func start() -> Run {
        var rng = SplitMix64(seed: recipe.seed)
        return Run(network: Sequential(Zoo.mlp, using: &rng), optimizer: recipe.optimizer.makeOptimizer(),
                   progress: TrainingProgress(rng: SplitMix64(seed: recipe.seed &+ 1)))
    }

    /// 512 training samples in 16 batches of 32 per epoch, 64 for validation.
    static func data() throws -> (train: Dataset, validation: Dataset) {
        let all = try MNISTSlices.training.get()
        return (all.prefix(512), all.subset(512..<576))
    }

    @discardableResult
    static func train(_ run: inout Run, stopAfterCall k: Int? = nil) throws -> TrainingOutcome {
        let (train, validation) = try data()
        var calls = 0
        return NumeralTraining.train(&run.network, optimizer: &run.optimizer, on: train, validation: validation,
                                     epochs: recipe.epochs, batchSize: recipe.batchSize, progress: &run.progress,
                                     shouldStop: { calls += 1; return calls == k })
    }

    /// `shouldStop` is asked after batches 1–15 of epoch 1 (calls 1–15), after epoch 1
    /// (call 16) and after batches 1–15 of epoch 2 (calls 17–31).
    @Test(arguments: [1, 3, 15, 16, 20, 31])
    func resumedRunMatchesUninterruptedRun(stopAfterCall k: Int) throws {
        var uninterrupted = Self.start()
        #expect(try Self.train(&uninterrupted) == .finished)

        var first = Self.start()
        #expect(try Self.train(&first, stopAfterCall: k) == .interrupted)
        let file = directory.appendingPathComponent("run-\(k).checkpoint").path
        try Checkpoint(model: Model(network: first.network, recipe: Self.recipe), optimizer: first.optimizer,
                       progress: first.progress).save(to: file)
        let checkpoint = try Checkpoint.load(from: file)
        #expect(checkpoint.progress == first.progress)
        #expect(checkpoint.optimizer.state == first.optimizer.state)
        #expect(checkpoint.optimizer.stepCount == first.optimizer.stepCount)

        var resumed = Run(network: checkpoint.model.networks[0], optimizer: checkpoint.optimizer, progress: checkpoint.progress)
        #expect(try Self.train(&resumed) == .finished)
        #expect(resumed.parameters == uninterrupted.parameters, "stopped after call \(k): parameters differ from the uninterrupted run")
        #expect(resumed.optimizer.state == uninterrupted.optimizer.state)
        #expect(resumed.optimizer.stepCount == 32)
        #expect(resumed.progress.rng == uninterrupted.progress.rng)
        // The same history, apart from wall-clock seconds.
        func withoutTime(_ h: [EpochRecord]) -> [EpochRecord] { h.map { var r = $0; r.seconds = 0; return r } }
        #expect(withoutTime(resumed.progress.history) == withoutTime(uninterrupted.progress.history))
        #expect(resumed.progress.history.count == 2)
    }

    /// Optimizer state that does not fit the parameters would index out of range on the
    /// first resumed step; it must be rejected when the checkpoint is read.
    @Test(arguments: [OptimizerConfiguration.Kind.adam, .sgd, .rmsprop])
    func optimizerStateOfTheWrongSize(_ kind: OptimizerConfiguration.Kind) throws {
        var run = Self.start()
        run.optimizer = OptimizerConfiguration(kind: kind, learningRate: 1e-3).makeOptimizer()
        #expect(try Self.train(&run, stopAfterCall: 2) == .interrupted)
        var recipe = Self.recipe
        recipe.optimizer = run.optimizer.configuration
        let file = directory.appendingPathComponent("state-\(kind).checkpoint").path
        try Checkpoint(model: Model(network: run.network, recipe: recipe), optimizer: run.optimizer,
                       progress: run.progress).save(to: file)
        #expect(try Checkpoint.load(from: file).optimizer.state == run.optimizer.state)

        let (tensors, metadata) = try SafeTensors.decode(Data(contentsOf: URL(fileURLWithPath: file)), path: file)
        var damaged = tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }
        let slot = try #require(damaged.firstIndex { $0.name == "optimizer.2" })
        damaged[slot].tensor = damaged[slot].tensor.slice(0..<7)
        try SafeTensors.encode(tensors: damaged, metadata: metadata).write(to: URL(fileURLWithPath: file))
        do {
            _ = try Checkpoint.load(from: file)
            Issue.record("a checkpoint with 7 optimizer values for a 2,500-scalar parameter loaded")
        } catch {
            guard case let .invalid(path, reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == file)
            #expect(reason.contains("optimizer"), "\(reason)")
        }
    }

    /// A run with early stopping, interrupted after its second epoch, resumes with the same
    /// best epoch, best weights and patience spent as the run that was never interrupted.
    @Test func earlyStoppingSurvivesACheckpoint() throws {
        var recipe = Self.recipe
        recipe.epochs = 3
        func run(stopAfterEpoch k: Int?) throws -> (Run, EarlyStopping, TrainingOutcome) {
            let (train, validation) = try Self.data()
            var run = Self.start()
            var stopper = EarlyStopping(patience: 5)
            var epochs = 0
            let outcome = NumeralTraining.train(&run.network, optimizer: &run.optimizer, on: train, validation: validation,
                                                epochs: recipe.epochs, batchSize: recipe.batchSize, progress: &run.progress,
                                                stopAfterEpoch: { record, network in
                                                    epochs += 1
                                                    return stopper.observe(record, network: network)
                                                },
                                                shouldStop: { epochs == k })
            return (run, stopper, outcome)
        }
        let (whole, wholeStopper, _) = try run(stopAfterEpoch: nil)

        let (first, firstStopper, outcome) = try run(stopAfterEpoch: 2)
        #expect(outcome == .interrupted)
        #expect(first.progress.history.count == 2)
        let file = directory.appendingPathComponent("early.checkpoint").path
        try Checkpoint(model: Model(network: first.network, recipe: recipe), optimizer: first.optimizer,
                       progress: first.progress, earlyStopping: firstStopper).save(to: file)
        let checkpoint = try Checkpoint.load(from: file)
        var stopper = try #require(checkpoint.earlyStopping)
        #expect(stopper.patience == 5)
        #expect(stopper.best?.epoch == firstStopper.best?.epoch)
        #expect(stopper.best?.validationAccuracy == firstStopper.best?.validationAccuracy)
        #expect(stopper.epochsWithoutImprovement == firstStopper.epochsWithoutImprovement)
        let x = try MNISTSlices.training.get().batch(0..<8).images
        #expect(stopper.best.map { $0.network(x) } == firstStopper.best.map { $0.network(x) })

        var resumed = Run(network: checkpoint.model.networks[0], optimizer: checkpoint.optimizer, progress: checkpoint.progress)
        let (train, validation) = try Self.data()
        _ = NumeralTraining.train(&resumed.network, optimizer: &resumed.optimizer, on: train, validation: validation,
                                  epochs: recipe.epochs, batchSize: recipe.batchSize, progress: &resumed.progress,
                                  stopAfterEpoch: { record, network in stopper.observe(record, network: network) },
                                  shouldStop: { false })
        #expect(stopper.best?.epoch == wholeStopper.best?.epoch)
        #expect(stopper.epochsWithoutImprovement == wholeStopper.epochsWithoutImprovement)
        #expect(stopper.best.map { $0.network(x) } == wholeStopper.best.map { $0.network(x) })
        #expect(resumed.parameters == whole.parameters)
    }

    @Test func aFinishedModelIsNotACheckpoint() throws {
        let file = directory.appendingPathComponent("model.safetensors").path
        try Model(network: Self.start().network, recipe: Self.recipe).save(to: file)
        do {
            _ = try Checkpoint.load(from: file)
            Issue.record("a finished model loaded as a checkpoint")
        } catch {
            guard case let .invalid(path, reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == file)
            #expect(reason.contains("not a training checkpoint"))
        }
    }

    @Test func sameSeedSameTraining() throws {
        var a = Self.start(), b = Self.start()
        try Self.train(&a)
        try Self.train(&b)
        #expect(a.parameters == b.parameters)
    }
}
