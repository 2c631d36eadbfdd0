import ArgumentParser
import Foundation
import Numeral

nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on MNIST and save it.",
        discussion: """
        Ctrl-C stops after the current batch and saves a checkpoint next to the output \
        (OUTPUT.checkpoint); `numeral train --resume OUTPUT.checkpoint` continues it exactly.
        """)

    @Option(help: "Architecture: \(Zoo.all.map(\.name).joined(separator: ", ")).")
    var model: String = "mlp"
    @Option(help: "Passes over the training set.") var epochs: Int = 10
    @Option(help: "Samples per gradient step.") var batchSize: Int = 32
    @Option(help: "sgd, adam, adamw or rmsprop.") var optimizer: String = "adam"
    @Option(help: "Learning rate.") var lr: Float = 1e-3
    @Option(help: "L2 penalty (decoupled decay for adamw).") var weightDecay: Float = 0
    @Option(help: "Learning-rate schedule: constant, cosine, onecycle, step.") var schedule: String = "constant"
    @Option(help: "SGD momentum (0 = plain SGD).") var momentum: Float = 0.9
    @Flag(help: "Nesterov momentum for SGD.") var nesterov = false
    @Option(help: "Fraction of the training set held out for validation.") var validationSplit: Double = 0
    @Option(name: .customLong("init"), help: "Random start of the dense and convolution weights: he or glorot.")
    var initialization: String = "he"
    @Option(help: "Seed for initialisation, shuffling, dropout and the split.") var seed: UInt64 = 0
    @Option(help: "Train on the first N training samples only.") var limit: Int?
    @Option(help: "Distort training batches on the fly, e.g. rotate=10,shift=2,scale=0.1,elastic=34:4,noise=0.05,thickness=1.")
    var augment: String?
    @Option(help: "Stop after this many epochs without a better validation accuracy and keep the best epoch's weights (needs --validation-split).")
    var earlyStopping: Int?
    @OptionGroup var data: DataOptions
    @Option(help: "Start from this model file's weights (fine-tuning) instead of a random initialisation; its architecture replaces --model.")
    var initial: String?
    @Option(help: "With --initial on an ensemble: which of its networks to start from (0, 1, ...).")
    var member: Int?
    @Option(help: "Add the samples in this directory (from `numeral crops`; label 10 = not a digit, trained towards a uniform answer) to the training set. Repeatable.")
    var extra: [String] = []
    @Option(help: "Where to write the trained model.") var output: String = "model.safetensors"
    @Option(help: "Continue the run saved in this checkpoint.") var resume: String?
    @Option(help: "Worker threads for the math kernels (default: all cores).") var threads: Int?
    @Flag(help: "Print the result as one JSON object instead of text.") var json = false

    func validate() throws {
        if initial != nil && resume != nil { throw ValidationError("--initial starts a new run; --resume continues one: give one of them") }
        if member != nil && initial == nil { throw ValidationError("--member picks a network of the --initial model: add --initial FILE") }
        if let member, member < 0 { throw ValidationError("--member must be 0 or more") }
        guard resume != nil || initial != nil || Zoo.architecture(named: model) != nil else {
            throw ValidationError("unknown model '\(model)'; choose one of \(Zoo.all.map(\.name).joined(separator: ", "))")
        }
        guard OptimizerConfiguration.Kind(rawValue: optimizer) != nil else {
            throw ValidationError("unknown optimizer '\(optimizer)'; choose sgd, adam, adamw or rmsprop")
        }
        guard WeightInitialization(rawValue: initialization) != nil else {
            throw ValidationError("unknown initialisation '\(initialization)'; choose he or glorot")
        }
        guard parsedSchedule != nil else { throw ValidationError("unknown schedule '\(schedule)'; choose constant, cosine, onecycle or step") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard weightDecay >= 0 else { throw ValidationError("--weight-decay must be ≥ 0") }
        guard (0..<1).contains(validationSplit) else { throw ValidationError("--validation-split must be in [0, 1)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let augment {
            do { _ = try Augmentation(parsing: augment) } catch { throw ValidationError(error.description) }
        }
        if let earlyStopping {
            guard earlyStopping >= 1 else { throw ValidationError("--early-stopping must be at least 1 epoch") }
            guard validationSplit > 0 || resume != nil else {
                throw ValidationError("--early-stopping watches validation accuracy: add --validation-split, e.g. 0.1")
            }
        }
    }

    var parsedSchedule: LearningRateSchedule? { LearningRateSchedule(name: schedule) }

    func run() throws {
        if let threads { Kernels.setThreadCount(threads) }
        var network: Sequential
        var optimizerState: any Optimizer
        var progress: TrainingProgress
        var recipe: TrainingRecipe
        var stopper = earlyStopping.map(EarlyStopping.init(patience:))
        if let resume {
            let checkpoint = try Checkpoint.load(from: resume)
            network = checkpoint.model.networks[0]
            optimizerState = checkpoint.optimizer
            progress = checkpoint.progress
            recipe = checkpoint.model.recipe!
            if var saved = checkpoint.earlyStopping {
                // The saved best network and patience, unless --early-stopping gives a new patience.
                if let earlyStopping { saved.patience = earlyStopping }
                stopper = saved
            }
            recipe.epochs = max(recipe.epochs, epochs == 10 ? recipe.epochs : epochs)
            if !json { print("resuming \(recipe.model) at epoch \(progress.epoch + 1), batch \(progress.batch) from \(resume)") }
        } else {
            var configuration = OptimizerConfiguration(kind: .init(rawValue: optimizer)!, learningRate: lr,
                                                       weightDecay: weightDecay, schedule: parsedSchedule!)
            configuration.momentum = momentum
            configuration.nesterov = nesterov
            var rng = SplitMix64(seed: seed)
            if let initial {
                let start = try Model.load(from: initial)
                if start.networks.count > 1 && member == nil {
                    throw ValidationError("\(initial) is an ensemble of \(start.networks.count) networks: pick one with --member 0...\(start.networks.count - 1)")
                }
                let k = member ?? 0
                guard k < start.networks.count else {
                    throw ValidationError("\(initial) has \(start.networks.count) network(s); --member \(k) is not one of them")
                }
                network = start.networks[k]
            } else {
                network = Sequential(Zoo.architecture(named: model)!,
                                     initialization: WeightInitialization(rawValue: initialization)!, using: &rng)
            }
            recipe = TrainingRecipe(model: network.architecture.name, optimizer: configuration, epochs: epochs, batchSize: batchSize,
                                    seed: seed, validationSplit: validationSplit,
                                    augmentation: augment.map { (try? Augmentation(parsing: $0))?.description ?? $0 })
            recipe.initialModel = initial.map { path in member.map { "\(path) (network \($0))" } ?? path }
            recipe.extraData = extra.isEmpty ? nil : extra
            recipe.initialization = initial == nil ? WeightInitialization(rawValue: initialization) : nil
            optimizerState = configuration.makeOptimizer()
            progress = TrainingProgress(rng: rng)
        }

        let directory = data.directory
        var trainingSet = try MNIST.loadTraining(from: directory)
        let testSet = try MNIST.loadTest(from: directory)
        if let limit { trainingSet = trainingSet.prefix(limit) }
        var validationSet: Dataset?
        if recipe.validationSplit > 0 {
            // Its own generator, so the split does not depend on how far training got.
            var splitRNG = SplitMix64(seed: recipe.seed ^ 0x5EED_5A17)
            (trainingSet, validationSet) = trainingSet.split(validationFraction: recipe.validationSplit, using: &splitRNG)
        }
        // Extra samples train only; validation and test stay MNIST's.
        for directory in recipe.extraData ?? [] {
            trainingSet = trainingSet.appending(try ReaderCrops.load(from: directory))
        }

        let checkpointPath = output + ".checkpoint"
        let display = ProgressDisplay(enabled: !json && isatty(STDERR_FILENO) == 1)
        signal(SIGINT) { _ in interruptRequested = 1 }
        // A resumed run keeps its recipe's augmentation.
        let augmentation = try recipe.augmentation.map { text throws(AugmentationError) in try Augmentation(parsing: text) }
        let outcome = train(&network, optimizer: &optimizerState, on: trainingSet, validation: validationSet,
                            epochs: recipe.epochs, batchSize: recipe.batchSize, progress: &progress,
                            augment: augmentation.map { a in { images, rng in a.apply(to: images, using: &rng) } },
                            stopAfterEpoch: { record, network in stopper?.observe(record, network: network) ?? false },
                            shouldStop: { interruptRequested != 0 },
                            onBatch: display.update,
                            onEpoch: { record in
                                display.clear()
                                if !json { print(formatEpoch(record, epochs: recipe.epochs)); fflush(nil) }
                            })
        signal(SIGINT, SIG_DFL)
        display.clear()

        if let best = stopper?.best, case .finished = outcome {
            if best.epoch < progress.history.count, !json {
                print(String(format: "keeping epoch %d (val_accuracy %.4f)", best.epoch, best.validationAccuracy))
            }
            network = best.network
        }
        var trained = Model(network: network, recipe: recipe)
        trained.history = progress.history
        if case .interrupted = outcome {
            try Checkpoint(model: trained, optimizer: optimizerState, progress: progress, earlyStopping: stopper).save(to: checkpointPath)
            FileHandle.standardError.write(Data("""
                interrupted at epoch \(progress.epoch + 1), batch \(progress.batch); checkpoint saved to \(checkpointPath)
                continue with: numeral train --resume \(checkpointPath) --output \(output)\n
                """.utf8))
            throw ExitCode(130)
        }

        let result = evaluate(trained, on: testSet)
        trained.testMetrics = TestMetrics(accuracy: result.accuracy, loss: result.loss, samples: result.count)
        try trained.save(to: output)
        try? FileManager.default.removeItem(atPath: checkpointPath)
        if json {
            printJSON(TrainSummary(model: recipe.model, output: output, recipe: recipe, history: progress.history,
                                   test: trained.testMetrics!, parameters: trained.parameterCount))
        } else {
            print(String(format: "test: loss %.4f - accuracy %.4f (%d samples)", result.loss, result.accuracy, result.count))
            print("saved \(output) (\(trained.parameterCount) parameters)")
        }
    }
}

struct TrainSummary: Encodable {
    var model: String, output: String, recipe: TrainingRecipe, history: [EpochRecord], test: TestMetrics, parameters: Int
}

/// Keras-style epoch line.
func formatEpoch(_ r: EpochRecord, epochs: Int) -> String {
    var line = String(format: "Epoch %d/%d - %.1fs - loss: %.4f - accuracy: %.4f", r.epoch, epochs, r.seconds, r.loss, r.accuracy)
    if let vl = r.validationLoss, let va = r.validationAccuracy {
        line += String(format: " - val_loss: %.4f - val_accuracy: %.4f", vl, va)
    }
    return line
}

/// A one-line progress bar on standard error, redrawn at most ten times a second.
final class ProgressDisplay: @unchecked Sendable {
    let enabled: Bool
    private var lastDraw = Date.distantPast
    init(enabled: Bool) { self.enabled = enabled }

    func update(_ r: BatchReport) {
        guard enabled, r.batch == r.batches || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        let width = 30
        let filled = width * r.batch / r.batches
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: ".", count: max(0, width - filled - 1))
        let eta = r.elapsed / Double(r.batch) * Double(r.batches - r.batch)
        let line = String(format: "\r%d/%d [%@] %.0f samples/s - ETA %.0fs - loss: %.4f - accuracy: %.4f",
                          r.batch, r.batches, bar, r.samplesPerSecond, eta, r.loss, r.accuracy)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}
