import ArgumentParser
import Foundation
import Numeral

struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search hyper-parameters on the validation split (never the test set) and save the best trial.",
        discussion: """
        Each trial trains from the same seed with early stopping on validation accuracy. Only \
        the MNIST training files are read; the validation split is carved out of them. \
        Example: numeral tune --model mlp --trials 8 --search random \
        --space "lr=1e-4..1e-2 log, batch-size=32|64|128, dropout=0..0.5"
        """)

    @Option(help: "Architecture: \(Zoo.all.map(\.name).joined(separator: ", ")).") var model: String = "mlp"
    @Option(help: "Number of trials (grid: at most this many grid points).") var trials: Int = 10
    @Option(help: "random or grid.") var search: String = "random"
    @Option(help: "The space: NAME=LOW..HIGH [log] or NAME=A|B|C, comma-separated; names: \(SearchSpace.names.joined(separator: ", ")).")
    var space: String = "lr=1e-4..1e-2 log, batch-size=32|64|128"
    @Option(help: "Points per continuous range in a grid search.") var gridPoints: Int = 3
    @Option(help: "Epochs per trial, unless the space sets them.") var epochs: Int = 10
    @Option(help: "Early-stopping patience in epochs.") var earlyStopping: Int = 2
    @Option(help: "Fraction of the training set held out for validation.") var validationSplit: Double = 0.1
    @Option(help: "Batch size, unless the space sets it.") var batchSize: Int = 32
    @Option(help: "Learning rate, unless the space sets it.") var lr: Float = 1e-3
    @Option(help: "sgd, adam, adamw or rmsprop.") var optimizer: String = "adam"
    @Option(help: "Learning-rate schedule: constant, cosine, onecycle, step.") var schedule: String = "constant"
    @Option(help: "Augmentation for every trial, as in numeral train.") var augment: String?
    @Option(help: "Seed for the split, initialisation, shuffling and the random search.") var seed: UInt64 = 0
    @Option(help: "Use the first N training samples only.") var limit: Int?
    @OptionGroup var data: DataOptions
    @Option(help: "Where to save the best trial's model.") var output: String = "tune-best.safetensors"
    @Option(help: "Where to write all results as JSON (default: OUTPUT with .json).") var results: String?
    @Option(help: "Worker threads for the math kernels (default: all cores).") var threads: Int?
    @Flag(help: "Print the results as JSON instead of a table.") var json = false

    func validate() throws {
        guard Zoo.architecture(named: model) != nil else {
            throw ValidationError("unknown model '\(model)'; choose one of \(Zoo.all.map(\.name).joined(separator: ", "))")
        }
        guard ["random", "grid"].contains(search) else { throw ValidationError("--search must be random or grid") }
        do { _ = try SearchSpace(parsing: space) } catch { throw ValidationError(error.description) }
        if let augment { do { _ = try Augmentation(parsing: augment) } catch { throw ValidationError(error.description) } }
        guard OptimizerConfiguration.Kind(rawValue: optimizer) != nil else {
            throw ValidationError("unknown optimizer '\(optimizer)'; choose sgd, adam, adamw or rmsprop")
        }
        guard scheduleValue != nil else { throw ValidationError("unknown schedule '\(schedule)'") }
        guard trials >= 1, epochs >= 1, earlyStopping >= 1, batchSize >= 1, gridPoints >= 1 else {
            throw ValidationError("--trials, --epochs, --early-stopping, --batch-size and --grid-points must be at least 1")
        }
        guard validationSplit > 0 && validationSplit < 1 else { throw ValidationError("--validation-split must be in (0, 1): tuning is judged on it") }
        if let limit, limit < 2 { throw ValidationError("--limit must be at least 2") }
    }

    var scheduleValue: LearningRateSchedule? { LearningRateSchedule(name: schedule) }

    func run() throws {
        if let threads { Kernels.setThreadCount(threads) }
        let searchSpace = try SearchSpace(parsing: space)
        var rng = SplitMix64(seed: seed ^ 0x7E57_7E57)
        let points = search == "grid" ? searchSpace.gridTrials(pointsPerRange: gridPoints, limit: trials)
                                      : searchSpace.randomTrials(trials, using: &rng)
        let base = TuningBase(
            architecture: Zoo.architecture(named: model)!,
            optimizer: OptimizerConfiguration(kind: .init(rawValue: optimizer)!, learningRate: lr, schedule: scheduleValue!),
            epochs: epochs, batchSize: batchSize, patience: earlyStopping, seed: seed,
            augmentation: try augment.map { text throws(AugmentationError) in try Augmentation(parsing: text) })
        if !json {
            print("\(points.count) trials of \(model), \(search) search over \(searchSpace)")
            let gridSize = searchSpace.gridTrials(pointsPerRange: gridPoints).count
            if search == "grid" && gridSize > trials { print("(the first \(trials) of \(gridSize) grid points; raise --trials for all)") }
        }
        let names = searchSpace.dimensions.map(\.name)
        let (sorted, best) = try tune(
            base, trials: points, dataDirectory: data.directory, validationFraction: validationSplit, limit: limit,
            onTrial: { r in
                if !json {
                    print(String(format: "trial %d/%d: %@ → val_accuracy %.4f (best epoch %d of %d, %.0fs)", r.trial, points.count,
                                 format(r.hyperparameters, names), r.validationAccuracy, r.bestEpoch, r.epochsRun, r.seconds))
                }
            })
        let resultsPath = results ?? (output.hasSuffix(".safetensors") ? String(output.dropLast(12)) : output) + ".json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(TuneReport(model: model, search: search, space: searchSpace.description,
                                      validationSplit: validationSplit, trials: sorted))
            .write(to: URL(fileURLWithPath: resultsPath), options: .atomic)
        if var best {
            best.recipe?.validationSplit = validationSplit
            try best.save(to: output)
        }
        if json {
            printJSON(TuneReport(model: model, search: search, space: searchSpace.description,
                                 validationSplit: validationSplit, trials: sorted))
            return
        }
        print("\nrank  trial  " + names.map { $0.padding(toLength: 12, withPad: " ", startingAt: 0) }.joined()
              + "val_acc   val_loss  epoch  seconds")
        for (rank, r) in sorted.enumerated() {
            let values = names.map { short(r.hyperparameters[$0] ?? .nan, $0).padding(toLength: 12, withPad: " ", startingAt: 0) }.joined()
            print(String(format: "%4d  %5d  %@%.4f    %.4f  %5d  %7.0f", rank + 1, r.trial, values,
                         r.validationAccuracy, r.validationLoss, r.bestEpoch, r.seconds))
        }
        print("saved the best trial to \(output); all results in \(resultsPath)")
        print("its test accuracy is for `numeral evaluate --model \(output)`: tune itself never reads the test set")
    }

    func format(_ point: [String: Double], _ names: [String]) -> String {
        names.map { "\($0)=\(short(point[$0] ?? .nan, $0))" }.joined(separator: " ")
    }

    func short(_ value: Double, _ name: String) -> String {
        ["batch-size", "epochs"].contains(name) ? String(Int(value.rounded())) : String(format: "%.3g", value)
    }
}

struct TuneReport: Encodable {
    var model: String, search: String, space: String, validationSplit: Double, trials: [TrialResult]
}
